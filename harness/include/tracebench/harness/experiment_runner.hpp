#pragma once
// Carries out an experiment_plan against a scenario: every round runs every configuration on a
// service graph set up for it (fresh in-process, or a running one reconfigured), phase 1 (closed loop, capacity) then phase 2 (open loop, latency at a
// fixed offered rate), and keeps each run's raw figures for experiment_summary.

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tracebench/harness/experiment_plan.hpp"
#include "tracebench/harness/hot_path_costs.hpp"
#include "tracebench/harness/latency_summary.hpp"
#include "tracebench/harness/machine_load.hpp"
#include "tracebench/harness/memory_sweep.hpp"
#include "tracebench/harness/pipeline_record.hpp"
#include "tracebench/harness/recorded_trace.hpp"
#include "tracebench/harness/run_graph.hpp"
#include "tracebench/harness/span_volume.hpp"
#include "tracebench/services/scenario.hpp"
#include "tracebench/tracer/span_counters.hpp"

namespace tracebench::harness {

struct run_record {
  std::string configuration;  // as the plan names it
  unsigned round = 0;         // 0-based
  std::size_t position = 0;   // where in its round's order it ran

  // Phase 1: closed loop.
  double throughput = 0.0;  // completed per second
  double cpu_ns_per_request = 0.0;  // this process's CPU over the window / completed
  // Of it, the span exporter's thread and what runs behind it (a tail collector): off the request
  // path. 0 where the graph cannot tell (a remote graph).
  double off_path_cpu_ns_per_request = 0.0;
  bool throughput_valid = true;
  std::string throughput_invalid_reason;

  // Phase 2: open loop. Latencies are nanoseconds from the intended send time.
  double offered_rate = 0.0;
  double achieved_rate = 0.0;
  latency_summary latency;
  latency_histogram latency_distribution;  // the corrected one, whole, for merging per configuration
  std::int64_t uncorrected_p99 = 0;  // from the actual send: shows what coordinated omission hides
  latency_summary send_lag;          // actual send - due: the generator's own health
  std::uint64_t dropped_sends = 0;   // due while too many were in flight
  std::uint64_t lost = 0;            // no reply within the drain timeout
  bool latency_valid = true;
  std::string latency_invalid_reason;

  // Both phases, warm-ups included, from the run's own processor and exporter.
  tracer::span_counts spans;
  std::uint64_t bytes_encoded = 0;  // OTLP/JSON
  double spans_per_second = 0;      // exported during phase 2, at the offered load
  std::optional<compression_figures> compression;  // the run's first export requests, zstd

  std::optional<machine_load> load;  // over the whole run; empty where it cannot be read
  std::optional<pipeline_record> pipeline;  // when the plan compares pipelines

  [[nodiscard]] bool valid() const noexcept { return throughput_valid && latency_valid; }
  [[nodiscard]] bool loaded() const noexcept { return load && load->other_cores > kLoadedMachineCores; }
};

struct experiment_result {
  std::string scenario_name;
  experiment_plan plan;
  unsigned graph_threads = 0;   // executor threads each run's graph had
  double offered_rate = 0.0;    // phase 2's, fixed by round 0's off run (or the plan's rate)
  std::vector<run_record> runs;  // in the order they ran
  bool interrupted = false;      // stopped on request: `runs` holds the runs that finished
  bool debug_build = false;      // the harness ran unoptimised (NDEBUG unset): not a deployment's figures

  // For the predicted overhead and the volume projection.
  hot_path_costs costs;  // calibrated on this machine before the first run
  double spans_per_request = 0;  // scenario_summary's, at 1/1
  double hops_per_request = 0;   // calls_per_request()
  std::optional<double> projected_spans_per_second;  // at the scenario's production rate

  // For the report's waterfall: filled after the experiment by capture_slowest_trace.
  std::optional<recorded_trace> slowest_trace;
  // For the report's memory chart: filled after the experiment by sweep_collector_memory.
  std::vector<memory_sweep_point> memory_sweep;
};

struct progress_event {
  enum class kind : std::uint8_t { calibrating, phase_started, run_finished };
  kind what = kind::calibrating;
  std::string_view configuration;
  unsigned round = 0;  // 0-based
  int phase = 0;       // 1 closed loop, 2 open loop; phase_started only
  std::size_t done = 0;  // runs finished
  std::size_t total = 0;
  const run_record* finished = nullptr;  // run_finished only
};
using progress_callback = std::function<void(const progress_event&)>;

// Runs rounds x configurations, each taking about 2 x (warmup + phase_duration). Round orders are
// round_orders() over the configurations rotated to start at "off", so round 0 measures off's
// capacity before any phase 2 needs it. When `stop` becomes true the run under way is cut short
// and dropped, and the result comes back marked interrupted. Throws std::invalid_argument for a
// plan validate() rejects, and std::runtime_error when the off configuration completes no
// request in round 0.
// Each run's graph comes from `launch`, built in this process when it is empty.
[[nodiscard]] experiment_result run_experiment(const services::scenario& s, const experiment_plan& plan,
                                               const progress_callback& progress = {},
                                               const std::atomic<bool>* stop = nullptr,
                                               const graph_launcher& launch = {});

}  // namespace tracebench::harness
