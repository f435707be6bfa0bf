#pragma once
// The tail-sampling tier of a "tail" configuration: one collector, or several behind a trace-id
// router, optionally grown mid-run so that traces in flight split across collectors as they do
// when a real deployment scales out. Every collector forwards to the same storage.

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "tracebench/collector/tail_collector_settings.hpp"
#include "tracebench/collector/tail_sampler.hpp"
#include "tracebench/collector/trace_router.hpp"
#include "tracebench/tracer/span_exporter.hpp"

namespace tracebench::collector {

class collector_tier {
 public:
  // Does not shut `storage` down: the caller does, after finish().
  collector_tier(const tail_collector_settings& settings, std::shared_ptr<tracer::span_exporter> storage);
  ~collector_tier();
  collector_tier(const collector_tier&) = delete;
  collector_tier& operator=(const collector_tier&) = delete;

  // Where the batch processor exports to.
  [[nodiscard]] std::shared_ptr<tracer::span_exporter> entry() const { return entry_; }

  // The latency phase starts now: peaks restart, and a tier that reshards does so `after` from now.
  void latency_phase_started(std::chrono::nanoseconds after);
  // Decides every held trace (the batch processor has exported its last span) and stops resharding.
  void finish();

  // Summed over the collectors (peaks too: the most the tier could have held at once).
  [[nodiscard]] collector::tail_sampler_stats stats() const;
  [[nodiscard]] std::uint64_t split_traces() const;
  [[nodiscard]] unsigned collectors() const;

 private:
  void reshard();

  tail_collector_settings settings_;
  std::shared_ptr<tracer::span_exporter> downstream_;  // storage, its shutdown left to the caller
  mutable std::mutex mutex_;
  std::vector<std::shared_ptr<collector::tail_sampler>> collectors_;  // guarded by mutex_
  std::shared_ptr<collector::trace_router> router_;                   // empty with one collector, never resharded
  std::shared_ptr<tracer::span_exporter> entry_;
  std::condition_variable stop_cv_;
  bool stopping_ = false;  // guarded by mutex_
  std::thread resharder_;
};

}  // namespace tracebench::collector
