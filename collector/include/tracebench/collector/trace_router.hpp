#pragma once
// The load-balancing tier in front of sharded tail samplers: every span of a trace must reach
// the same collector, so spans are routed by trace id with jump consistent hashing (Lamping and
// Veach, 2014): shards get equal shares, and going from N to N+1 shards moves only the 1/(N+1)
// of traces that the new shard takes. A trace whose spans reached two shards (the shard count
// changed while it was in flight) gets two decisions; the router counts such split traces.

#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "tracebench/tracer/ids.hpp"
#include "tracebench/tracer/span_exporter.hpp"

namespace tracebench::collector {

// The shard in [0, shards) for `trace`; shards >= 1. The same for every router.
[[nodiscard]] std::uint32_t shard_for(const tracer::trace_id& trace, std::uint32_t shards) noexcept;

struct trace_router_stats {
  std::uint64_t spans_routed = 0;
  std::uint64_t spans_failed = 0;  // their shard's exporter failed them
  std::uint64_t split_traces = 0;  // traces seen on a second shard, among the remembered ones
  std::uint64_t resizes = 0;
  std::vector<std::uint64_t> spans_per_shard;  // for the current shard count
};

class trace_router final : public tracer::span_exporter {
 public:
  // `remembered` bounds the trace ids kept (oldest forgotten first) to notice split traces.
  explicit trace_router(std::vector<std::shared_ptr<tracer::span_exporter>> shards, std::size_t remembered = 100'000);

  tracer::export_result export_spans(std::span<const tracer::span_data* const> batch) noexcept override;
  bool force_flush(std::chrono::milliseconds timeout) noexcept override;
  void shutdown() noexcept override;

  // Routes from now on to `shards` (non-empty); spans of traces in flight may land elsewhere.
  void set_shards(std::vector<std::shared_ptr<tracer::span_exporter>> shards);
  [[nodiscard]] trace_router_stats stats() const;

 private:
  struct id_hash {
    std::size_t operator()(const tracer::trace_id& id) const noexcept {
      return static_cast<std::size_t>(id.low ^ id.high);
    }
  };

  mutable std::mutex mutex_;
  std::vector<std::shared_ptr<tracer::span_exporter>> shards_;
  std::size_t remembered_;
  struct seen {
    std::uint32_t shard = 0;
    bool split = false;  // counted once per trace
  };
  std::unordered_map<tracer::trace_id, seen, id_hash> seen_;
  std::deque<tracer::trace_id> order_;
  trace_router_stats stats_;
};

}  // namespace tracebench::collector
