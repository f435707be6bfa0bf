#include "tracebench/results/pipeline_summary.hpp"

#include <algorithm>
#include <cmath>
#include <map>

#include "tracebench/results/span_volume.hpp"
#include "tracebench/results/statistics.hpp"

#include "tracebench/services/tracing_config.hpp"

namespace tracebench::harness {
namespace {

std::optional<double> share(std::uint64_t part, std::uint64_t whole) {
  if (whole == 0) return std::nullopt;
  return static_cast<double>(part) / static_cast<double>(whole);
}

double relative_error_percent(double estimate, double truth) {
  return truth > 0 ? (estimate - truth) / truth * 100.0 : 0.0;
}

bool covers(const interval_estimate& e, double truth) { return e.low <= truth && truth <= e.high; }

double request_path_cpu(const run_record& run) { return run.cpu_ns_per_request - run.off_path_cpu_ns_per_request; }

}  // namespace

double pipeline_row::kept_fraction() const noexcept { return share(kept, requests).value_or(0.0); }
std::optional<double> pipeline_row::errors_captured() const noexcept { return share(kept_errors, errors); }
std::optional<double> pipeline_row::slow_captured() const noexcept { return share(kept_slow, slow); }

double pipeline_row::bytes_per_day(double requests_per_second) const noexcept {
  const std::optional<double> per_request = share(bytes_stored, requests);
  return per_request ? *per_request * requests_per_second * kSecondsPerDay : 0.0;
}

std::optional<pipeline_summary> summarize_pipelines(const experiment_result& result) {
  if (!result.plan.pipeline) return std::nullopt;
  pipeline_summary out;
  if (result.projected_spans_per_second && result.spans_per_request > 0) {
    out.requests_per_second = *result.projected_spans_per_second / result.spans_per_request;
    out.production_rate = true;
  } else {
    out.requests_per_second = result.offered_rate;
  }
  std::map<unsigned, const run_record*> off_by_round;
  for (const run_record& run : result.runs) {
    if (run.configuration == "off" && run.throughput_valid) off_by_round.emplace(run.round, &run);
  }
  for (const std::string& name : result.plan.configurations) {
    if (name == "off" || name == services::kOffAgain) continue;  // no pipeline: the baseline and its A/A repeat
    pipeline_row row;
    row.configuration = name;
    std::vector<double> peaks;
    std::vector<double> peak_traces;
    std::vector<double> off_path;
    std::vector<double> requests_errors;
    std::vector<double> rate_errors;
    std::vector<double> naive_errors;
    for (const run_record& run : result.runs) {
      if (run.configuration != name || !run.pipeline) continue;
      const pipeline_record& p = *run.pipeline;
      ++row.runs;
      row.requests += p.requests;
      row.errors += p.errors;
      row.slow += p.slow;
      row.kept += p.kept;
      row.kept_errors += p.kept_errors;
      row.kept_slow += p.kept_slow;
      row.spans_stored += p.spans_stored;
      // The latency phase's share of the run's encoded bytes, at the run's bytes per span.
      if (p.spans_stored_in_run > 0) {
        row.bytes_stored += static_cast<std::uint64_t>(
            std::llround(static_cast<double>(run.bytes_encoded) * static_cast<double>(p.spans_stored) /
                         static_cast<double>(p.spans_stored_in_run)));
      }
      if (p.collector) {
        peaks.push_back(static_cast<double>(p.collector->peak_bytes_held));
        peak_traces.push_back(static_cast<double>(p.collector->peak_traces_held));
        row.traces_evicted += p.collector->traces_evicted;
        row.late_spans += p.collector->late_spans;
        row.late_spans_kept += p.collector->late_spans_kept;
        row.collectors = std::max(row.collectors, p.collectors);
        row.split_traces += p.split_traces;
      }
      if (run.throughput_valid) {
        off_path.push_back(run.off_path_cpu_ns_per_request);
        const auto off = off_by_round.find(run.round);
        if (off != off_by_round.end() && request_path_cpu(*off->second) > 0) {
          row.request_path_cpu.per_round.push_back(
              relative_error_percent(request_path_cpu(run), request_path_cpu(*off->second)));
        }
      }
      row.exemplars = p.exemplars;
      if (p.kept > 0 && p.requests > 0) {
        ++row.estimated_runs;
        const auto truth_requests = static_cast<double>(p.requests);
        const double truth_rate = static_cast<double>(p.errors) / truth_requests;
        if (covers(p.estimate.requests, truth_requests)) ++row.requests_covered;
        if (covers(p.estimate.error_rate, truth_rate)) ++row.error_rate_covered;
        requests_errors.push_back(relative_error_percent(p.estimate.requests.value, truth_requests));
        rate_errors.push_back(relative_error_percent(p.estimate.error_rate.value, truth_rate));
        naive_errors.push_back(relative_error_percent(p.estimate.naive_error_rate, truth_rate));
      }
    }
    if (!peaks.empty()) {
      row.collector_peak_bytes = median_or_zero(peaks);
      row.collector_peak_traces = median_or_zero(peak_traces);
    }
    row.off_path_cpu_ns_per_request = median_or_zero(off_path);
    if (!row.request_path_cpu.per_round.empty()) {
      row.request_path_cpu.stats = summarize(std::span<const double>(row.request_path_cpu.per_round));
    }
    row.requests_error_percent = median_or_zero(requests_errors);
    row.error_rate_error_percent = median_or_zero(rate_errors);
    row.naive_error_rate_error_percent = median_or_zero(naive_errors);
    out.rows.push_back(std::move(row));
  }
  out.memory_sweep = result.memory_sweep;
  return out;
}

}  // namespace tracebench::harness
