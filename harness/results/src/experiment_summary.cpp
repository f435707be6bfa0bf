#include "tracebench/results/experiment_summary.hpp"

#include <algorithm>
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

void add_change(metric_delta& delta, unsigned round, double value, double baseline) {
  if (const auto change = percent_change(value, baseline)) {
    delta.per_round.push_back(*change);
    delta.rounds.push_back(round);
  }
}

void add_difference(metric_delta& delta, unsigned round, double value, double baseline) {
  if (!std::isfinite(value) || !std::isfinite(baseline)) return;
  delta.per_round.push_back(value - baseline);
  delta.rounds.push_back(round);
}

void finish(metric_delta& delta) {
  if (!delta.per_round.empty()) delta.stats = summarize(std::span<const double>(delta.per_round));
  if (delta.per_round.size() >= kMeanIntervalRounds) {
    delta.geometric_mean = geometric_mean_change(std::span<const double>(delta.per_round));
  }
}

// The rounds an adaptive plan ran: every round some run finished in (they run in order).
unsigned rounds_run(const experiment_result& result) {
  unsigned rounds = 0;
  for (const run_record& run : result.runs) rounds = std::max(rounds, run.round + 1);
  return rounds;
}

// The paired comparison with the A/A row's changes of the same rounds; see metric_delta.
void compare_with_noise_floor(metric_delta& delta, const metric_delta& aa) {
  std::map<unsigned, double> floor;
  for (std::size_t i = 0; i < aa.per_round.size(); ++i) floor.emplace(aa.rounds[i], aa.per_round[i]);
  std::vector<double> differences;
  for (std::size_t i = 0; i < delta.per_round.size(); ++i) {
    if (const auto it = floor.find(delta.rounds[i]); it != floor.end())
      differences.push_back(delta.per_round[i] - it->second);
  }
  if (differences.empty() || !delta.stats) return;
  delta.against_aa = summarize(std::span<const double>(differences));
  delta.stats->within_noise = delta.stats->within_noise || delta.against_aa->within_noise;
}

constexpr metric_delta configuration_summary::*kMetrics[] = {
    &configuration_summary::throughput, &configuration_summary::cpu_per_request, &configuration_summary::mean_latency,
    &configuration_summary::p50_latency, &configuration_summary::p99_latency,
    // Memory
    &configuration_summary::peak_rss, &configuration_summary::heap_in_use,
    &configuration_summary::allocations_per_request, &configuration_summary::allocations_added_per_request};

// A run's memory figures the summary may use: peak RSS needs the whole run valid, the phase-2
// figures its open loop valid (a backlog's memory is not the configuration's).
const memory_figures* run_memory(const run_record& run) { return run.memory ? &*run.memory : nullptr; }

std::optional<double> peak_rss_of(const run_record& run) {
  const memory_figures* m = run_memory(run);
  if (m == nullptr || !run.valid()) return std::nullopt;
  return static_cast<double>(m->peak_rss_bytes);
}

std::optional<double> heap_in_use_of(const run_record& run) {
  const memory_figures* m = run_memory(run);
  if (m == nullptr || !run.latency_valid || m->requests == 0) return std::nullopt;
  return static_cast<double>(m->heap_in_use_bytes);
}

std::optional<double> allocations_per_request_of(const run_record& run) {
  const memory_figures* m = run_memory(run);
  if (m == nullptr || !run.latency_valid) return std::nullopt;
  return m->allocations_per_request();
}

std::optional<double> median_if_any(const std::vector<double>& values) {
  if (values.empty()) return std::nullopt;
  return median(std::span<const double>(values));
}

// The memory medians and changes of `row`, from its runs (`runs`) and each round's off run.
void add_memory(configuration_summary& row, const std::vector<const run_record*>& runs,
                const std::map<unsigned, const run_record*>& off_by_round) {
  std::vector<double> peaks;
  std::vector<double> heaps;
  std::vector<double> allocations;
  for (const run_record* run : runs) {
    const auto peak = peak_rss_of(*run);
    const auto heap = heap_in_use_of(*run);
    const auto per_request = allocations_per_request_of(*run);
    if (peak) peaks.push_back(*peak);
    if (heap) heaps.push_back(*heap);
    if (per_request) allocations.push_back(*per_request);
    if (row.baseline) continue;
    const auto off = off_by_round.find(run->round);
    if (off == off_by_round.end()) continue;
    const run_record& base = *off->second;
    if (const auto base_peak = peak_rss_of(base); peak && base_peak)
      add_change(row.peak_rss, run->round, *peak, *base_peak);
    if (const auto base_heap = heap_in_use_of(base); heap && base_heap)
      add_change(row.heap_in_use, run->round, *heap, *base_heap);
    if (const auto base_allocations = allocations_per_request_of(base); per_request && base_allocations) {
      add_change(row.allocations_per_request, run->round, *per_request, *base_allocations);
      add_difference(row.allocations_added_per_request, run->round, *per_request, *base_allocations);
    }
  }
  row.median_peak_rss_bytes = median_if_any(peaks);
  row.median_heap_in_use_bytes = median_if_any(heaps);
  row.median_allocations_per_request = median_if_any(allocations);
}

