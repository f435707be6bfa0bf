#pragma once
// What one run's sampling pipeline kept of the requests it served, against ground truth: the
// harness sees every request's outcome and every trace storage received, so "errors captured" is
// a count, not an estimate. Recorded only when the plan compares pipelines (plan.pipeline set).

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "tracebench/collector/tail_collector_settings.hpp"
#include "tracebench/collector/tail_sampler.hpp"
#include "tracebench/results/latency_exemplar.hpp"
#include "tracebench/results/reweighting.hpp"

namespace tracebench::harness {

struct pipeline_record {
  // Every request answered in the latency phase (the offered load every configuration shares,
  // warm-up included): the closed loop's latencies are its own queueing, not the system's.
  std::uint64_t requests = 0;
  std::uint64_t errors = 0;  // answered with an error
  std::uint64_t slow = 0;    // send to reply at least the collector's slow threshold
  // Of them, those with a trace in storage, and those traces' spans.
  std::uint64_t kept = 0;
  std::uint64_t kept_errors = 0;
  std::uint64_t kept_slow = 0;
  std::uint64_t spans_stored = 0;
  // Every span storage received in the run, both phases: what the run's encoded bytes cover.
  std::uint64_t spans_stored_in_run = 0;
  // Stored traces weighted by their adjusted counts (head th, raised by the tail tier).
  population_estimate estimate;
  // The collector's own figures; tail configurations only. Its peak is over the latency phase
  // (the offered load every configuration shares), not the closed loop's capacity burst.
  std::optional<collector::tail_sampler_stats> collector;
  unsigned collectors = 0;         // at the end of the run; 0 without a collector
  std::uint64_t split_traces = 0;  // traces whose spans reached two collectors: two decisions
  // Per latency bucket the slowest stored trace, for OpenMetrics exemplars.
  std::vector<latency_exemplar> exemplars;
};

}  // namespace tracebench::harness
