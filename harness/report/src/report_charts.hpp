#pragma once
// The HTML report's charts as Vega-Lite specs with their data inline, built from the numbers of
// a results file (the tables come from report_content; the charts plot what those summarise).

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "tracebench/results/results_file.hpp"

namespace tracebench::harness {

struct report_chart {
  std::string id;  // "overhead": the element is #chart-overhead with data-chart="overhead"
  std::string heading;
  std::string caption;     // one sentence: what is plotted
  nlohmann::json spec;     // Vega-Lite without $schema (the page names the mode); null when empty
  std::string empty_note;  // why there is nothing to draw, when spec is null
};

// In page order: overhead, spectrum, throughput, waterfall, volume-spans, volume-bytes, then
// pipeline-memory only when the file has a collector memory sweep with points.
[[nodiscard]] std::vector<report_chart> make_report_charts(const results_file& results);

// Single charts of make_report_charts, each in a file of its own: the slowest sampled trace with
// its critical path, the span volume, and the collector memory sweep.
[[nodiscard]] report_chart make_waterfall_chart(const results_file& results);
[[nodiscard]] report_chart make_volume_spans_chart(const results_file& results);
[[nodiscard]] report_chart make_volume_bytes_chart(const results_file& results);
[[nodiscard]] report_chart make_pipeline_memory_chart(const results_file& results);

// Shared by the chart files: the look every chart has, and the configurations in plan order
// (a JSON array, for a scale's domain).
[[nodiscard]] nlohmann::json chart_config();
[[nodiscard]] nlohmann::json configuration_order(const results_file& results);

}  // namespace tracebench::harness
