#pragma once
// The raw figures of an experiment: one record per (configuration, round) run, and the
// experiment they belong to. What the runner produces and every summary, report and results file
// reads.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "tracebench/common/machine_load.hpp"
#include "tracebench/common/memory_meter.hpp"
#include "tracebench/load/latency_histogram.hpp"
#include "tracebench/load/latency_summary.hpp"
#include "tracebench/results/adaptive_rounds.hpp"
#include "tracebench/results/closed_loop_sizing.hpp"
#include "tracebench/results/experiment_plan.hpp"
#include "tracebench/results/hot_path_costs.hpp"
#include "tracebench/results/memory_sweep_point.hpp"
#include "tracebench/results/pipeline_record.hpp"
#include "tracebench/results/recorded_trace.hpp"
#include "tracebench/results/span_volume.hpp"
#include "tracebench/services/work_kernel.hpp"
#include "tracebench/tracer/span_counters.hpp"

namespace tracebench::harness {

struct run_record {
  std::string configuration;  // as the plan names it
  unsigned round = 0;         // 0-based
  std::size_t position = 0;   // where in its round's order it ran

  // Phase 1: closed loop.
  unsigned concurrency = 0;                     // requests in flight
  std::chrono::nanoseconds capacity_window{0};  // measured length (warm-up excluded)
  std::optional<closed_loop_sizing> sizing;     // the run that sized the closed loop (round 1's off) only
  double throughput = 0.0;                      // completed per second
  double cpu_ns_per_request = 0.0;              // this process's CPU over the window / completed
  // Of it, the span exporter's thread and what runs behind it (a tail collector): off the request
  // path. 0 where the graph cannot tell (a remote graph).
  double off_path_cpu_ns_per_request = 0.0;
  bool throughput_valid = true;
  std::string throughput_invalid_reason;

  // Phase 2: open loop. Latencies are nanoseconds from the intended send time.
  std::chrono::nanoseconds latency_window{0};  // measured length: the plan's, or lengthened (phase_length)
  double offered_rate = 0.0;
  double achieved_rate = 0.0;
  latency_summary latency;
  latency_histogram latency_distribution;  // the corrected one, whole, for merging per configuration
  std::int64_t uncorrected_p99 = 0;        // from the actual send: shows what coordinated omission hides
  latency_summary send_lag;                // actual send - due: the generator's own health
  std::uint64_t dropped_sends = 0;         // due while too many were in flight
  std::uint64_t lost = 0;                  // no reply within the drain timeout
  bool latency_valid = true;
  std::string latency_invalid_reason;

  // Both phases, warm-ups included, from the run's own processor and exporter.
  tracer::span_counts spans;
  std::uint64_t bytes_encoded = 0;                 // OTLP/JSON
  double spans_per_second = 0;                     // exported during phase 2, at the offered load
  std::optional<compression_figures> compression;  // the run's first export requests, zstd

  std::optional<machine_load> load;         // over the whole run; empty where it cannot be read
  std::optional<pipeline_record> pipeline;  // when the plan compares pipelines

  // Peak RSS over the run; heap in use at the end of phase 2 and operator new calls per request
  // sent over phase 2, warm-up included (memory_meter). Empty in files written before it.
  std::optional<memory_figures> memory;

  [[nodiscard]] bool valid() const noexcept { return throughput_valid && latency_valid; }
  [[nodiscard]] bool loaded() const noexcept { return load && load->other_cores > kLoadedMachineCores; }
};

// The work model of one `tracebench serve` process of a remote graph, as it reported it: each
// process calibrates its own kernel at start, on whatever core and machine it runs.
struct serve_process_work {
  std::string service;  // the service the process serves
  services::work_model model = services::work_model::compute;
  std::optional<services::work_rate> rate;  // compute only
};

struct experiment_result {
  std::string scenario_name;
  experiment_plan plan;
  unsigned graph_threads = 0;  // executor threads each run's graph had
  double offered_rate = 0.0;   // phase 2's, fixed by round 0's off run (or the plan's rate)
  // Every run's closed loop: round 0's off run chose it (or the plan fixed it); empty until then.
  std::optional<closed_loop_sizing> sizing;
  std::vector<run_record> runs;  // in the order they ran
  bool interrupted = false;      // stopped on request: `runs` holds the runs that finished
  bool debug_build = false;      // the harness ran unoptimised (NDEBUG unset): not a deployment's figures
  rounds_end rounds_ended = rounds_end::planned;  // why no further round started (next_round)

  // For the predicted overhead and the volume projection.
  hot_path_costs costs;  // calibrated on this machine before the first run
  // The compute work model's rate, calibrated once before the first run and used by every run's
  // graph; empty for the spin model and for remote graphs (each serve process calibrates its own).
  std::optional<services::work_rate> work;
  // Remote graphs: every serve process's work model and calibration, by service; empty otherwise.
  std::vector<serve_process_work> remote_work;
  double spans_per_request = 0;                      // scenario_summary's, at 1/1
  double hops_per_request = 0;                       // calls_per_request()
  std::optional<double> projected_spans_per_second;  // at the scenario's production rate

  // For the report's waterfall: filled after the experiment by capture_slowest_trace.
  std::optional<recorded_trace> slowest_trace;
  // For the report's memory chart: filled after the experiment by sweep_collector_memory.
  std::vector<memory_sweep_point> memory_sweep;
};

}  // namespace tracebench::harness
