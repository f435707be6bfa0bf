#include "tracebench/harness/overhead_table.hpp"

#include <algorithm>
#include <cstdio>
#include <vector>

#include "text_format.hpp"

namespace tracebench::harness {
namespace {

using table = std::vector<std::vector<std::string>>;  // the first row is the header

constexpr double kNominalLevel = 0.95;
constexpr double kNanosPerMicro = 1000;

std::string signed_percent(double value, int decimals = 2) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%+.*f%%", decimals, value);
  return buffer;
}

std::string change_cell(const configuration_summary& row, const metric_delta& delta) {
  if (row.baseline) return "baseline";
  if (!delta.stats) return "n/a";
  const summary& s = *delta.stats;
  char buffer[96];
  std::snprintf(buffer, sizeof buffer, "%+.2f%% [%+.2f, %+.2f]%s", s.median, s.low, s.high, s.within_noise ? " ~" : "");
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

table overhead_rows(const experiment_summary& summary) {
  table rows{{"config", "runs", "throughput/s", "throughput chg", "CPU/req", "CPU/req chg", "predicted",
              "mean latency chg", "p50 latency chg", "p99 latency chg", "p99", "Dapper latency", "Dapper throughput"}};
  for (const configuration_summary& row : summary.rows) {
    std::vector<std::string> cells{row.configuration,
                                   runs_cell(row),
                                   format_thousands(row.median_throughput),
                                   change_cell(row, row.throughput),
                                   format_duration_us(row.median_cpu_ns_per_request / kNanosPerMicro),
                                   change_cell(row, row.cpu_per_request),
                                   row.predicted_cpu_change_percent ? signed_percent(*row.predicted_cpu_change_percent)
                                                                    : "-",
                                   change_cell(row, row.mean_latency),
                                   change_cell(row, row.p50_latency),
                                   change_cell(row, row.p99_latency),
                                   format_duration_us(row.median_p99_ns / kNanosPerMicro)};
    const auto dapper = dapper_lookup(row.configuration);
    cells.push_back(dapper ? signed_percent(dapper->latency_change_percent) : "-");
    cells.push_back(dapper ? signed_percent(dapper->throughput_change_percent) : "-");
    rows.push_back(std::move(cells));
  }
  return rows;
}

table volume_rows(const experiment_summary& summary) {
  table rows{{"config", "sampled", "started", "exported", "dropped", "spans/s", "B/span", "zstd B/span", "spans/day",
              "OTLP/JSON/day", "zstd/day"}};
  for (const configuration_summary& row : summary.rows) {
    std::vector<std::string> cells{row.configuration,
                                   row.baseline ? "-" : format_percent(row.sampled_fraction),
                                   format_thousands(static_cast<double>(row.spans.started)),
                                   format_thousands(static_cast<double>(row.spans.exported)),
                                   format_thousands(static_cast<double>(row.spans.dropped)),
                                   format_thousands(row.spans_per_second),
                                   row.bytes_per_span > 0 ? format_thousands(row.bytes_per_span) : "-",
                                   optional_cell(row.zstd_bytes_per_span, format_thousands)};
    if (row.projection) {
      cells.push_back(format_si(row.projection->sampled.spans));
      cells.push_back(optional_cell(row.projection->sampled.otlp_json_bytes, format_bytes));
      cells.push_back(optional_cell(row.projection->sampled.zstd_bytes, format_bytes));
    } else {
      cells.insert(cells.end(), 3, "-");
    }
    rows.push_back(std::move(cells));
  }
  return rows;
}

// Pads every column to its widest cell; the last column is not padded.
std::string render_text(const table& rows) {
  std::vector<std::size_t> widths;
  for (const auto& row : rows) {
    widths.resize(std::max(widths.size(), row.size()));
    for (std::size_t c = 0; c < row.size(); ++c) widths[c] = std::max(widths[c], row[c].size());
  }
  std::string out;
  for (const auto& row : rows) {
    std::string line;
    for (std::size_t c = 0; c < row.size(); ++c) {
      line += row[c];
      if (c + 1 < row.size()) line.append(widths[c] - row[c].size() + 2, ' ');
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + '\n';
  }
  return out;
}

std::string render_markdown(const table& rows) {
  std::string out;
  for (std::size_t r = 0; r < rows.size(); ++r) {
    out += '|';
    for (const std::string& cell : rows[r]) out += ' ' + cell + " |";
    out += '\n';
    if (r == 0) {
      out += '|';
      for (std::size_t c = 0; c < rows[r].size(); ++c) out += c == 0 ? " --- |" : " ---: |";
      out += '\n';
    }
  }
  return out;
}

std::string render(const table& rows, table_style style) {
  return style == table_style::markdown ? render_markdown(rows) : render_text(rows);
}

std::vector<std::string> warnings(const experiment_summary& summary) {
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
  return lines;
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

std::string volume_note(const experiment_summary& summary) {
  std::string note = "Span volume: counts summed over every run, warm-ups included; spans/s at the offered load; "
                     "zstd level 3 on the runs' own export requests.";
  for (const configuration_summary& row : summary.rows) {
    if (!row.projection) continue;
    const volume_projection& p = *row.projection;
    note += " Per day at the scenario's production rate (" + format_si(p.spans_per_second) + " spans/s traced 1/1): " +
            format_si(p.raw.spans) + " spans, " + (p.raw.otlp_json_bytes ? format_bytes(*p.raw.otlp_json_bytes) : "-") +
            " OTLP/JSON, " + (p.raw.zstd_bytes ? format_bytes(*p.raw.zstd_bytes) : "-") + " zstd.";
    break;  // the same for every row
  }
  return note;
}

}  // namespace

std::string render_overhead_table(const experiment_summary& summary, table_style style) {
  const bool md = style == table_style::markdown;
  const std::string paragraph = md ? "\n" : "";
  std::string out = md ? "## Tracing overhead: " + summary.scenario_name + "\n\n" : "";
  const std::string threads = std::to_string(summary.graph_threads) +
                              (summary.graph_threads == 1 ? " executor thread, " : " executor threads, ");
  const std::string where = summary.transport == transport_kind::remote   ? "the running graph at " + summary.target
                            : summary.transport == transport_kind::loopback ? threads + "HTTP over loopback"
                                                                            : threads + "in-process";
  out += (md ? "" : "Tracing overhead vs off: " + summary.scenario_name + ", ") + std::to_string(summary.rounds) +
         " rounds, " + where + ", open loop at " + format_thousands(summary.offered_rate) + "/s\n" + paragraph;
  out += "Median of per-round changes against the same round's off run [95% interval]; ~ = interval contains 0.\n";
  for (const std::string& w : warnings(summary)) out += paragraph + (md ? "**Warning:** " : "WARNING: ") + w + '\n';
  out += '\n' + render(overhead_rows(summary), style);

  double lowest_level = kNominalLevel;
  bool any_invalid = false;
  for (const configuration_summary& row : summary.rows) {
    for (const metric_delta* d :
         {&row.throughput, &row.cpu_per_request, &row.mean_latency, &row.p50_latency, &row.p99_latency}) {
      if (d->stats) lowest_level = std::min(lowest_level, d->stats->achieved_level);
    }
    any_invalid = any_invalid || row.invalid_runs > 0;
  }
  out += '\n';
  if (lowest_level < kNominalLevel) {
    out += "Too few rounds for 95%: intervals are [min, max] of the deltas, covering " + format_percent(lowest_level) +
           " (exact order statistics).\n" + paragraph;
  }
  out += predicted_note(summary) + '\n' + paragraph;
  const generator_health& g = summary.generator;
  out += "Generator health: achieved at least " + format_percent(g.lowest_achieved_fraction) +
         " of the offered rate in every run; send-lag p99 " +
         format_duration_us(g.median_lag_p99_ns / kNanosPerMicro) + " median, " +
         format_duration_us(g.max_lag_p99_ns / kNanosPerMicro) + " worst; " + std::to_string(g.dropped_sends) +
         " dropped sends, " + std::to_string(g.lost) + " lost replies.\n" + paragraph;
  out += "A run is invalid when its open loop sent under 99% of its schedule, dropped or lost a "
         "request, or its send-lag p99 exceeded " +
         format_duration_us(static_cast<double>(summary.lag_bound.count()) / kNanosPerMicro) +
         (summary.lag_bound_adapts ? " or a tenth of its own p99 latency, whichever is larger" : "") + ".\n" +
         paragraph;
  out += "Dapper: Sigelman et al. 2010, Table 2 (error +-2.5% latency, +-0.15% throughput).\n";

  out += '\n' + std::string(md ? "### Span volume\n\n" : "Span volume\n") + render(volume_rows(summary), style);
  out += '\n' + volume_note(summary) + '\n';

  if (any_invalid) {
    out += '\n' + std::string(md ? "### Invalid runs\n\nLeft out of the changes above:\n\n"
                                 : "Invalid runs (left out of the changes above):\n");
    for (const configuration_summary& row : summary.rows) {
      for (const std::string& reason : row.invalid_reasons)
        out += (md ? "- " : "  ") + row.configuration + " " + reason + '\n';
    }
  }
  return out;
}

}  // namespace tracebench::harness
