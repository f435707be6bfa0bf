#pragma once
// Overhead against request cost, drawn and tabulated from make_request_cost_points: the chart as a
// standalone SVG (CPU/req change and p50 latency change against off's mean latency, one line per
// configuration) and the same points as a terminal or Markdown table (html_report.hpp has the page).

#include <string>
#include <vector>

#include "tracebench/report/overhead_table.hpp"
#include "tracebench/results/request_cost.hpp"

namespace tracebench::harness {

// x is log-scaled. Each panel's y is log-scaled when every change and interval is above 0, else
// linear with a line at 0: a log axis cannot place a change of 0 or less, and a symmetric-log one
// would stretch the noise around 0 into the largest feature of the chart. Each panel says which.
[[nodiscard]] std::string render_request_cost_svg(const request_cost_points& points);

// The table's cells, header first: per work scale and configuration, the scale ("x0.5",
// "(incomplete)" when interrupted), off's mean latency, the configuration, and the CPU/req and p50
// latency change cells. Without `repeat_scale`, a scale's first two cells are left blank after its
// first row, grouping it as a terminal shows it.
[[nodiscard]] std::vector<std::vector<std::string>> request_cost_rows(const request_cost_points& points,
                                                                      bool repeat_scale);

// Rows per work scale and configuration: off's mean latency, CPU/req and p50 latency changes
// with their intervals ("~" within noise). Ends with a newline.
[[nodiscard]] std::string render_request_cost_table(const request_cost_points& points,
                                                    table_style style = table_style::text);

}  // namespace tracebench::harness
