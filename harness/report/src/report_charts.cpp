#include "report_charts.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string_view>

#include "tracebench/services/tracing_config.hpp"

namespace tracebench::harness {

namespace {

using json = nlohmann::json;

constexpr int kWideChart = 760;  // plot area, px: leaves room for axis labels and a legend
constexpr int kChartHeight = 300;

// Where a configuration sits on a sampling-probability axis: off and never have no place on a
// log scale, so they get none.
std::optional<double> probability_of(const std::string& configuration) {
  try {
    const services::tracing_config config = services::tracing_config::parse(configuration);
    if (config.tracing == services::tracing_config::mode::probability) return config.probability;
  } catch (const std::invalid_argument&) {
  }
  return std::nullopt;
}

// A JavaScript literal that reads back as the same double, for expressions comparing tick values.
std::string js_number(double value) {
  std::array<char, 32> text{};
  std::snprintf(text.data(), text.size(), "%.17g", value);
  return text.data();
}

std::string js_string(std::string_view value) {
  return json(std::string(value)).dump();  // JSON strings are JavaScript strings
}

struct metric_series {
  std::string_view label;
  metric_delta configuration_summary::*delta;
};
constexpr std::array<metric_series, 5> kMetrics{{
    {"latency mean", &configuration_summary::mean_latency},
    {"latency p50", &configuration_summary::p50_latency},
    {"latency p99", &configuration_summary::p99_latency},
    {"throughput", &configuration_summary::throughput},
    {"CPU per request", &configuration_summary::cpu_per_request},
}};

// Points of different metrics at one probability are spread this many octaves apart, so their
// intervals do not hide each other; the axis ticks stay at the true probabilities.
constexpr double kDodgeOctaves = 0.11;

report_chart overhead_chart(const results_file& results) {
  report_chart chart{"overhead", "Overhead against sampling rate",
                     "Median change against off over the rounds (points) with the median's interval "
                     "(bars; its level is in the tooltip), per sampling probability on a log axis, "
                     "dodged slightly per metric; hollow points are within noise, and never and off "
                     "cannot sit on a log axis (never's changes are in the table, off is the baseline).",
                     nullptr, ""};
  json values = json::array();
  json ticks = json::array();
  std::string label_expr;
  double lowest = 1.0;
  double highest = 0.0;
  for (const configuration_summary& row : results.summary.rows) {
    const std::optional<double> p = probability_of(row.configuration);
    if (row.baseline || !p) continue;
    bool plotted = false;
    for (std::size_t m = 0; m < kMetrics.size(); ++m) {
      const std::optional<summary>& stats = (row.*kMetrics[m].delta).stats;
      if (!stats) continue;
      const double offset = (static_cast<double>(m) - static_cast<double>(kMetrics.size() - 1) / 2) * kDodgeOctaves;
      values.push_back({{"metric", kMetrics[m].label},
                        {"configuration", row.configuration},
                        {"x", *p * std::exp2(offset)},
                        {"median", stats->median},
                        {"low", stats->low},
                        {"high", stats->high},
                        {"level", stats->achieved_level},
                        {"within_noise", stats->within_noise}});
      plotted = true;
    }
    if (!plotted) continue;
    ticks.push_back(*p);
    label_expr += "datum.value === " + js_number(*p) + " ? " + js_string(row.configuration) + " : ";
    lowest = std::min(lowest, *p);
    highest = std::max(highest, *p);
  }
  if (values.empty()) {
    chart.empty_note = "No sampled configuration has a valid run paired with its round's off run.";
    return chart;
  }
  label_expr += "''";

  json metric_domain = json::array();
  for (const metric_series& m : kMetrics) metric_domain.push_back(m.label);
  const json x = {
      {"field", "x"},
      {"type", "quantitative"},
      {"scale", {{"type", "log"}, {"domain", {lowest / 1.6, highest * 1.6}}}},
      {"axis", {{"values", ticks}, {"labelExpr", label_expr}, {"title", "sampling probability (log scale)"}}}};
  const json color = {
      {"field", "metric"},
      {"type", "nominal"},
      {"scale", {{"domain", metric_domain}}},
      {"legend", {{"orient", "top"}, {"title", nullptr}, {"symbolOpacity", 1}, {"symbolType", "circle"}}}};
  const json tooltip = json::array({
      {{"field", "configuration"}, {"title", "configuration"}},
      {{"field", "metric"}, {"title", "metric"}},
      {{"field", "median"}, {"title", "median change (%)"}, {"format", ".2f"}},
      {{"field", "low"}, {"title", "interval low (%)"}, {"format", ".2f"}},
      {{"field", "high"}, {"title", "interval high (%)"}, {"format", ".2f"}},
      {{"field", "level"}, {"title", "interval level"}, {"format", ".1%"}},
  });
  chart.spec = {
      {"width", kWideChart},
      {"height", kChartHeight},
      {"data", {{"values", values}}},
      {"layer",
       json::array({
           {{"mark", {{"type", "rule"}, {"color", "#777"}, {"strokeDash", {4, 3}}}},
            {"encoding", {{"y", {{"datum", 0}, {"type", "quantitative"}}}}}},
           {{"mark", {{"type", "line"}, {"opacity", 0.35}, {"strokeWidth", 1.25}}},
            {"encoding", {{"x", x}, {"y", {{"field", "median"}, {"type", "quantitative"}}}, {"color", color}}}},
           {{"mark", {{"type", "rule"}, {"strokeWidth", 2}}},
            {"encoding",
             {{"x", x},
              {"y", {{"field", "low"}, {"type", "quantitative"}, {"title", "change against off (%)"}}},
              {"y2", {{"field", "high"}}},
              {"color", color}}}},
           // Filled outside noise, hollow (white inside) where the interval contains 0.
           {{"transform", json::array({{{"filter", "!datum.within_noise"}}})},
            {"mark", {{"type", "point"}, {"filled", true}, {"size", 70}, {"opacity", 1}}},
            {"encoding",
             {{"x", x},
              {"y", {{"field", "median"}, {"type", "quantitative"}}},
              {"color", color},
              {"tooltip", tooltip}}}},
           {{"transform", json::array({{{"filter", "datum.within_noise"}}})},
            {"mark", {{"type", "point"}, {"fill", "white"}, {"size", 70}, {"strokeWidth", 2}, {"opacity", 1}}},
            {"encoding",
             {{"x", x},
              {"y", {{"field", "median"}, {"type", "quantitative"}}},
              {"color", color},
              {"tooltip", tooltip}}}},
       })},
      {"config", chart_config()}};
  return chart;
}

report_chart spectrum_chart(const results_file& results) {
  report_chart chart{"spectrum", "Latency by percentile",
                     "Latency from each request's intended send time (corrected for coordinated "
                     "omission) against percentile, one line per configuration, HdrHistogram-style: "
                     "the x axis is 1/(1 - percentile) on a log scale, so each decade is one more nine.",
                     nullptr, ""};
  json values = json::array();
  json domain = json::array();
  double highest_tail = 1.0;
  for (const configuration_summary& row : results.summary.rows) {
    const std::vector<percentile_row> spectrum = row.latency.percentile_spectrum();
    // The last row is the 100th percentile, whose 1/(1-p) is infinite: no place on the axis.
    bool plotted = false;
    for (std::size_t i = 0; i + 1 < spectrum.size(); ++i) {
      if (!std::isfinite(spectrum[i].inverse_tail)) continue;
      values.push_back({{"configuration", row.configuration},
                        {"inverse_tail", spectrum[i].inverse_tail},
                        {"percentile", spectrum[i].percentile * 100},
                        {"latency_ms", static_cast<double>(spectrum[i].value) / 1e6}});
      highest_tail = std::max(highest_tail, spectrum[i].inverse_tail);
      plotted = true;
    }
    if (plotted) domain.push_back(row.configuration);
  }
  if (values.empty()) {
    chart.empty_note = "No configuration has a valid latency run.";
    return chart;
  }
  json ticks = {1, 2};
  double top = 10;
  for (; top < highest_tail; top *= 10) ticks.push_back(top);
  ticks.push_back(top);
  chart.spec = {
      {"width", kWideChart},
      {"height", kChartHeight},
      {"data", {{"values", values}}},
      {"mark", {{"type", "line"}, {"strokeWidth", 1.75}, {"point", {{"size", 14}}}}},
      {"encoding",
       {{"x",
         {{"field", "inverse_tail"},
          {"type", "quantitative"},
          {"scale", {{"type", "log"}, {"domain", {1, top}}}},
          {"axis",
           {{"values", ticks},
            {"labelExpr", "datum.value <= 1 ? '0%' : format(100 - 100 / datum.value, '.6~f') + '%'"},
            {"title", "percentile (log scale of 1/(1 - p))"}}}}},
        {"y",
         {{"field", "latency_ms"}, {"type", "quantitative"}, {"scale", {{"zero", false}}}, {"title", "latency (ms)"}}},
        {"color",
         {{"field", "configuration"},
          {"type", "nominal"},
          {"scale", {{"domain", domain}}},
          {"legend", {{"orient", "top"}, {"title", "configuration"}}}}},
        {"tooltip", json::array({{{"field", "configuration"}},
                                 {{"field", "percentile"}, {"title", "percentile (%)"}, {"format", ".4~f"}},
                                 {{"field", "latency_ms"}, {"title", "latency (ms)"}, {"format", ".3f"}}})}}},
      {"config", chart_config()}};
  return chart;
}

report_chart throughput_chart(const results_file& results) {
  report_chart chart{"throughput", "Throughput per configuration",
                     "Closed-loop throughput of each valid run (points, one per round) and the "
                     "configuration's median (black tick), configurations in plan order.",
                     nullptr, ""};
  json runs = json::array();
  double lowest = std::numeric_limits<double>::infinity();
  double highest = -lowest;
  const auto widen = [&](double v) {
    lowest = std::min(lowest, v);
    highest = std::max(highest, v);
  };
  for (const run_record& run : results.runs) {
    if (!run.throughput_valid) continue;
    runs.push_back({{"configuration", run.configuration}, {"round", run.round + 1}, {"throughput", run.throughput}});
    widen(run.throughput);
  }
  json medians = json::array();
  for (const configuration_summary& row : results.summary.rows) {
    if (row.runs == row.invalid_runs || row.median_throughput <= 0) continue;
    medians.push_back({{"configuration", row.configuration}, {"median", row.median_throughput}});
    widen(row.median_throughput);
  }
  if (runs.empty()) {
    chart.empty_note = "No run has a valid throughput phase.";
    return chart;
  }
  // Differences of a few percent are the point: a zero-based axis would flatten them.
  const double pad = std::max((highest - lowest) * 0.15, highest * 0.01);
  const json y_scale = {{"domain", {std::max(0.0, lowest - pad), highest + pad}}, {"zero", false}};
  const json x = {{"field", "configuration"},
                  {"type", "nominal"},
                  {"scale", {{"domain", configuration_order(results)}, {"paddingInner", 0.3}}},
                  {"axis", {{"labelAngle", 0}, {"title", "configuration"}}}};
  chart.spec = {
      {"width", kWideChart},
      {"height", kChartHeight},
      {"layer",
       json::array({
           {{"data", {{"values", runs}}},
            {"mark", {{"type", "point"}, {"filled", true}, {"size", 55}, {"opacity", 0.8}, {"color", "#4c78a8"}}},
            {"encoding",
             {{"x", x},
              {"xOffset", {{"field", "round"}, {"type", "nominal"}}},
              {"y",
               {{"field", "throughput"},
                {"type", "quantitative"},
                {"scale", y_scale},
                {"title", "requests per second (closed loop)"}}},
              {"tooltip", json::array({{{"field", "configuration"}},
                                       {{"field", "round"}},
                                       {{"field", "throughput"}, {"format", ",.1f"}, {"title", "requests/s"}}})}}}},
           {{"data", {{"values", medians}}},
            {"mark", {{"type", "tick"}, {"color", "black"}, {"thickness", 2.5}, {"size", 60}}},
            {"encoding",
             {{"x", x},
              {"y", {{"field", "median"}, {"type", "quantitative"}, {"scale", y_scale}}},
              {"tooltip", json::array({{{"field", "configuration"}},
                                       {{"field", "median"}, {"format", ",.1f"}, {"title", "median requests/s"}}})}}}},
       })},
      {"config", chart_config()}};
  return chart;
}

}  // namespace

json configuration_order(const results_file& results) {
  json order = json::array();
  for (const configuration_summary& row : results.summary.rows) order.push_back(row.configuration);
  return order;
}

json chart_config() {
  return {{"font", "system-ui, -apple-system, 'Segoe UI', Roboto, 'DejaVu Sans', sans-serif"},
          {"view", {{"stroke", nullptr}}},
          {"axis",
           {{"labelFontSize", 11},
            {"titleFontSize", 12},
            {"titleFontWeight", "normal"},
            {"titleColor", "#333"},
            {"labelColor", "#333"},
            {"gridColor", "#ececec"},
            {"domainColor", "#999"},
            {"tickColor", "#999"}}},
          {"legend", {{"labelFontSize", 11}, {"titleFontSize", 11}, {"titleFontWeight", "normal"}}},
          {"title", {{"fontSize", 13}, {"anchor", "start"}, {"fontWeight", "bold"}}}};
}

std::vector<report_chart> make_report_charts(const results_file& results) {
  std::vector<report_chart> charts;
  charts.push_back(overhead_chart(results));
  charts.push_back(spectrum_chart(results));
  charts.push_back(throughput_chart(results));
  charts.push_back(make_waterfall_chart(results));
  charts.push_back(make_volume_spans_chart(results));
  charts.push_back(make_volume_bytes_chart(results));
  // Pages of experiments without a sweep keep the charts they always had.
  if (results.pipelines && !results.pipelines->memory_sweep.empty()) {
    charts.push_back(make_pipeline_memory_chart(results));
  }
  return charts;
}

}  // namespace tracebench::harness
