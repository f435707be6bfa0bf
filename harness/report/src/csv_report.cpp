#include "tracebench/report/csv_report.hpp"

#include <cstdio>
#include <optional>

namespace tracebench::harness {
namespace {

// Shortest text that reads back as the same double: spreadsheets lose nothing.
std::string number(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.17g", value);
  double back = 0;
  for (int digits = 6; digits <= 17; ++digits) {
    char shorter[32];
    std::snprintf(shorter, sizeof shorter, "%.*g", digits, value);
    if (std::sscanf(shorter, "%lf", &back) == 1 && back == value) return shorter;
  }
  return buffer;
}

std::string optional_number(const std::optional<double>& value) { return value ? number(*value) : ""; }

std::string quoted(const std::string& text) {
  if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
  std::string out = "\"";
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + '"';
}

void add_delta(std::vector<std::string>& cells, const metric_delta& d) {
  if (!d.stats) {
    cells.insert(cells.end(), 4, "");
    return;
  }
  cells.push_back(number(d.stats->median));
  cells.push_back(number(d.stats->low));
  cells.push_back(number(d.stats->high));
  cells.emplace_back(d.stats->within_noise ? "true" : "false");
}

}  // namespace

std::string render_csv_report(const results_file& results) {
  std::vector<std::string> header{"scenario",         "configuration",      "runs",  "invalid_runs",
                                  "throughput_per_s", "cpu_ns_per_request", "p99_ns"};
  for (const char* metric : {"latency_mean", "latency_p50", "latency_p99", "throughput", "cpu_per_request"}) {
    for (const char* part : {"change_percent", "low_percent", "high_percent", "within_noise"})
      header.push_back(std::string(metric) + "_" + part);
  }
  for (const char* name :
       {"spans_started", "spans_sampled", "spans_exported", "spans_dropped", "sampled_fraction", "spans_per_second",
        "bytes_per_span", "zstd_bytes_per_span", "spans_per_day", "otlp_json_bytes_per_day", "zstd_bytes_per_day",
        "dapper_latency_change_percent", "dapper_throughput_change_percent"})
    header.emplace_back(name);
  // Memory, last so that the columns before keep their places; empty for files without it.
  for (const char* name : {"peak_rss_bytes", "heap_in_use_bytes", "allocations_per_request"}) header.emplace_back(name);
  for (const char* metric : {"peak_rss", "heap_in_use", "allocations_per_request"}) {
    for (const char* part : {"change_percent", "low_percent", "high_percent", "within_noise"})
      header.push_back(std::string(metric) + "_" + part);
  }
  for (const char* part : {"added", "added_low", "added_high", "added_within_noise"})
    header.push_back(std::string("allocations_per_request_") + part);

  std::string out;
  const auto write_row = [&out](const std::vector<std::string>& cells) {
    for (std::size_t i = 0; i < cells.size(); ++i) {
      if (i > 0) out += ',';  // appended apart: GCC 12 warns (-Wrestrict) on "," + std::string
      out += quoted(cells[i]);
    }
    out += "\r\n";
  };
  write_row(header);
  for (const configuration_summary& row : results.summary.rows) {
    std::vector<std::string> cells{results.summary.scenario_name, row.configuration,
                                   std::to_string(row.runs),      std::to_string(row.invalid_runs),
                                   number(row.median_throughput), number(row.median_cpu_ns_per_request),
                                   number(row.median_p99_ns)};
    for (const metric_delta* d :
         {&row.mean_latency, &row.p50_latency, &row.p99_latency, &row.throughput, &row.cpu_per_request})
      add_delta(cells, *d);
    const tracer::span_counts& s = row.spans;
    for (std::uint64_t count : {s.started, s.sampled, s.exported, s.dropped}) cells.push_back(std::to_string(count));
    cells.push_back(s.started == 0 ? "" : number(static_cast<double>(s.sampled) / static_cast<double>(s.started)));
    cells.push_back(number(row.spans_per_second));
    cells.push_back(row.bytes_per_span > 0 ? number(row.bytes_per_span) : "");
    cells.push_back(optional_number(row.zstd_bytes_per_span));
    if (row.projection) {
      cells.push_back(number(row.projection->sampled.spans));
      cells.push_back(optional_number(row.projection->sampled.otlp_json_bytes));
      cells.push_back(optional_number(row.projection->sampled.zstd_bytes));
    } else {
      cells.insert(cells.end(), 3, "");
    }
    const auto dapper = dapper_lookup(row.configuration);
    cells.push_back(dapper ? number(dapper->latency_change_percent) : "");
    cells.push_back(dapper ? number(dapper->throughput_change_percent) : "");
    for (const std::optional<double>* median :
         {&row.median_peak_rss_bytes, &row.median_heap_in_use_bytes, &row.median_allocations_per_request})
      cells.push_back(optional_number(*median));
    for (const metric_delta* d :
         {&row.peak_rss, &row.heap_in_use, &row.allocations_per_request, &row.allocations_added_per_request})
      add_delta(cells, *d);
    write_row(cells);
  }
  return out;
}

}  // namespace tracebench::harness
