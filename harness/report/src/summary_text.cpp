#include "summary_text.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "tracebench/common/text_format.hpp"
#include "tracebench/services/tracing_config.hpp"

namespace tracebench::harness {
namespace {

constexpr double kNominalLevel = 0.95;
constexpr double kNanosPerMicro = 1000;

}  // namespace

std::string signed_percent(double value, int decimals) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%+.*f%%", decimals, value);
  return buffer;
}

std::string change_cell(const configuration_summary& row, const metric_delta& delta) {
  return row.baseline ? "baseline" : delta_cell(delta);
}

std::string delta_cell(const metric_delta& delta) {
  if (!delta.stats) return "n/a";
  const summary& s = *delta.stats;
  char buffer[96];
  std::snprintf(buffer, sizeof buffer, "%+.2f%% [%+.2f, %+.2f]%s", s.median, s.low, s.high, s.within_noise ? " ~" : "");
  return buffer;
}

std::string difference_cell(const configuration_summary& row, const metric_delta& delta) {
  if (row.baseline) return "baseline";
  if (!delta.stats) return "n/a";
  const summary& s = *delta.stats;
  char buffer[96];
  std::snprintf(buffer, sizeof buffer, "%+.2f [%+.2f, %+.2f]%s", s.median, s.low, s.high, s.within_noise ? " ~" : "");
  return buffer;
}

std::string runs_cell(const configuration_summary& row) {
  std::string cell = std::to_string(row.runs);
  if (row.invalid_runs > 0) cell += " (" + std::to_string(row.invalid_runs) + " INVALID)";
  return cell;
}

std::string optional_cell(const std::optional<double>& value, std::string (*format)(double)) {
  return value ? format(*value) : "-";
}

std::vector<std::string> projection_cells(const configuration_summary& row) {
  if (!row.projection) return {"-", "-", "-"};
  const daily_volume& d = row.projection->sampled;
  return {format_si(d.spans), optional_cell(d.otlp_json_bytes, format_bytes),
          optional_cell(d.zstd_bytes, format_bytes)};
}

std::string experiment_setup_line(const experiment_summary& summary) {
  const std::string threads = std::to_string(summary.graph_threads) +
                              (summary.graph_threads == 1 ? " executor thread, " : " executor threads, ");
  const std::string where = summary.transport == transport_kind::remote     ? "the running graph at " + summary.target
                            : summary.transport == transport_kind::loopback ? threads + "HTTP over loopback"
                                                                            : threads + "in-process";
  std::string line = std::to_string(summary.rounds) + " rounds, " + where + ", open loop at " +
                     format_thousands(summary.offered_rate) + "/s";
  // Only when scaled: every other run's line stays as it always was.
  if (summary.work_scale != 1.0) line += printf_string(", work x%g (every cpu_us and wait_us)", summary.work_scale);
  return line;
}

std::vector<std::string> summary_warnings(const experiment_summary& summary) {
  std::vector<std::string> lines;
  if (summary.debug_build) lines.emplace_back("Debug build: overhead figures do not represent an optimised build.");
  if (summary.interrupted) {
    lines.push_back("Interrupted: " + std::to_string(summary.runs_done) + " of " +
                    std::to_string(summary.runs_planned) + " runs finished; the figures cover those only.");
  }
  if (summary.loaded_runs > 0) {
    lines.push_back("Loaded machine: other processes used up to " + format_count(summary.max_other_cores) +
                    " cores during " + std::to_string(summary.loaded_runs) + " of " +
                    std::to_string(summary.runs_done) + " runs; their figures are noisier than the intervals say.");
  }
  if (summary.sizing && summary.sizing->wait_bound) {
    lines.push_back("Wait-bound: the closed loop's throughput still grew at " +
                    std::to_string(summary.sizing->concurrency) +
                    " requests in flight, so it is the waits' Little's law, not a capacity; throughput changes "
                    "mirror latency changes.");
  }
  for (const configuration_summary& row : summary.rows) {
    if (row.spans.dropped == 0) continue;
    lines.push_back("Dropped spans: " + row.configuration + " dropped " +
                    format_thousands(static_cast<double>(row.spans.dropped)) + " of " +
                    format_thousands(static_cast<double>(row.spans.sampled)) +
                    " sampled spans (the exporter's queue was full); its figures leave out what exporting them would "
                    "have cost.");
  }
  return lines;
}

