#pragma once
// The pipeline comparison of an experiment whose plan compared pipelines: per configuration, what
// storage kept against ground truth (errors and slow requests captured), what it costs to store
// per day, the collector's memory, the CPU tracing added on the request path, and how well the
// stored traces' adjusted counts recover the request count and error rate.

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tracebench/results/experiment_summary.hpp"
#include "tracebench/results/memory_sweep_point.hpp"
#include "tracebench/results/run_record.hpp"

namespace tracebench::harness {

struct pipeline_row {
  std::string configuration;
  std::size_t runs = 0;
  // Summed over the runs' latency phases (see pipeline_record).
  std::uint64_t requests = 0;
  std::uint64_t errors = 0;
  std::uint64_t slow = 0;
  std::uint64_t kept = 0;
  std::uint64_t kept_errors = 0;
  std::uint64_t kept_slow = 0;
  std::uint64_t spans_stored = 0;
  std::uint64_t bytes_stored = 0;  // OTLP/JSON, at each run's bytes per stored span
  [[nodiscard]] double kept_fraction() const noexcept;
  [[nodiscard]] std::optional<double> errors_captured() const noexcept;  // empty without errors
  [[nodiscard]] std::optional<double> slow_captured() const noexcept;
  // Stored bytes per request times `requests_per_second` for a day.
  [[nodiscard]] double bytes_per_day(double requests_per_second) const noexcept;

  // The collector (tail configurations): the median over runs of the latency phase's peak, and
  // what it dropped before deciding.
  std::optional<double> collector_peak_bytes;
  std::optional<double> collector_peak_traces;
  std::uint64_t traces_evicted = 0;
  std::uint64_t late_spans = 0;
  std::uint64_t late_spans_kept = 0;
  unsigned collectors = 0;         // the most any run ended with
  std::uint64_t split_traces = 0;  // summed

  // Closed loop, per round against off: CPU on the request path (process CPU less the exporter
  // thread's), and the exporter thread's own CPU per request (medians, ns).
  metric_delta request_path_cpu;
  double off_path_cpu_ns_per_request = 0;

  // Reweighting, per run: how often the 95% interval held the true count and error rate, and the
  // median relative error of the estimates (percent); the naive error rate's, for contrast.
  std::size_t estimated_runs = 0;
  std::size_t requests_covered = 0;
  std::size_t error_rate_covered = 0;
  double requests_error_percent = 0;
  double error_rate_error_percent = 0;
  double naive_error_rate_error_percent = 0;

  // The last run's: per latency bucket, the slowest request whose trace storage kept.
  std::vector<latency_exemplar> exemplars;
};

struct pipeline_summary {
  double requests_per_second = 0;  // what bytes_per_day projects to: production's, else offered
  bool production_rate = false;    // true when that rate is the scenario's production one
  std::vector<pipeline_row> rows;  // in plan order, off excluded
  std::vector<memory_sweep_point> memory_sweep;
};

// Empty when the plan compared no pipelines.
[[nodiscard]] std::optional<pipeline_summary> summarize_pipelines(const experiment_result& result);

// The results file's "pipelines" object, and back; read_pipelines is empty when the file has none
// and throws results_file_error (one line, with the JSON path) for a malformed one.
[[nodiscard]] nlohmann::ordered_json pipelines_document(const pipeline_summary& summary);
[[nodiscard]] std::optional<pipeline_summary> read_pipelines(const nlohmann::ordered_json& document,
                                                             std::string_view origin);

}  // namespace tracebench::harness