// The spans whose bytes the run's storage encoded: all it exported, or what a tail collector kept.
std::uint64_t stored_spans(const run_record& run) {
  return run.pipeline ? run.pipeline->spans_stored_in_run : run.spans.exported;
}

// Bytes per span do not depend on the sampling rate, so the projection of every configuration,
// never and off included, uses the sizes of all the spans the experiment exported.
struct span_sizes {
  std::optional<double> json;
  std::optional<double> zstd;
};

span_sizes experiment_span_sizes(const experiment_result& result) {
  std::uint64_t spans = 0;
  std::uint64_t bytes = 0;
  std::vector<double> ratios;
  for (const run_record& run : result.runs) {
    spans += stored_spans(run);
    bytes += run.bytes_encoded;
    if (run.compression && run.compression->raw_bytes > 0) ratios.push_back(run.compression->ratio);
  }
  span_sizes sizes;
  if (spans == 0) return sizes;
  sizes.json = static_cast<double>(bytes) / static_cast<double>(spans);
  if (!ratios.empty()) sizes.zstd = *sizes.json * median(std::span<const double>(ratios));
  return sizes;
}

// Over the runs whose open loop ran and got replies.
generator_health generator_health_of(const std::vector<run_record>& runs) {
  generator_health health;
  health.lowest_achieved_fraction = runs.empty() ? 0.0 : 1.0;
  std::vector<double> lag_p99s;
  for (const run_record& run : runs) {
    if (!(run.offered_rate > 0) || run.latency.count == 0) continue;
    const auto lag_p99 = static_cast<double>(run.send_lag.p99);
    lag_p99s.push_back(lag_p99);
    health.max_lag_p99_ns = std::max(health.max_lag_p99_ns, lag_p99);
    health.lowest_achieved_fraction = std::min(health.lowest_achieved_fraction, run.achieved_rate / run.offered_rate);
    health.dropped_sends += run.dropped_sends;
    health.lost += run.lost;
  }
  health.median_lag_p99_ns = median_or_zero(lag_p99s);
  return health;
}

}  // namespace

