#pragma once
// The HTML report of a results file: one self-contained page (tables, and charts drawn by
// Vega-Lite, whose libraries are inlined when the report is made) that needs no network.

#include <filesystem>
#include <stdexcept>
#include <string>

#include "tracebench/results/request_cost.hpp"
#include "tracebench/results/results_file.hpp"

namespace tracebench::harness {

// what() is one line naming the missing library file and how to install it.
class report_assets_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Where vega, vega-lite and vega-embed are installed (a node_modules directory):
// $TRACEBENCH_REPORT_ASSETS when set, else the source tree's harness/report-assets/node_modules.
[[nodiscard]] std::filesystem::path default_report_assets();

// Throws report_assets_error when a library file is missing under `assets`.
[[nodiscard]] std::string render_html_report(const results_file& results, const std::filesystem::path& assets);

// Overhead against request cost from several results files: the chart as inline SVG
// (render_request_cost_svg) above its table, in the report's style. Needs no assets: no script.
[[nodiscard]] std::string render_request_cost_html(const request_cost_points& points);

}  // namespace tracebench::harness
