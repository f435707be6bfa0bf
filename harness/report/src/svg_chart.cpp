#include "svg_chart.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <string_view>

#include "markup_escape.hpp"
#include "report_charts.hpp"

namespace tracebench::harness {
namespace {

// Sizes in px, as the report's Vega-Lite charts have them (kWideChart there is 760 with the axes).
constexpr double kLeft = 70;  // y tick labels and the y title
constexpr double kPlotWidth = 600;
constexpr double kLegendGap = 24;
constexpr double kLegendWidth = 150;
constexpr double kWidth = kLeft + kPlotWidth + kLegendGap + kLegendWidth;
constexpr double kPlotHeight = 220;
constexpr double kPanelHead = 40;  // the panel's title and note above its plot
constexpr double kPanelFoot = 50;  // x tick labels and the x title below it
constexpr double kCaptionLine = 16;
constexpr double kPointRadius = 3.5;

constexpr std::array<std::string_view, 10> kPalette{"#4c78a8", "#f58518", "#e45756", "#72b7b2", "#54a24b",
                                                    "#eeca3b", "#b279a2", "#ff9da6", "#9d755d", "#bab0ac"};

// Concatenation by appending: GCC 12 warns (-Wrestrict) on "literal" + std::string&&.
template <typename... Parts>
std::string cat(const Parts&... parts) {
  std::string out;
  (out.append(std::string_view(parts)), ...);
  return out;
}

std::string px(double v) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f", v);
  return text;
}

// The look of chart_config(): one source for the font and the axis colours.
struct look {
  std::string font;
  std::string label_color = "#333";
  std::string grid_color = "#ececec";
  std::string domain_color = "#999";
  int label_size = 11;
  int title_size = 12;
};

look chart_look() {
  const nlohmann::json config = chart_config();
  look l;
  l.font = config.value("font", "sans-serif");
  const nlohmann::json axis = config.value("axis", nlohmann::json::object());
  l.label_color = axis.value("labelColor", l.label_color);
  l.grid_color = axis.value("gridColor", l.grid_color);
  l.domain_color = axis.value("domainColor", l.domain_color);
  l.label_size = axis.value("labelFontSize", l.label_size);
  l.title_size = axis.value("titleFontSize", l.title_size);
  return l;
}

// Where a value lands along an axis of `length` px, 0 at the domain's low end, clamped.
double position(const svg_axis& axis, double value, double length) {
  double t = 0;
  if (axis.log) {
    const double v = std::max(value, axis.low);
    t = (std::log10(v) - std::log10(axis.low)) / (std::log10(axis.high) - std::log10(axis.low));
  } else {
    t = (value - axis.low) / (axis.high - axis.low);
  }
  if (!std::isfinite(t)) t = 0.5;
  return std::clamp(t, 0.0, 1.0) * length;
}

class writer {
 public:
  explicit writer(const look& l) : look_(l) {}

  void text(double x, double y, std::string_view content, std::string_view anchor = "start", int size = 0,
            std::string_view extra = "") {
    out_ += cat("<text x=\"", px(x), "\" y=\"", px(y), "\" text-anchor=\"", anchor, "\" font-size=\"",
                std::to_string(size > 0 ? size : look_.label_size), "\" fill=\"", look_.label_color, "\"");
    if (!extra.empty()) out_.append(" ").append(extra);
    out_ += cat(">", escape_markup(content), "</text>\n");
  }
  void line(double x1, double y1, double x2, double y2, std::string_view color, double width = 1,
            std::string_view extra = "") {
    out_ += cat("<line x1=\"", px(x1), "\" y1=\"", px(y1), "\" x2=\"", px(x2), "\" y2=\"", px(y2), "\" stroke=\"",
                color, "\" stroke-width=\"", px(width), "\"");
    if (!extra.empty()) out_.append(" ").append(extra);
    out_ += "/>\n";
  }
  void raw(std::string_view text) { out_ += text; }
  [[nodiscard]] std::string take() { return std::move(out_); }
  [[nodiscard]] const look& style() const { return look_; }