experiment_summary summarize_experiment(const experiment_result& result) {
  experiment_summary out;
  out.scenario_name = result.scenario_name;
  out.rounds = adaptive(result.plan) ? std::max(rounds_run(result), result.interrupted ? result.plan.rounds : 0U)
                                     : result.plan.rounds;
  out.offered_rate = result.offered_rate;
  out.sizing = result.sizing;
  out.graph_threads = result.graph_threads;
  out.transport = result.plan.transport;
  out.target = result.plan.target;
  out.work_scale = result.plan.work_scale;
  out.interrupted = result.interrupted;
  out.debug_build = result.debug_build;
  out.runs_done = result.runs.size();
  out.runs_planned = result.plan.configurations.size() * out.rounds;
  out.costs = result.costs;
  out.spans_per_request = result.spans_per_request;
  out.hops_per_request = result.hops_per_request;
  out.lag_bound = result.plan.lag_bound;
  out.lag_bound_adapts = result.plan.lag_bound_adapts;
  const span_sizes sizes = experiment_span_sizes(result);

  std::map<unsigned, const run_record*> off_by_round;
  std::vector<double> off_cpu;
  for (const run_record& run : result.runs) {
    if (run.configuration == "off") off_by_round.emplace(run.round, &run);
    if (run.configuration == "off" && run.throughput_valid) off_cpu.push_back(run.cpu_ns_per_request);
    if (run.loaded()) ++out.loaded_runs;
    if (run.load) out.max_other_cores = std::max(out.max_other_cores, run.load->other_cores);
  }
  out.generator = generator_health_of(result.runs);

  // What tracing's predicted CPU adds to: a request's CPU without it, as measured.
  const double baseline_cpu_ns = median_or_zero(off_cpu);

  for (const std::string& name : result.plan.configurations) {
    configuration_summary row;
    row.configuration = name;
    row.baseline = name == "off";
    row.noise_floor = name == services::kOffAgain;
    std::vector<double> throughputs;
    std::vector<double> cpu_per_request;
    std::vector<double> p99s;
    std::vector<double> exported;
    std::vector<double> spans_per_second;
    std::vector<double> ratios;
    std::uint64_t bytes_total = 0;
    std::uint64_t stored_total = 0;
    std::vector<const run_record*> runs;
    for (const run_record& run : result.runs) {
      if (run.configuration != name) continue;
      runs.push_back(&run);
      ++row.runs;
      if (run.loaded()) ++row.loaded_runs;
      row.spans.started += run.spans.started;
      row.spans.sampled += run.spans.sampled;
      row.spans.ended += run.spans.ended;
      row.spans.exported += run.spans.exported;
      row.spans.dropped += run.spans.dropped;
      // Valid or not, the run exported these spans at about the offered rate.
      if (run.achieved_rate > 0) spans_per_second.push_back(run.spans_per_second);
      if (run.compression && run.compression->raw_bytes > 0) ratios.push_back(run.compression->ratio);
      exported.push_back(static_cast<double>(run.spans.exported));
      bytes_total += run.bytes_encoded;
      stored_total += stored_spans(run);
      const std::string round = "round " + std::to_string(run.round + 1) + ": ";
      if (!run.valid()) ++row.invalid_runs;
      if (!run.throughput_valid && !run.latency_valid && run.throughput_invalid_reason == run.latency_invalid_reason) {
        row.invalid_reasons.push_back(round + run.throughput_invalid_reason);  // the whole run, e.g. its process died
      } else {
        if (!run.throughput_valid)
          row.invalid_reasons.push_back(round + "closed loop: " + run.throughput_invalid_reason);
        if (!run.latency_valid) row.invalid_reasons.push_back(round + "open loop: " + run.latency_invalid_reason);
      }
      if (run.throughput_valid) {
        throughputs.push_back(run.throughput);
        cpu_per_request.push_back(run.cpu_ns_per_request);
      }
      if (run.latency_valid) {
        p99s.push_back(static_cast<double>(run.latency.p99));
        row.latency.merge(run.latency_distribution);
      }

      if (row.baseline) continue;
      const auto off = off_by_round.find(run.round);
      if (off == off_by_round.end()) continue;
      const run_record& base = *off->second;
      if (run.throughput_valid && base.throughput_valid) {
        add_change(row.throughput, run.round, run.throughput, base.throughput);
        add_change(row.cpu_per_request, run.round, run.cpu_ns_per_request, base.cpu_ns_per_request);
      }
      if (run.latency_valid && base.latency_valid) {
        add_change(row.mean_latency, run.round, run.latency.mean, base.latency.mean);
        add_change(row.p50_latency, run.round, static_cast<double>(run.latency.p50),
                   static_cast<double>(base.latency.p50));
        add_change(row.p99_latency, run.round, static_cast<double>(run.latency.p99),
                   static_cast<double>(base.latency.p99));
      }
    }
    row.median_throughput = median_or_zero(throughputs);
    row.median_cpu_ns_per_request = median_or_zero(cpu_per_request);
    row.median_p99_ns = median_or_zero(p99s);
    row.spans_exported_per_run = median_or_zero(exported);
    row.bytes_per_span = stored_total > 0 ? static_cast<double>(bytes_total) / static_cast<double>(stored_total) : 0.0;
    row.spans_per_second = median_or_zero(spans_per_second);
    if (row.bytes_per_span > 0 && !ratios.empty())
      row.zstd_bytes_per_span = row.bytes_per_span * median(std::span<const double>(ratios));
    const services::tracing_config config = services::tracing_config::parse(name);
    row.sampled_fraction = config.tracing == services::tracing_config::mode::probability ? config.probability : 0.0;
    if (result.projected_spans_per_second)
      row.projection = project_volume(*result.projected_spans_per_second, row.sampled_fraction, sizes.json, sizes.zstd);
    if (!row.baseline && baseline_cpu_ns > 0) {
      row.predicted =
          predict_overhead(result.costs, config, result.spans_per_request, result.hops_per_request, baseline_cpu_ns);
      row.predicted_cpu_change_percent = row.predicted->cpu_ns_per_request / baseline_cpu_ns * 100.0;
    }
    add_memory(row, runs, off_by_round);
    for (const auto metric : kMetrics) finish(row.*metric);
    out.rows.push_back(std::move(row));
  }
  const auto aa =
      std::find_if(out.rows.begin(), out.rows.end(), [](const configuration_summary& r) { return r.noise_floor; });
  if (aa != out.rows.end()) {
    for (configuration_summary& row : out.rows) {
      if (row.baseline || row.noise_floor) continue;
      for (const auto metric : kMetrics) compare_with_noise_floor(row.*metric, (*aa).*metric);
    }
  }
  if (adaptive(result.plan)) {
    out.adaptive = adaptive_outcome{result.plan.rounds, time_budget(result.plan), result.rounds_ended,
                                    check_precision(out, result.plan.precision)};
  }
  return out;
}

const metric_delta& delta_of(const configuration_summary& row, comparison_metric metric) noexcept {
  switch (metric) {
    case comparison_metric::throughput:
      return row.throughput;
    case comparison_metric::cpu:
      return row.cpu_per_request;
    case comparison_metric::latency_mean:
      return row.mean_latency;
    case comparison_metric::latency_p50:
      return row.p50_latency;
    case comparison_metric::latency_p99:
      return row.p99_latency;
  }
  return row.throughput;
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
