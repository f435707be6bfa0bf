#pragma once
// An experiment's runs reduced to overhead per configuration: each round's figure against the
// same round's off run (so drift between rounds cancels), then the median of those deltas with
// its 95% interval. Dapper's published figures sit beside ours for the rates both have.

#include <array>
#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tracebench/results/adaptive_rounds.hpp"
#include "tracebench/results/comparison_metric.hpp"
#include "tracebench/results/hot_path_costs.hpp"
#include "tracebench/results/precision_target.hpp"
#include "tracebench/results/run_record.hpp"
#include "tracebench/results/span_volume.hpp"
#include "tracebench/results/statistics.hpp"

namespace tracebench::harness {

// Per-round changes in percent, and their statistics::summarize when there is at least one.
// stats->within_noise holds when the interval contains 0, or when the configuration cannot be
// told from the A/A row: the interval of its per-round change minus the same round's A/A change
// contains 0 (a paired comparison, so a round's drift cancels).
struct metric_delta {
  std::vector<double> per_round;  // valid pairs only: (config - off) / off x 100, or config - off where so noted
  std::vector<unsigned> rounds;   // the round of each per_round change
  std::optional<summary> stats;
  std::optional<summary> against_aa;  // the paired difference from the A/A row, when the plan has one
  // Beside stats, from kMeanIntervalRounds changes on: geometric_mean_change, for comparison. It
  // decides nothing (not within_noise, not a precision target).
  std::optional<mean_interval> geometric_mean;
};

// Enough rounds for the t-interval of the mean log ratio to lean on the central limit theorem
// rather than on the noise being normal.
inline constexpr std::size_t kMeanIntervalRounds = 20;

struct configuration_summary {
  std::string configuration;
  bool baseline = false;     // "off": its deltas are empty by definition
  bool noise_floor = false;  // the A/A row (services::kOffAgain): off against off
  std::size_t runs = 0;
  // Runs with a phase marked invalid, and why; their deltas are left out, never averaged in.
  std::size_t invalid_runs = 0;
  std::vector<std::string> invalid_reasons;  // "round 2: open loop: ..."
  double median_throughput = 0.0;            // raw, over valid phase-1 runs
  double median_cpu_ns_per_request = 0.0;    // likewise
  double median_p99_ns = 0.0;                // raw, over valid phase-2 runs
  latency_histogram latency;                 // valid phase-2 runs merged: the configuration's spectrum
  metric_delta throughput;
  metric_delta cpu_per_request;  // phase 1's process CPU per request
  metric_delta mean_latency;
  metric_delta p50_latency;
  metric_delta p99_latency;
  double spans_exported_per_run = 0.0;  // median
  double bytes_per_span = 0.0;          // over all runs; 0 when nothing was exported

  // Span volume, summed over its runs (warm-ups included): nothing dropped goes unreported.
  tracer::span_counts spans;
  double sampled_fraction = 0.0;                // the configuration's own: 0 for off and never
  double spans_per_second = 0.0;                // median of phase 2's, at the offered load
  std::optional<double> zstd_bytes_per_span;    // bytes_per_span x the runs' median zstd ratio
  std::optional<volume_projection> projection;  // at the scenario's production rate, if it has one

  // From the calibrated hot-path costs against off's measured CPU per request; empty for off,
  // which runs no tracer, and when off has no valid run.
  std::optional<overhead_prediction> predicted;
  std::optional<double> predicted_cpu_change_percent;  // predicted CPU / off's CPU per request
  std::size_t loaded_runs = 0;                         // runs during which other processes used the machine

  // Memory (run_record::memory, this process's): peak RSS over valid runs; heap in use at the
  // end of phase 2 and operator new calls per request over phase 2 (warm-up included) over
  // valid phase-2 runs. Raw medians are empty when no such run has the figure (older files).
  std::optional<double> median_peak_rss_bytes;
  std::optional<double> median_heap_in_use_bytes;
  std::optional<double> median_allocations_per_request;
  metric_delta peak_rss;
  metric_delta heap_in_use;
  // In percent of off's, so undefined for a round whose off run allocated nothing: that round
  // has no change here, and allocations_added_per_request still has it.
  metric_delta allocations_per_request;
  // config - off in allocations per request, not percent: what tracing adds to each request,
  // defined whatever off allocates.
  metric_delta allocations_added_per_request;
};

// How well the open loop kept its schedule, over every run that reached phase 2.
struct generator_health {
  double lowest_achieved_fraction = 0.0;  // achieved / offered, the worst run
  double median_lag_p99_ns = 0.0;
  double max_lag_p99_ns = 0.0;
  std::uint64_t dropped_sends = 0;
  std::uint64_t lost = 0;
};

// How an adaptive plan's rounds ended, and how far each precision target got.
struct adaptive_outcome {
  unsigned min_rounds = 0;  // the plan's rounds: the minimum with targets, else the most
  std::optional<std::chrono::nanoseconds> time_budget;
  rounds_end ended = rounds_end::planned;
  precision_status precision;  // check_precision over the rows; no targets for --max-time alone
};

struct experiment_summary {
  std::string scenario_name;
  unsigned rounds = 0;
  double offered_rate = 0.0;
  std::optional<closed_loop_sizing> sizing;  // experiment_result's
  unsigned graph_threads = 0;
  transport_kind transport = transport_kind::inproc;
  std::string target;       // remote: the entry's URL
  double work_scale = 1.0;  // the plan's: every cpu_us and wait_us multiplied by it
  bool interrupted = false;
  bool debug_build = false;  // experiment_result's
  std::size_t runs_done = 0;
  std::size_t runs_planned = 0;
  hot_path_costs costs;
  double spans_per_request = 0.0;
  double hops_per_request = 0.0;
  generator_health generator;
  std::chrono::nanoseconds lag_bound{0};  // the plan's
  bool lag_bound_adapts = true;
  // Any run's: other processes' CPU, in cores (machine_load), the highest seen.
  std::size_t loaded_runs = 0;
  double max_other_cores = 0.0;
  std::vector<configuration_summary> rows;  // in the plan's configuration order
  // When the plan decided its rounds while running (adaptive()): rounds above is how many ran.
  std::optional<adaptive_outcome> adaptive;
};

// Runs of a configuration missing the off run of their round contribute no delta.
[[nodiscard]] experiment_summary summarize_experiment(const experiment_result& result);

// The row's change in `metric`.
[[nodiscard]] const metric_delta& delta_of(const configuration_summary& row, comparison_metric metric) noexcept;

// Table 2 of the Dapper report (Sigelman et al. 2010): changes in percent on a production
// web-search cluster, experimental error +-2.5% latency, +-0.15% throughput.
struct dapper_figure {
  std::string_view configuration;
  double latency_change_percent;
  double throughput_change_percent;
};
inline constexpr std::array<dapper_figure, 6> kDapperTable{{
    {"1/1", 16.3, -1.48},
    {"1/2", 9.40, -0.73},
    {"1/4", 6.38, -0.30},
    {"1/8", 4.12, -0.23},
    {"1/16", 2.12, -0.08},
    {"1/1024", -0.20, -0.06},
}};

// By tracing_config name, so "0.5" finds 1/2; nothing for off, never and rates Dapper lacks.
[[nodiscard]] std::optional<dapper_figure> dapper_lookup(std::string_view configuration);

}  // namespace tracebench::harness
