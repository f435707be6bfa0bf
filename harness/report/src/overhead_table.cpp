#include "tracebench/report/overhead_table.hpp"

#include <algorithm>
#include <cstdio>
#include <vector>

#include "summary_text.hpp"
#include "tracebench/common/text_format.hpp"

namespace tracebench::harness {
namespace {

using table = std::vector<std::vector<std::string>>;  // the first row is the header

constexpr double kNanosPerMicro = 1000;

// The overhead rows, or (noise_floor) the A/A row alone, shown apart.
table overhead_rows(const experiment_summary& summary, bool noise_floor) {
  table rows{{"config", "runs", "throughput/s", "throughput chg", "CPU/req", "CPU/req chg", "predicted",
              "mean latency chg", "p50 latency chg", "p99 latency chg", "p99", "Dapper latency", "Dapper throughput"}};
  for (const configuration_summary& row : summary.rows) {
    if (row.noise_floor != noise_floor) continue;
    std::vector<std::string> cells{
        row.configuration,
        runs_cell(row),
        format_thousands(row.median_throughput),
        change_cell(row, row.throughput),
        format_duration_us(row.median_cpu_ns_per_request / kNanosPerMicro),
        change_cell(row, row.cpu_per_request),
        row.predicted_cpu_change_percent ? signed_percent(*row.predicted_cpu_change_percent) : "-",
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
    for (std::string& cell : projection_cells(row)) cells.push_back(std::move(cell));
    rows.push_back(std::move(cells));
  }
  return rows;
}

// Kept within 120 columns: the percent change of allocations is in the file, CSV and reports.
table memory_rows(const experiment_summary& summary) {
  table rows{{"config", "peak RSS", "peak RSS chg", "heap in use", "heap chg", "allocs/req", "allocs/req added"}};
  for (const configuration_summary& row : summary.rows) {
    rows.push_back({row.configuration, optional_cell(row.median_peak_rss_bytes, format_bytes),
                    change_cell(row, row.peak_rss), optional_cell(row.median_heap_in_use_bytes, format_bytes),
                    change_cell(row, row.heap_in_use), optional_cell(row.median_allocations_per_request, format_count),
                    difference_cell(row, row.allocations_added_per_request)});
  }
  return rows;
}

std::string render(const table& rows, table_style style) {
  return style == table_style::markdown ? pipe_table(rows) : aligned_table(rows);
}

}  // namespace

std::string render_overhead_table(const experiment_summary& summary, table_style style) {
  const bool md = style == table_style::markdown;
  const std::string paragraph = md ? "\n" : "";
  std::string out = md ? "## Tracing overhead: " + summary.scenario_name + "\n\n" : "";
  out += (md ? "" : "Tracing overhead vs off: " + summary.scenario_name + ", ") + experiment_setup_line(summary) +
         "\n" + paragraph;
  out += "Median of per-round changes against the same round's off run [95% interval]; ~ = interval contains 0.\n";
  for (const std::string& w : summary_warnings(summary))
    out += paragraph + (md ? "**Warning:** " : "WARNING: ") + w + '\n';
  out += '\n' + render(overhead_rows(summary, false), style);
  if (const std::string note = noise_floor_note(summary); !note.empty()) {
    out += '\n' + std::string(md ? "### " : "") + kNoiseFloorTitle + (md ? "\n\n" : "\n") +
           render(overhead_rows(summary, true), style) + paragraph + note + '\n';
  }
  if (const std::vector<std::string> lines = precision_lines(summary); !lines.empty()) {
    out += '\n' + std::string(md ? "### " : "") + kPrecisionTitle + (md ? "\n\n" : "\n");
    for (const std::string& line : lines) out += (md ? "- " : "  ") + line + '\n';
  }

  bool any_invalid = false;
  for (const configuration_summary& row : summary.rows) any_invalid = any_invalid || row.invalid_runs > 0;
  out += '\n';
  if (const std::string note = interval_level_note(summary); !note.empty()) out += note + '\n' + paragraph;
  out += predicted_note(summary) + '\n' + paragraph;
  out += generator_health_line(summary) + '\n' + paragraph;
  out += validity_rule_line(summary) + '\n' + paragraph;
  out += std::string(kDapperSource) + '\n';

  out += '\n' + std::string(md ? "### Span volume\n\n" : "Span volume\n") + render(volume_rows(summary), style);
  out +=
      "\nSpan volume: counts summed over every run, warm-ups included; spans/s at the offered load; "
      "zstd level 3 on the runs' own export requests.";
  if (const std::string line = projection_line(summary); !line.empty()) out += ' ' + line;
  out += '\n';

  if (const std::string note = memory_note(summary); !note.empty()) {
    out += '\n' + std::string(md ? "### " : "") + kMemoryTitle + (md ? "\n\n" : "\n") +
           render(memory_rows(summary), style) + paragraph + note + '\n';
  }

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
