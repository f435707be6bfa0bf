#pragma once
// Line charts as a standalone SVG document, for a chart that must be a file of its own (the
// HTML report's Vega-Lite charts need a browser and the inlined libraries to become SVG). Panels
// stacked over one shared x quantity, each with its own y axis, lines of points with optional
// intervals; fonts and colours are chart_config()'s, so both kinds of chart look alike.

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace tracebench::harness {

struct svg_point {
  double x = 0;
  double y = 0;
  std::optional<std::pair<double, double>> interval;  // low, high: drawn as a vertical bar
  bool hollow = false;                                // drawn unfilled (e.g. within noise)
  std::string tooltip;                                // the point's <title>
};

struct svg_series {
  std::string label;
  std::string color;  // CSS colour
  bool dashed = false;
  std::vector<svg_point> points;  // joined in this order
};

struct svg_axis {
  std::string title;
  bool log = false;
  double low = 0;  // the domain; log axes need low > 0
  double high = 1;
  std::vector<std::pair<double, std::string>> ticks;  // value, label
};

struct svg_panel {
  std::string title;
  std::string note;  // one line under the title: why the axis is what it is
  svg_axis y;
  std::vector<svg_series> series;
  bool zero_rule = false;  // a line at y = 0 (linear axes)
};

struct svg_figure {
  std::string title;
  std::vector<std::string> caption;  // lines under the title
  svg_axis x;                        // shared by every panel
  // Labelled vertical guides across every panel, such as where each run sits on x.
  std::vector<std::pair<double, std::string>> x_marks;
  std::vector<svg_panel> panels;
};

// The whole document, starting "<svg" with its xmlns; values outside an axis's domain are clamped.
[[nodiscard]] std::string render_svg(const svg_figure& figure);

// Ticks for a log axis over [low, high] (low > 0): powers of ten, with 2 and 5 between them when
// fewer than three powers fall inside.
[[nodiscard]] std::vector<double> log_ticks(double low, double high);
// About `count` ticks at 1, 2 or 5 times a power of ten covering [low, high]; the axis domain is
// widened to the outermost ticks.
[[nodiscard]] std::vector<double> linear_ticks(double& low, double& high, int count = 5);

// The chart palette (Vega's tableau10), for series i.
[[nodiscard]] std::string series_color(std::size_t i);

}  // namespace tracebench::harness
