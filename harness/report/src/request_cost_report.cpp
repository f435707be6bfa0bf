#include "tracebench/report/request_cost_report.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <optional>
#include <tuple>
#include <vector>

#include "summary_text.hpp"
#include "svg_chart.hpp"
#include "tracebench/common/text_format.hpp"

namespace tracebench::harness {
namespace {

constexpr double kNanosPerMicro = 1000;
// Points of different configurations at one scale are spread this many octaves apart on x, so
// their intervals do not hide each other (as the overhead chart does); the guides mark the truth.
constexpr double kDodgeOctaves = 0.05;
constexpr const char* kNoiseFloorColor = "#888";

struct metric {
  const char* title;
  const char* y_title;
  std::optional<summary> request_cost_point::*change;
};
constexpr metric kCpu{"CPU per request", "CPU/req change against off (%)", &request_cost_point::cpu_per_request};
constexpr metric kP50{"p50 latency", "p50 latency change against off (%)", &request_cost_point::p50_latency};

std::string scale_label(double scale) { return printf_string("x%g", scale); }

std::string latency_text(double ns) { return format_duration_us(ns / kNanosPerMicro); }

std::string percent_tick(double value, bool signed_label) {
  if (value == 0) return "0%";
  return printf_string(signed_label ? "%+g%%" : "%g%%", value);
}

std::string series_label(const request_cost_series& series) {
  return series.noise_floor ? series.configuration + " (A/A noise floor)" : series.configuration;
}

// The y axis of one metric's panel, and the line saying why it is log or linear.
std::pair<svg_axis, std::string> y_axis(const request_cost_points& points, const metric& m) {
  double lowest = std::numeric_limits<double>::infinity();
  double highest = -lowest;
  std::size_t plotted = 0;
  std::size_t not_positive = 0;
  for (const request_cost_series& series : points.series) {
    for (const request_cost_point& p : series.points) {
      const std::optional<summary>& s = p.*m.change;
      if (!s) continue;
      ++plotted;
      if (!(s->median > 0 && s->low > 0)) ++not_positive;
      lowest = std::min({lowest, s->low, s->median});
      highest = std::max({highest, s->high, s->median});
    }
  }
  svg_axis axis;
  axis.title = m.y_title;
  if (plotted == 0) {
    axis.low = -1;
    axis.high = 1;
    return {axis, "nothing to plot: no configuration has a valid run paired with its round's off run"};
  }
  if (not_positive == 0) {
    axis.log = true;
    axis.title += ", log scale";
    axis.low = lowest / 1.3;
    axis.high = highest * 1.3;
    for (const double t : log_ticks(axis.low, axis.high)) axis.ticks.emplace_back(t, percent_tick(t, false));
    return {axis, "y: log scale, as every change and its interval is above 0"};
  }
  axis.low = std::min(0.0, lowest);
  axis.high = std::max(0.0, highest);
  const double pad = (axis.high - axis.low) * 0.05;
  axis.low -= axis.low < 0 ? pad : 0;
  axis.high += pad;
  for (const double t : linear_ticks(axis.low, axis.high)) axis.ticks.emplace_back(t, percent_tick(t, true));
  std::string note = "y: linear, not log: ";
  note.append(std::to_string(not_positive)).append(" of ").append(std::to_string(plotted));
  note += " changes or their intervals reach 0 or below, where a log axis has no place (dashed: no change)";
  return {axis, note};
}

svg_panel panel_for(const request_cost_points& points, const metric& m) {
  svg_panel panel;
  panel.title = m.title;
  std::tie(panel.y, panel.note) = y_axis(points, m);
  panel.zero_rule = !panel.y.log;
  const auto n = static_cast<double>(points.series.size());
  std::size_t colour = 0;
  for (std::size_t i = 0; i < points.series.size(); ++i) {
    const request_cost_series& line = points.series[i];
    svg_series series;
    series.label = series_label(line);
    series.color = line.noise_floor ? kNoiseFloorColor : series_color(colour++);
    series.dashed = line.noise_floor;
    const double dodge = std::exp2((static_cast<double>(i) - (n - 1) / 2) * kDodgeOctaves);
    for (const request_cost_point& p : line.points) {
      const std::optional<summary>& s = p.*m.change;
      if (!s) continue;
      metric_delta delta;
      delta.stats = s;
      series.points.push_back({p.off_mean_latency_ns * dodge, s->median, std::pair{s->low, s->high}, s->within_noise,
                               line.configuration + ", work " + scale_label(p.work_scale) + " (off mean " +
                                   latency_text(p.off_mean_latency_ns) + "): " + delta_cell(delta)});
    }
    // Joined left to right: a busy machine can make a larger scale's off latency the shorter one,
    // and a line doubling back would read as two costs at once.
    std::stable_sort(series.points.begin(), series.points.end(),
                     [](const svg_point& a, const svg_point& b) { return a.x < b.x; });
    panel.series.push_back(std::move(series));
  }
  return panel;
}

}  // namespace

std::string render_request_cost_svg(const request_cost_points& points) {
  svg_figure figure;
  figure.title = "Overhead against request cost: " + points.scenario_name;
  figure.caption = {
      "Median change against the same round's off run (points) with its 95% interval (bars), at each work scale: every",
      "cpu_us and wait_us of the scenario multiplied by it. x: off's mean latency at that scale. Hollow points are "
      "within",
      "noise; dashed grey is the A/A row, two off runs against each other. Points at one scale are spread slightly on "
      "x."};
  double lowest = std::numeric_limits<double>::infinity();
  double highest = 0;
  for (const request_cost_scale& s : points.scales) {
    if (!s.off_mean_latency_ns) continue;
    lowest = std::min(lowest, *s.off_mean_latency_ns);
    highest = std::max(highest, *s.off_mean_latency_ns);
    figure.x_marks.emplace_back(*s.off_mean_latency_ns, scale_label(s.work_scale));
  }
  if (highest <= 0) {  // no scale has an off latency: an empty but valid chart
    lowest = 1e3;
    highest = 1e6;
  }
  figure.x.title = "off's mean latency at each work scale (log scale)";
  figure.x.log = true;
  figure.x.low = lowest / 1.6;
  figure.x.high = highest * 1.6;
  for (const double t : log_ticks(figure.x.low, figure.x.high)) figure.x.ticks.emplace_back(t, latency_text(t));
  figure.panels.push_back(panel_for(points, kCpu));
  figure.panels.push_back(panel_for(points, kP50));
  return render_svg(figure);
}

std::vector<std::vector<std::string>> request_cost_rows(const request_cost_points& points, bool repeat_scale) {
  std::vector<std::vector<std::string>> rows{{"work", "off mean latency", "config", "CPU/req chg", "p50 latency chg"}};
  for (const request_cost_scale& scale : points.scales) {
    const std::string off = scale.off_mean_latency_ns ? latency_text(*scale.off_mean_latency_ns) : "n/a";
    bool first = true;
    for (const request_cost_series& series : points.series) {
      for (const request_cost_point& p : series.points) {
        if (p.work_scale != scale.work_scale) continue;
        metric_delta cpu;
        cpu.stats = p.cpu_per_request;
        metric_delta p50;
        p50.stats = p.p50_latency;
        const bool label = first || repeat_scale;
        rows.push_back({label ? scale_label(scale.work_scale) + (scale.complete ? "" : " (incomplete)") : "",
                        label ? off : "", series.configuration, delta_cell(cpu), delta_cell(p50)});
        first = false;
      }
    }
    if (first) rows.push_back({scale_label(scale.work_scale), off, "-", "n/a", "n/a"});
  }
  return rows;
}

std::string render_request_cost_table(const request_cost_points& points, table_style style) {
  const bool md = style == table_style::markdown;
  // Text shows a scale's figures once, as a group; Markdown repeats them so rows sort.
  const std::vector<std::vector<std::string>> rows = request_cost_rows(points, md);
  std::string out = md ? "## Overhead against request cost: " + points.scenario_name + "\n\n"
                       : "Overhead against request cost: " + points.scenario_name + "\n";
  out +=
      "Each work scale multiplies every cpu_us and wait_us; median of per-round changes against the same round's "
      "off run [95% interval]; ~ = within noise.\n";
  if (md) out += '\n';
  out += md ? pipe_table(rows) : aligned_table(rows);
  return out;
}

}  // namespace tracebench::harness
