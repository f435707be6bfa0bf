#include "tracebench/harness/experiment_summary.hpp"

#include <cmath>
#include <map>
#include <stdexcept>
#include <utility>

#include "tracebench/services/tracing_config.hpp"

namespace tracebench::harness {
namespace {

std::optional<double> percent_change(double value, double baseline) {
  if (!(baseline > 0) || !std::isfinite(value)) return std::nullopt;
  return (value - baseline) / baseline * 100.0;
}

void add_change(metric_delta& delta, double value, double baseline) {
  if (const auto change = percent_change(value, baseline)) delta.per_round.push_back(*change);
}

void finish(metric_delta& delta) {
  if (!delta.per_round.empty()) delta.stats = summarize(std::span<const double>(delta.per_round));
}

double median_or_zero(std::vector<double> values) {
  return values.empty() ? 0.0 : median(std::span<const double>(values));
}

}  // namespace

experiment_summary summarize_experiment(const experiment_result& result) {
  experiment_summary out;
  out.scenario_name = result.scenario_name;
  out.rounds = result.plan.rounds;
  out.offered_rate = result.offered_rate;

  std::map<unsigned, const run_record*> off_by_round;
  for (const run_record& run : result.runs) {
    if (run.configuration == "off") off_by_round.emplace(run.round, &run);
  }

  for (const std::string& name : result.plan.configurations) {
    configuration_summary row;
    row.configuration = name;
    row.baseline = name == "off";
    std::vector<double> throughputs;
    std::vector<double> p99s;
    std::vector<double> exported;
    std::uint64_t spans_total = 0;
    std::uint64_t bytes_total = 0;
    for (const run_record& run : result.runs) {
      if (run.configuration != name) continue;
      ++row.runs;
      exported.push_back(static_cast<double>(run.spans.exported));
      spans_total += run.spans.exported;
      bytes_total += run.bytes_encoded;
      const std::string round = "round " + std::to_string(run.round + 1) + ": ";
      if (!run.valid()) ++row.invalid_runs;
      if (!run.throughput_valid) row.invalid_reasons.push_back(round + "closed loop: " + run.throughput_invalid_reason);
      if (!run.latency_valid) row.invalid_reasons.push_back(round + "open loop: " + run.latency_invalid_reason);
      if (run.throughput_valid) throughputs.push_back(run.throughput);
      if (run.latency_valid) p99s.push_back(static_cast<double>(run.latency.p99));

      if (row.baseline) continue;
      const auto off = off_by_round.find(run.round);
      if (off == off_by_round.end()) continue;
      const run_record& base = *off->second;
      if (run.throughput_valid && base.throughput_valid) add_change(row.throughput, run.throughput, base.throughput);
      if (run.latency_valid && base.latency_valid) {
        add_change(row.mean_latency, run.latency.mean, base.latency.mean);
        add_change(row.p50_latency, static_cast<double>(run.latency.p50), static_cast<double>(base.latency.p50));
        add_change(row.p99_latency, static_cast<double>(run.latency.p99), static_cast<double>(base.latency.p99));
      }
    }
    row.median_throughput = median_or_zero(std::move(throughputs));
    row.median_p99_ns = median_or_zero(std::move(p99s));
    row.spans_exported_per_run = median_or_zero(std::move(exported));
    row.bytes_per_span = spans_total > 0 ? static_cast<double>(bytes_total) / static_cast<double>(spans_total) : 0.0;
    finish(row.throughput);
    finish(row.mean_latency);
    finish(row.p50_latency);
    finish(row.p99_latency);
    out.rows.push_back(std::move(row));
  }
  return out;
}

std::optional<dapper_figure> dapper_lookup(std::string_view configuration) {
  std::string name(configuration);
  try {
    name = services::tracing_config::parse(configuration).name();
  } catch (const std::invalid_argument&) {
    // Not a configuration at all: it can only match verbatim, which it will not.
  }
  for (const dapper_figure& figure : kDapperTable) {
    if (figure.configuration == name) return figure;
  }
  return std::nullopt;
}

}  // namespace tracebench::harness
