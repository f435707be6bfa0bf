#pragma once
// Tail sampling as a collector does it, in process and behind the exporter seam: spans are held
// by trace id, and `decision_wait` after a trace's first span the policy decides on the whole
// trace; kept traces go to the next exporter. At most `num_traces` traces are held: a new one
// beyond that evicts the oldest undecided trace, counted as dropped before its decision. Decided
// trace ids stay in a bounded cache, so a late span follows its trace's decision; once a
// decision has left the cache a late span starts a new trace (a fragment). Every span that
// arrives is accounted for in the stats: forwarded, dropped by policy, evicted, or still held.
// A trace kept with a probability p < 1 (a probabilistic policy) has its spans' ot th raised to
// p's threshold when that is higher than the head's, so adjusted counts cover both tiers.

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "tracebench/collector/tail_policy.hpp"
#include "tracebench/tracer/span_exporter.hpp"

namespace tracebench::collector {

struct tail_sampler_options {
  std::chrono::nanoseconds decision_wait = std::chrono::seconds(30);  // the Collector's default
  std::size_t num_traces = 50'000;                                    // held at once; the Collector's default
  std::size_t decision_cache_size = 100'000;                          // decided trace ids remembered for late spans
  tail_policy policy = tail_policy::always();
  // Nanoseconds on any monotonic scale; steady_clock when empty. Tests drive time by hand.
  std::function<std::int64_t()> now;
};

struct tail_sampler_stats {
  std::uint64_t spans_received = 0;
  std::uint64_t traces_received = 0;  // distinct trace ids that started a buffer
  std::uint64_t traces_kept = 0;
  std::uint64_t traces_dropped = 0;   // decided against by the policy
  std::uint64_t traces_evicted = 0;   // dropped before their decision: over num_traces
  std::uint64_t spans_forwarded = 0;  // handed to the next exporter
  std::uint64_t spans_dropped = 0;    // of traces the policy dropped, late ones included
  std::uint64_t spans_evicted = 0;
  std::uint64_t spans_export_failed = 0;  // forwarded but the next exporter failed them
  std::uint64_t late_spans = 0;           // arrived after their trace's decision, which was cached
  std::uint64_t late_spans_kept = 0;
  std::uint64_t spans_held = 0;  // buffered now, undecided
  std::uint64_t traces_held = 0;
  std::uint64_t bytes_held = 0;  // approximate memory of the held spans
  std::uint64_t peak_bytes_held = 0;
  std::uint64_t peak_traces_held = 0;
};

class tail_sampler final : public tracer::span_exporter {
 public:
  tail_sampler(std::shared_ptr<tracer::span_exporter> next, tail_sampler_options options);

  // Buffers the spans (or applies a cached decision), then decides every trace that is due.
  tracer::export_result export_spans(std::span<const tracer::span_data* const> batch) noexcept override;
  // Decides every trace whose wait is over at `now` (the options' clock); returns how many.
  std::size_t decide_due() noexcept;
  // Decides every held trace now, wait or not: for the end of a run.
  bool force_flush(std::chrono::milliseconds timeout) noexcept override;
  void shutdown() noexcept override;

  [[nodiscard]] tail_sampler_stats stats() const;
  // Peaks restart from what is held now: for the peak over one part of a run.
  void restart_peaks();

  // What a span costs to hold: the record and the text it owns. An estimate, the same for
  // every run, so memory figures compare across configurations.
  [[nodiscard]] static std::uint64_t approximate_bytes(const tracer::span_data& span) noexcept;

 private:
  // Trace ids are random: their low half is already a good hash.
  struct id_hash {
    std::size_t operator()(const tracer::trace_id& id) const noexcept {
      return static_cast<std::size_t>(id.low ^ id.high);
    }
  };
  struct held_trace {
    std::int64_t first_arrival = 0;
    std::uint64_t sequence = 0;  // to tell a live entry from a stale one in the arrival queue
    std::vector<std::unique_ptr<tracer::span_data>> spans;
    std::uint64_t bytes = 0;
  };

  std::int64_t now() const;
  void hold(const tracer::span_data& span, std::int64_t at);
  void evict_oldest();
  // Dropped traces are remembered with kMaxThreshold.
  void remember(const tracer::trace_id& id, std::uint64_t tail_threshold);
  static void raise_threshold(tracer::span_data& span, std::uint64_t tail_threshold);
  std::size_t decide_due_locked(std::int64_t at, bool everything);

  std::shared_ptr<tracer::span_exporter> next_;
  tail_sampler_options options_;
  mutable std::mutex mutex_;
  std::unordered_map<tracer::trace_id, held_trace, id_hash> held_;
  std::deque<std::pair<tracer::trace_id, std::uint64_t>> arrivals_;         // oldest first: decision and eviction order
  std::unordered_map<tracer::trace_id, std::uint64_t, id_hash> decisions_;  // the tail threshold; 2^56 dropped
  std::deque<tracer::trace_id> decision_order_;  // oldest decision first, for the cache's bound
  std::uint64_t next_sequence_ = 0;
  tail_sampler_stats stats_;
  bool shut_down_ = false;
};

}  // namespace tracebench::collector