 private:
  const look& look_;
  std::string out_;
};

void draw_series(writer& w, const svg_figure& figure, const svg_panel& panel, const svg_series& series, double top) {
  const auto at = [&](double x, double y) {
    return std::pair{kLeft + position(figure.x, x, kPlotWidth), top + kPlotHeight - position(panel.y, y, kPlotHeight)};
  };
  const std::string dash = series.dashed ? " stroke-dasharray=\"5,4\"" : "";
  std::string path;
  for (const svg_point& p : series.points) {
    const auto [x, y] = at(p.x, p.y);
    path += cat(path.empty() ? "" : " ", px(x), ",", px(y));
  }
  w.raw(cat("<g class=\"series\" data-series=\"", escape_markup(series.label), "\">\n"));
  if (series.points.size() > 1) {
    w.raw(cat("<polyline points=\"", path, "\" fill=\"none\" stroke=\"", series.color, "\" stroke-width=\"1.75\"", dash,
              "/>\n"));
  }
  for (const svg_point& p : series.points) {
    const auto [x, y] = at(p.x, p.y);
    if (p.interval) {
      const double low = at(p.x, p.interval->first).second;
      const double high = at(p.x, p.interval->second).second;
      w.line(x, low, x, high, series.color, 1.5, "opacity=\"0.6\"");
    }
    w.raw(cat("<circle cx=\"", px(x), "\" cy=\"", px(y), "\" r=\"", px(kPointRadius), "\" fill=\"",
              p.hollow ? std::string("white") : series.color, "\" stroke=\"", series.color,
              "\" stroke-width=\"1.5\"><title>", escape_markup(p.tooltip), "</title></circle>\n"));
  }
  w.raw("</g>\n");
}

void draw_panel(writer& w, const svg_figure& figure, const svg_panel& panel, double top) {
  const look& l = w.style();
  w.text(kLeft, top + 14, panel.title, "start", l.title_size + 1, "font-weight=\"bold\"");
  if (!panel.note.empty()) w.text(kLeft, top + 30, panel.note, "start", l.label_size);
  const double plot_top = top + kPanelHead;
  const double bottom = plot_top + kPlotHeight;
  // Grid and y ticks.
  for (const auto& [value, label] : panel.y.ticks) {
    const double y = bottom - position(panel.y, value, kPlotHeight);
    w.line(kLeft, y, kLeft + kPlotWidth, y, l.grid_color);
    w.text(kLeft - 6, y + 4, label, "end");
  }
  for (const auto& [value, label] : figure.x.ticks) {
    const double x = kLeft + position(figure.x, value, kPlotWidth);
    w.line(x, plot_top, x, bottom, l.grid_color);
    w.line(x, bottom, x, bottom + 5, l.domain_color);
    w.text(x, bottom + 18, label, "middle");
  }
  for (const auto& [value, label] : figure.x_marks) {
    const double x = kLeft + position(figure.x, value, kPlotWidth);
    w.line(x, plot_top, x, bottom, l.domain_color, 1, "stroke-dasharray=\"2,3\"");
    w.text(x + 3, plot_top + 11, label, "start", l.label_size - 1);
  }
  if (panel.zero_rule && !panel.y.log && panel.y.low < 0 && panel.y.high > 0) {
    const double y = bottom - position(panel.y, 0, kPlotHeight);
    w.line(kLeft, y, kLeft + kPlotWidth, y, "#777", 1, "stroke-dasharray=\"4,3\"");
  }
  w.line(kLeft, plot_top, kLeft, bottom, l.domain_color);
  w.line(kLeft, bottom, kLeft + kPlotWidth, bottom, l.domain_color);
  w.text(kLeft + kPlotWidth / 2, bottom + 38, figure.x.title, "middle", l.title_size);
  const double middle = plot_top + kPlotHeight / 2;
  w.text(16, middle, panel.y.title, "middle", l.title_size, cat("transform=\"rotate(-90 16 ", px(middle), ")\""));
  for (const svg_series& series : panel.series) draw_series(w, figure, panel, series, plot_top);

  // The legend, beside the plot.
  double y = plot_top + 8;
  const double x = kLeft + kPlotWidth + kLegendGap;
  for (const svg_series& series : panel.series) {
    w.line(x, y, x + 22, y, series.color, 2, series.dashed ? "stroke-dasharray=\"5,4\"" : "");
    w.raw(cat("<circle cx=\"", px(x + 11), "\" cy=\"", px(y), "\" r=\"", px(kPointRadius), "\" fill=\"", series.color,
              "\"/>\n"));
    w.text(x + 30, y + 4, series.label);
    y += 18;
  }
}

}  // namespace

std::vector<double> log_ticks(double low, double high) {
  std::vector<double> ticks;
  if (!(low > 0) || !(high > low)) return ticks;
  for (double p = std::pow(10.0, std::floor(std::log10(low))); p <= high * (1 + 1e-9); p *= 10) {
    if (p >= low * (1 - 1e-9)) ticks.push_back(p);
  }
  if (ticks.size() >= 3) return ticks;
  ticks.clear();
  for (double p = std::pow(10.0, std::floor(std::log10(low))); p <= high * (1 + 1e-9); p *= 10) {
    for (const double m : {1.0, 2.0, 5.0}) {
      const double v = p * m;
      if (v >= low * (1 - 1e-9) && v <= high * (1 + 1e-9)) ticks.push_back(v);
    }
  }
  return ticks;
}

std::vector<double> linear_ticks(double& low, double& high, int count) {
  if (!(high > low)) {
    low -= 1;
    high += 1;
  }
  const double rough = (high - low) / std::max(count, 1);
  const double power = std::pow(10.0, std::floor(std::log10(rough)));
  double step = power;
  for (const double m : {1.0, 2.0, 5.0, 10.0}) {
    step = m * power;
    if (step >= rough) break;
  }
  low = std::floor(low / step) * step;
  high = std::ceil(high / step) * step;
  std::vector<double> ticks;
  for (double v = low; v <= high + step / 2; v += step) ticks.push_back(std::fabs(v) < step / 1e6 ? 0.0 : v);
  return ticks;
}

std::string series_color(std::size_t i) { return std::string(kPalette[i % kPalette.size()]); }

std::string render_svg(const svg_figure& figure) {
  const look l = chart_look();
  writer w(l);
  const double head = 30 + kCaptionLine * static_cast<double>(figure.caption.size()) + 8;
  const double panel_height = kPanelHead + kPlotHeight + kPanelFoot;
  const double height = head + panel_height * static_cast<double>(figure.panels.size());
  w.raw(cat("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"", px(kWidth), "\" height=\"", px(height),
            "\" viewBox=\"0 0 ", px(kWidth), " ", px(height), "\" font-family=\"", escape_markup(l.font), "\">\n"));
  w.raw(cat("<title>", escape_markup(figure.title), "</title>\n"));
  w.raw("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
  w.text(kLeft, 22, figure.title, "start", l.title_size + 3, "font-weight=\"bold\"");
  double y = 22;
  for (const std::string& line : figure.caption) w.text(kLeft, y += kCaptionLine, line, "start", l.label_size);
  for (std::size_t i = 0; i < figure.panels.size(); ++i) {
    draw_panel(w, figure, figure.panels[i], head + panel_height * static_cast<double>(i));
  }
  w.raw("</svg>\n");
  return w.take();
}

}  // namespace tracebench::harness
