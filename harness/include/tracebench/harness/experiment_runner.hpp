#pragma once
// Carries out an experiment_plan against a scenario: every round runs every configuration on a
// fresh service graph, phase 1 (closed loop, capacity) then phase 2 (open loop, latency at a
// fixed offered rate), and keeps each run's raw figures for experiment_summary.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "tracebench/harness/experiment_plan.hpp"
#include "tracebench/harness/latency_summary.hpp"
#include "tracebench/services/scenario.hpp"
#include "tracebench/tracer/span_counters.hpp"

namespace tracebench::harness {

struct run_record {
  std::string configuration;  // as the plan names it
  unsigned round = 0;         // 0-based
  std::size_t position = 0;   // where in its round's order it ran

  // Phase 1: closed loop.
  double throughput = 0.0;  // completed per second
  bool throughput_valid = true;
  std::string throughput_invalid_reason;

  // Phase 2: open loop. Latencies are nanoseconds from the intended send time.
  double offered_rate = 0.0;
  double achieved_rate = 0.0;
  latency_summary latency;
  std::int64_t uncorrected_p99 = 0;  // from the actual send: shows what coordinated omission hides
  bool latency_valid = true;
  std::string latency_invalid_reason;

  // Both phases, from the run's own processor and exporter.
  tracer::span_counts spans;
  std::uint64_t bytes_encoded = 0;  // OTLP/JSON

  [[nodiscard]] bool valid() const noexcept { return throughput_valid && latency_valid; }
};

struct experiment_result {
  std::string scenario_name;
  experiment_plan plan;
  double offered_rate = 0.0;    // phase 2's, fixed by round 0's off run (or the plan's rate)
  std::vector<run_record> runs;  // in the order they ran
};

// Called after each run with the run, how many have finished and how many there are in all.
using progress_callback = std::function<void(const run_record& finished, std::size_t done, std::size_t total)>;

// Runs rounds x configurations, each taking about 2 x (warmup + phase_duration). Round orders are
// round_orders() over the configurations rotated to start at "off", so round 0 measures off's
// capacity before any phase 2 needs it. Throws std::invalid_argument for a plan validate()
// rejects, and std::runtime_error when the off configuration completes no request in round 0.
[[nodiscard]] experiment_result run_experiment(const services::scenario& s, const experiment_plan& plan,
                                               const progress_callback& progress = {});

}  // namespace tracebench::harness
