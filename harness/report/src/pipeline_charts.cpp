// The report's chart of the tail collector's memory sweep: what it held against decision wait and
// against offered load, beside what Little's law says it should hold, and the bytes that took.

#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "report_charts.hpp"
#include "tracebench/common/text_format.hpp"

namespace tracebench::harness {

namespace {

using json = nlohmann::json;

constexpr int kPanelWidth = 330;  // two panels side by side fit the page's other charts
constexpr int kPanelHeight = 190;
constexpr std::string_view kHeld = "peak traces held";
constexpr std::string_view kLittle = "rate x wait (Little's law)";

double seconds(std::chrono::nanoseconds d) { return std::chrono::duration<double>(d).count(); }

// What one panel plots along x: the decision wait, or the offered load.
struct sweep_axis {
  std::string_view varied;  // memory_sweep_point::varied of the points it shows
  std::string_view field;
  std::string_view title;
};
constexpr sweep_axis kWaitAxis{"decision_wait", "decision_wait_s", "decision wait (s)"};
constexpr sweep_axis kLoadAxis{"load", "offered_rate", "offered load (requests/s)"};
constexpr double kBytesPerMegabyte = 1e6;

json point_fields(const memory_sweep_point& p) {
  return {{"decision_wait_s", seconds(p.decision_wait)},
          {"offered_rate", p.offered_rate},
          {"achieved_rate", p.achieved_rate},
          {"peak_traces", p.peak_traces},
          {"expected_traces", p.expected_traces()},
          {"peak_bytes", p.peak_bytes},
          {"peak_megabytes", static_cast<double>(p.peak_bytes) / kBytesPerMegabyte},
          {"traces_evicted", p.traces_evicted}};
}

json tooltip() {
  return json::array({{{"field", "decision_wait_s"}, {"title", "decision wait (s)"}, {"format", "~g"}},
                      {{"field", "offered_rate"}, {"title", "offered/s"}, {"format", ",.0f"}},
                      {{"field", "achieved_rate"}, {"title", "achieved/s"}, {"format", ",.0f"}},
                      {{"field", "peak_traces"}, {"title", kHeld}, {"format", ",.0f"}},
                      {{"field", "expected_traces"}, {"title", kLittle}, {"format", ",.0f"}},
                      {{"field", "peak_bytes"}, {"title", "peak bytes held"}, {"format", ",.0f"}},
                      {{"field", "traces_evicted"}, {"title", "evicted"}, {"format", ",.0f"}}});
}

// No axis formats here or below: Vega's default for a linear scale reads best ("0.5", "1,500"),
// where an SI format comes out as "0k" at zero.
json x_encoding(const sweep_axis& axis) {
  return {
      {"field", axis.field}, {"type", "quantitative"}, {"scale", {{"zero", true}}}, {"axis", {{"title", axis.title}}}};
}

// Held and expected as two series of one line mark: solid for what the collector held, dashed
// for Little's law.
json traces_panel(const std::vector<memory_sweep_point>& sweep, const sweep_axis& axis, const std::string& title) {
  json values = json::array();
  for (const memory_sweep_point& p : sweep) {
    if (p.varied != axis.varied) continue;
    for (const auto& [series, traces] :
         {std::pair{kHeld, static_cast<double>(p.peak_traces)}, std::pair{kLittle, p.expected_traces()}}) {
      json v = point_fields(p);
      v["series"] = series;
      v["traces"] = traces;
      values.push_back(std::move(v));
    }
  }
  const json domain = json::array({kHeld, kLittle});
  // Both channels share one legend, whose symbols are line strokes so the dash shows.
  const json legend = {{"orient", "top"}, {"title", nullptr}, {"symbolType", "stroke"}};
  return {{"title", title},
          {"width", kPanelWidth},
          {"height", kPanelHeight},
          {"data", {{"values", std::move(values)}}},
          {"mark", {{"type", "line"}, {"strokeWidth", 1.75}, {"point", {{"size", 40}, {"filled", true}}}}},
          {"encoding",
           {{"x", x_encoding(axis)},
            {"y", {{"field", "traces"}, {"type", "quantitative"}, {"axis", {{"title", "traces held"}}}}},
            {"color",
             {{"field", "series"},
              {"type", "nominal"},
              {"scale", {{"domain", domain}, {"range", {"#4c78a8", "#888888"}}}},
              {"legend", legend}}},
            {"strokeDash",
             {{"field", "series"},
              {"type", "nominal"},
              {"scale", {{"domain", domain}, {"range", json::array({json::array({1, 0}), json::array({5, 3})})}}},
              {"legend", legend}}},
            {"tooltip", tooltip()}}}};
}

json bytes_panel(const std::vector<memory_sweep_point>& sweep, const sweep_axis& axis) {
  json values = json::array();
  for (const memory_sweep_point& p : sweep) {
    if (p.varied == axis.varied) values.push_back(point_fields(p));
  }
  return {{"width", kPanelWidth},
          {"height", kPanelHeight},
          {"data", {{"values", std::move(values)}}},
          {"mark",
           {{"type", "line"},
            {"color", "#f58518"},
            {"strokeWidth", 1.75},
            {"point", {{"size", 40}, {"filled", true}, {"color", "#f58518"}}}}},
          {"encoding",
           {{"x", x_encoding(axis)},
            {"y", {{"field", "peak_megabytes"}, {"type", "quantitative"}, {"axis", {{"title", "peak held (MB)"}}}}},
            {"tooltip", tooltip()}}}};
}

// The panel title names what the other variable was held at.
std::string panel_title(const std::vector<memory_sweep_point>& sweep, const sweep_axis& axis) {
  for (const memory_sweep_point& p : sweep) {
    if (p.varied != axis.varied) continue;
    if (axis.varied == kWaitAxis.varied) {
      return "Against decision wait, at " + format_thousands(p.offered_rate) + " requests/s";
    }
    return "Against offered load, at a " + format_duration_us(seconds(p.decision_wait) * 1e6) + " decision wait";
  }
  return {};
}

}  // namespace

report_chart make_pipeline_memory_chart(const results_file& results) {
  report_chart chart{"pipeline-memory", "Collector memory against decision wait and load",
                     "Peak traces the tail collector held in a short open-loop run per point (solid) beside "
                     "Little's law, achieved rate x decision wait (dashed), and the peak bytes it held: left as "
                     "the decision wait changes at the experiment's offered load, right as the load changes at "
                     "the plan's decision wait.",
                     nullptr, ""};
  if (!results.pipelines || results.pipelines->memory_sweep.empty()) {
    chart.empty_note = "The experiment ran no collector memory sweep.";
    return chart;
  }
  const std::vector<memory_sweep_point>& sweep = results.pipelines->memory_sweep;
  json traces_row = json::array();
  json bytes_row = json::array();
  for (const sweep_axis& axis : {kWaitAxis, kLoadAxis}) {
    const std::string title = panel_title(sweep, axis);
    if (title.empty()) continue;  // an interrupted sweep may lack the load points
    traces_row.push_back(traces_panel(sweep, axis, title));
    bytes_row.push_back(bytes_panel(sweep, axis));
  }
  chart.spec = {{"vconcat", json::array({{{"hconcat", std::move(traces_row)}}, {{"hconcat", std::move(bytes_row)}}})},
                {"resolve", {{"scale", {{"color", "shared"}, {"strokeDash", "shared"}}}}},
                {"config", chart_config()}};
  return chart;
}

}  // namespace tracebench::harness
