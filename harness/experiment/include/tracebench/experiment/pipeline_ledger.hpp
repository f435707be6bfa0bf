#pragma once
// Ground truth for a pipeline run. request_ledger stands in front of the graph's load target and
// notes every request's outcome and latency; stored_traces is the last exporter of the chain and
// notes which requests' traces storage received. pipeline_ledger::record compares the two.

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "tracebench/load/load_target.hpp"
#include "tracebench/results/pipeline_record.hpp"
#include "tracebench/tracer/ids.hpp"
#include "tracebench/tracer/span_exporter.hpp"

namespace tracebench::harness {

class request_ledger final : public load_target {
 public:
  // Does not own `inner`, which must outlive every reply.
  explicit request_ledger(load_target& inner) noexcept : inner_(inner) {}

  // Sends under an id of its own: each load phase numbers its requests from 0, and the ledger
  // must tell every request of the run apart (the id is what the trace's spans carry).
  void send(std::uint64_t request_id, reply_callback done) override;

  // Requests sent from now on are the latency phase's; until it is called, all are.
  void start_latency_phase() noexcept { latency_from_.store(next_id_.load()); }
  // The ledger's first id of the latency phase.
  [[nodiscard]] std::uint64_t latency_from() const noexcept { return latency_from_.load(); }

  struct outcome {
    bool error = false;
    std::int64_t latency_ns = 0;  // send to reply
    std::int64_t finished_unix_ns = 0;
  };
  [[nodiscard]] std::unordered_map<std::uint64_t, outcome> outcomes() const;

 private:
  load_target& inner_;
  mutable std::mutex mutex_;
  std::unordered_map<std::uint64_t, outcome> outcomes_;
  std::atomic<std::uint64_t> next_id_{0};
  std::atomic<std::uint64_t> latency_from_{0};
};

// Passes every span on to `next` and remembers, per request id (the span attribute
// services::kRequestIdAttribute, which only some of a trace's spans carry), the trace that carried
// it, that trace's adjusted count, and how many spans of the trace storage received.
class stored_traces final : public tracer::span_exporter {
 public:
  explicit stored_traces(std::shared_ptr<tracer::span_exporter> next) : next_(std::move(next)) {}

  tracer::export_result export_spans(std::span<const tracer::span_data* const> batch) noexcept override;
  bool force_flush(std::chrono::milliseconds timeout) noexcept override { return next_->force_flush(timeout); }
  void shutdown() noexcept override { next_->shutdown(); }

  struct stored {
    tracer::trace_id trace;
    double adjusted_count = 1;  // 1 when the spans carry no threshold
    std::uint64_t spans = 0;    // of the whole trace
  };
  [[nodiscard]] std::unordered_map<std::uint64_t, stored> traces() const;
  [[nodiscard]] std::uint64_t spans() const;

 private:
  std::shared_ptr<tracer::span_exporter> next_;
  mutable std::mutex mutex_;
  std::unordered_map<std::uint64_t, stored> traces_;
  // Spans per trace, by the low half of its id: 64 random bits, so ids do not collide in a run.
  std::unordered_map<std::uint64_t, std::uint64_t> spans_by_trace_;
  std::uint64_t spans_ = 0;
};

// The run's pipeline_record from what both saw; `collector` is the tail sampler's stats, if any.
[[nodiscard]] pipeline_record make_pipeline_record(const request_ledger& requests, const stored_traces& storage,
                                                   std::chrono::nanoseconds slow,
                                                   std::optional<collector::tail_sampler_stats> collector);

}  // namespace tracebench::harness