std::string interval_level_note(const experiment_summary& summary) {
  double lowest_level = kNominalLevel;
  for (const configuration_summary& row : summary.rows) {
    for (const metric_delta* d :
         {&row.throughput, &row.cpu_per_request, &row.mean_latency, &row.p50_latency, &row.p99_latency, &row.peak_rss,
          &row.heap_in_use, &row.allocations_per_request, &row.allocations_added_per_request}) {
      if (d->stats) lowest_level = std::min(lowest_level, d->stats->achieved_level);
    }
  }
  if (lowest_level >= kNominalLevel) return {};
  return "Too few rounds for 95%: intervals are [min, max] of the deltas, covering " + format_percent(lowest_level) +
         " (exact order statistics).";
}

std::string predicted_note(const experiment_summary& summary) {
  const hot_path_costs& c = summary.costs;
  char buffer[512];
  const char* whose = summary.transport == transport_kind::remote
                          ? "this process's CPU and the graph's processes' (as they report it)"
                          : "this process's CPU (every thread)";
  std::snprintf(buffer, sizeof buffer,
                "CPU/req: %s per completed request in the closed loop. Predicted: "
                "the CPU/req change the hot-path costs calibrated on this machine imply (span %.0f ns unsampled, "
                "%.0f ns sampled + %.0f ns export; inject + extract %.0f ns per hop; %.1f spans and %.1f hops per "
                "request).",
                whose, c.unsampled_span_ns, c.sampled_span_ns, c.export_ns_per_span, c.inject_ns + c.extract_ns,
                summary.spans_per_request, summary.hops_per_request);
  return buffer;
}

std::string generator_health_line(const experiment_summary& summary) {
  const generator_health& g = summary.generator;
  return "Generator health: achieved at least " + format_percent(g.lowest_achieved_fraction) +
         " of the offered rate in every run; send-lag p99 " + format_duration_us(g.median_lag_p99_ns / kNanosPerMicro) +
         " median, " + format_duration_us(g.max_lag_p99_ns / kNanosPerMicro) + " worst; " +
         std::to_string(g.dropped_sends) + " dropped sends, " + std::to_string(g.lost) + " lost replies.";
}

std::string validity_rule_line(const experiment_summary& summary) {
  return "A run is invalid when its open loop sent under 99% of its schedule, dropped or lost a "
         "request, or its send-lag p99 exceeded " +
         format_duration_us(static_cast<double>(summary.lag_bound.count()) / kNanosPerMicro) +
         (summary.lag_bound_adapts ? " or a tenth of its own p99 latency, whichever is larger" : "") + ".";
}

std::string projection_line(const experiment_summary& summary) {
  for (const configuration_summary& row : summary.rows) {
    if (!row.projection) continue;
    const volume_projection& p = *row.projection;
    return "Per day at the scenario's production rate (" + format_si(p.spans_per_second) +
           " spans/s traced 1/1): " + format_si(p.raw.spans) + " spans, " +
           (p.raw.otlp_json_bytes ? format_bytes(*p.raw.otlp_json_bytes) : "-") + " OTLP/JSON, " +
           (p.raw.zstd_bytes ? format_bytes(*p.raw.zstd_bytes) : "-") + " zstd.";
  }
  return {};
}

bool has_memory(const experiment_summary& summary) {
  return std::any_of(summary.rows.begin(), summary.rows.end(), [](const configuration_summary& row) {
    return row.median_peak_rss_bytes || row.median_heap_in_use_bytes || row.median_allocations_per_request;
  });
}

std::string memory_note(const experiment_summary& summary) {
  if (!has_memory(summary)) return {};
  const char* whose = summary.transport == transport_kind::remote
                          ? "the load generator's process alone (the graph runs elsewhere)"
                          : "the run's process";
  return std::string("Memory: ") + whose +
         ". Peak RSS over the run; heap in use: glibc's heap held for live objects (mallinfo2 uordblks + hblkhd) "
         "at the end of the open loop; allocs/req: C++ operator new calls over the open loop, every thread, per "
         "request sent, warm-up included in both. Changes against the same round's off run as above; allocs/req "
         "added is the difference in allocations per request, defined even where off allocates none.";
}

