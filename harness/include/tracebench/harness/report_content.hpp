#pragma once
// What every report format shows of a results file, as text cells: the Dapper-style overhead
// table, span volume and its projection, generator health, the environment, and the warnings.
// The Markdown, CSV and HTML renderers lay it out; none of them computes a figure of its own.

#include <string>
#include <utility>
#include <vector>

#include "tracebench/harness/results_file.hpp"

namespace tracebench::harness {

struct report_table {
  std::string id;     // stable, for CSV sections and HTML anchors: "overhead", "volume"
  std::string title;  // "Tracing overhead", "Span volume"
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;  // each as wide as header
};

struct report_content {
  std::string title;     // "Tracing overhead: checkout"
  std::string subtitle;  // rounds, where the graph ran, offered load
  std::vector<std::string> warnings;  // Debug build, loaded machine, interrupted, incomplete
  report_table overhead;  // rate, latency mean/p50/p99 change, throughput change, spans/s, B/span, sampled, Dapper
  report_table volume;    // per configuration: spans, bytes, and the per-day projection
  std::vector<std::string> notes;  // how to read the tables, each a paragraph
  std::string generator_health;     // one line
  std::string projection;           // the span-volume projection at the scenario's production rate, one line
  std::vector<std::pair<std::string, std::string>> environment;  // label, value
  std::vector<std::string> invalid_runs;  // "1/16 round 2: open loop: ..."
};

[[nodiscard]] report_content make_report_content(const results_file& results);

}  // namespace tracebench::harness
