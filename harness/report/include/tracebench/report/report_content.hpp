#pragma once
// What every report format shows of a results file, as text cells: the Dapper-style overhead
// table, span volume and its projection, generator health, the environment, the warnings, and the
// sampling-pipeline comparison. The Markdown, CSV and HTML renderers lay it out; none of them
// computes a figure of its own. Also the OpenMetrics rendering of the latency histograms.

#include <string>
#include <utility>
#include <vector>

#include "tracebench/results/results_file.hpp"

namespace tracebench::harness {

struct report_table {
  std::string id;     // stable, for CSV sections and HTML anchors: "overhead", "volume"
  std::string title;  // "Tracing overhead", "Span volume"
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;  // each as wide as header
};

struct report_content {
  std::string title;                  // "Tracing overhead: checkout"
  std::string subtitle;               // rounds, where the graph ran, offered load
  std::vector<std::string> warnings;  // Debug build, loaded machine, interrupted, incomplete
  report_table overhead;     // rate, latency mean/p50/p99 change, throughput change, spans/s, B/span, sampled, Dapper
  report_table noise_floor;  // the same columns for the A/A row; no rows when the plan had none
  std::vector<std::string> precision;  // how adaptive rounds ended and each target; none when they did not adapt
  report_table volume;                 // per configuration: spans, bytes, and the per-day projection
  // Per configuration: peak RSS, heap in use, allocations per request, and their changes; no
  // header and no rows for files written before memory was measured.
  report_table memory;
  std::string memory_note;             // how it was measured; empty with the table
  std::vector<std::string> notes;      // how to read the tables, each a paragraph
  std::string generator_health;        // one line
  std::string projection;              // the span-volume projection at the scenario's production rate, one line
  std::vector<std::pair<std::string, std::string>> environment;  // label, value
  std::vector<std::string> invalid_runs;                         // "1/16 round 2: open loop: ..."
  // The terminal's pipeline tables (make_pipeline_tables): kept/cost, then reweighting and the
  // collector memory sweep when they have rows. Both empty when the file compared no pipelines.
  std::vector<report_table> pipeline_tables;
  std::vector<std::string> pipeline_notes;
};

[[nodiscard]] report_content make_report_content(const results_file& results);

// The family tracebench_request_latency_seconds, a series per configuration from its merged
// latency histogram at default_latency_bounds(), with the pipelines' exemplars of that
// configuration (none without pipelines); ends "# EOF\n". Throws std::invalid_argument (one line)
// for what OpenMetrics cannot carry, such as a configuration listed twice.
[[nodiscard]] std::string render_openmetrics_report(const results_file& results);

}  // namespace tracebench::harness