std::string noise_floor_note(const experiment_summary& summary) {
  const bool has_floor = std::any_of(summary.rows.begin(), summary.rows.end(),
                                     [](const configuration_summary& row) { return row.noise_floor; });
  if (!has_floor) return {};
  return std::string(services::kOffAgain) +
         " is off run again in every round: its changes against off are this experiment's noise floor. ~ also marks "
         "a change that cannot be told from it: the 95% interval of its per-round difference from the same round's " +
         std::string(services::kOffAgain) + " change contains 0.";
}

std::string budget_text(std::chrono::nanoseconds budget) {
  const double seconds = std::chrono::duration<double>(budget).count();
  char buffer[48];
  if (seconds != std::floor(seconds)) {
    std::snprintf(buffer, sizeof buffer, "%gs", seconds);
    return buffer;
  }
  const auto whole = static_cast<long long>(seconds);
  std::string out;
  if (whole >= 3600) out += std::to_string(whole / 3600) + "h";
  if (whole % 3600 >= 60) out += std::to_string(whole % 3600 / 60) + "m";
  if (whole % 60 != 0 || out.empty()) out += std::to_string(whole % 60) + "s";
  return out;
}

namespace {

std::string rounds_line(const experiment_summary& summary, const adaptive_outcome& a) {
  const std::string budget = a.time_budget ? budget_text(*a.time_budget) : std::string();
  const bool targets = !a.precision.targets.empty();
  std::string line = "Adaptive rounds: " + std::to_string(summary.rounds);
  if (targets) {
    line += " ran (at least " + std::to_string(a.min_rounds) + (budget.empty() ? "" : ", up to " + budget) + ")";
  } else {
    line += " of " + std::to_string(a.min_rounds) + " planned ran" + (budget.empty() ? "" : " (up to " + budget + ")");
  }
  if (summary.interrupted) return line + "; interrupted.";
  switch (a.ended) {
    case rounds_end::precision_reached:
      return line + "; every precision target was reached.";
    case rounds_end::time_budget:
      return line + "; another round would not have fit in " + budget + " (judged by the longest so far).";
    case rounds_end::round_limit:
      return line + "; the limit of " + std::to_string(kMaxRounds) + " rounds was reached.";
    case rounds_end::planned:
      break;
  }
  return line + ".";
}

std::string target_line(const experiment_summary& summary, const adaptive_outcome& a, const target_progress& t) {
  const std::string rounds = std::to_string(summary.rounds) + (summary.rounds == 1 ? " round" : " rounds");
  std::string line = describe(t.target) + ": ";
  if (t.reached) {
    line += "reached after " + rounds;
    if (t.worst_half_width && !t.worst_configuration.empty()) {
      line += " (worst " + half_width_text(*t.worst_half_width) + ", " + t.worst_configuration;
      if (t.worst_mean_half_width) line += "; geometric mean " + half_width_text(*t.worst_mean_half_width);
      line += ")";
    }
    return line;
  }
  line += "not reached";
  if (summary.interrupted) {
    line += " (interrupted)";
  } else if (a.ended == rounds_end::time_budget && a.time_budget) {
    line += " in " + budget_text(*a.time_budget);
  } else if (a.ended == rounds_end::round_limit) {
    line += " in " + std::to_string(kMaxRounds) + " rounds";
  }
  line += ": ";
  if (t.worst_half_width) {
    line += half_width_text(*t.worst_half_width) + " worst (" + t.worst_configuration + ")";
    if (t.worst_mean_half_width) line += ", geometric mean " + half_width_text(*t.worst_mean_half_width);
  } else {
    line += t.worst_configuration + " has no interval (no valid pair of runs)";
  }
  return line + ", " + std::to_string(t.within) + " of " + std::to_string(t.configurations) +
         " configurations within, after " + rounds;
}

}  // namespace

std::vector<std::string> precision_lines(const experiment_summary& summary) {
  if (!summary.adaptive) return {};
  const adaptive_outcome& a = *summary.adaptive;
  std::vector<std::string> lines{rounds_line(summary, a)};
  for (const target_progress& t : a.precision.targets) lines.push_back(target_line(summary, a, t));
  return lines;
}

}  // namespace tracebench::harness
