#include "tracebench/harness/overhead_table.hpp"

#include <algorithm>
#include <cstdio>
#include <vector>

#include "text_format.hpp"

namespace tracebench::harness {
namespace {

constexpr double kNominalLevel = 0.95;

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

// Pads every column to its widest cell; the last column is not padded.
std::string align(const std::vector<std::vector<std::string>>& rows) {
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

}  // namespace

std::string render_overhead_table(const experiment_summary& summary) {
  std::string out = "Tracing overhead vs off: " + summary.scenario_name + ", " + std::to_string(summary.rounds) +
                    " rounds, open loop at " + format_thousands(summary.offered_rate) + "/s\n";
  out += "Median of per-round changes against the same round's off run [95% interval]; ~ = interval contains 0.\n\n";

  std::vector<std::vector<std::string>> rows{{"config", "runs", "throughput/s", "throughput chg", "mean latency chg",
                                              "p99 latency chg", "p99", "spans/run", "B/span", "Dapper latency",
                                              "Dapper throughput"}};
  double lowest_level = kNominalLevel;
  bool any_invalid = false;
  for (const configuration_summary& row : summary.rows) {
    std::vector<std::string> cells{row.configuration,
                                   runs_cell(row),
                                   format_thousands(row.median_throughput),
                                   change_cell(row, row.throughput),
                                   change_cell(row, row.mean_latency),
                                   change_cell(row, row.p99_latency),
                                   format_duration_us(row.median_p99_ns / 1000.0),
                                   format_thousands(row.spans_exported_per_run),
                                   row.bytes_per_span > 0 ? format_thousands(row.bytes_per_span) : "-"};
    if (const auto dapper = dapper_lookup(row.configuration)) {
      cells.push_back(signed_percent(dapper->latency_change_percent));
      cells.push_back(signed_percent(dapper->throughput_change_percent));
    } else {
      cells.emplace_back("-");
      cells.emplace_back("-");
    }
    for (const metric_delta* d : {&row.throughput, &row.mean_latency, &row.p99_latency}) {
      if (d->stats) lowest_level = std::min(lowest_level, d->stats->achieved_level);
    }
    any_invalid = any_invalid || row.invalid_runs > 0;
    rows.push_back(std::move(cells));
  }
  out += align(rows);

  if (lowest_level < kNominalLevel) {
    out += "\nToo few rounds for 95%: intervals are [min, max] of the deltas, covering " +
           format_percent(lowest_level) + " (exact order statistics).\n";
  }
  out += "Dapper: Sigelman et al. 2010, Table 2 (error +-2.5% latency, +-0.15% throughput).\n";
  if (any_invalid) {
    out += "\nInvalid runs (left out of the changes above):\n";
    for (const configuration_summary& row : summary.rows) {
      for (const std::string& reason : row.invalid_reasons) out += "  " + row.configuration + " " + reason + '\n';
    }
  }
  return out;
}

}  // namespace tracebench::harness
