// The report's span-volume charts: spans exported per second, and bytes per day, per
// configuration on log axes.

#include <algorithm>
#include <optional>
#include <string>
#include <utility>

#include "report_charts.hpp"
#include "tracebench/common/text_format.hpp"
#include "tracebench/results/span_volume.hpp"

namespace tracebench::harness {

namespace {

using json = nlohmann::json;

constexpr int kBarsWidth = 700;  // plot area, px

// Horizontal bars per configuration on a log axis; configurations with nothing get a text
// "none" where their bar would start, so every configuration keeps its row.
json log_bars(const results_file& results, json values, const std::string& value_title, const std::string& axis_format,
              const std::string& label_format, const json& series) {
  const json y = {{"field", "configuration"},
                  {"type", "nominal"},
                  {"scale", {{"domain", configuration_order(results)}, {"paddingInner", 0.25}}},
                  {"axis", {{"title", nullptr}}}};
  json bar_encoding = {{"y", y},
                       {"x",
                        {{"field", "value"},
                         {"type", "quantitative"},
                         {"stack", nullptr},  // stacked bars start at 0, which a log scale has not
                         {"scale", {{"type", "log"}, {"nice", true}}},
                         {"axis", {{"title", value_title}, {"format", axis_format}}}}},
                       {"tooltip", json::array({{{"field", "configuration"}},
                                                {{"field", "series"}, {"title", "what"}},
                                                {{"field", "value"}, {"format", ",.0f"}, {"title", value_title}}})}};
  json label_encoding = {{"y", y},
                         {"x", {{"field", "value"}, {"type", "quantitative"}}},
                         {"text", {{"field", "value"}, {"type", "quantitative"}, {"format", label_format}}}};
  const double rows = static_cast<double>(results.summary.rows.size());
  const int height = static_cast<int>(std::max(120.0, rows * (series.is_null() ? 26 : 36)));
  if (!series.is_null()) {
    const json offset = {{"field", "series"}, {"type", "nominal"}, {"scale", {{"domain", series}}}};
    bar_encoding["yOffset"] = offset;
    bar_encoding["color"] = {{"field", "series"},
                             {"type", "nominal"},
                             {"scale", {{"domain", series}, {"range", {"#4c78a8", "#f58518"}}}},
                             {"legend", {{"orient", "top"}, {"title", nullptr}}}};
    label_encoding["yOffset"] = offset;
  }
  return {
      {"width", kBarsWidth},
      {"height", height},
      {"data", {{"values", std::move(values)}}},
      {"layer", json::array({
                    {{"transform", json::array({{{"filter", "datum.value > 0"}}})},
                     {"mark", {{"type", "bar"}, {"color", "#4c78a8"}}},
                     {"encoding", bar_encoding}},
                    {{"transform", json::array({{{"filter", "datum.value > 0"}}})},
                     {"mark", {{"type", "text"}, {"align", "left"}, {"dx", 4}, {"fontSize", 10}, {"color", "#333"}}},
                     {"encoding", label_encoding}},
                    {{"transform", json::array({{{"filter", "!(datum.value > 0)"}}})},
                     {"mark", {{"type", "text"}, {"align", "left"}, {"dx", 4}, {"fontSize", 10}, {"color", "#777"}}},
                     {"encoding", {{"y", y}, {"x", {{"value", 0}}}, {"text", {{"value", "none exported"}}}}}},
                })},
      {"config", chart_config()}};
}

}  // namespace

report_chart make_volume_spans_chart(const results_file& results) {
  const std::string rate = format_thousands(results.summary.offered_rate);
  report_chart chart{"volume-spans", "Spans exported per second",
                     "Spans each configuration exported per second during its open-loop runs at " + rate +
                         " requests/s (median over runs), on a log axis; off and never export none.",
                     nullptr, ""};
  json values = json::array();
  bool any = false;
  for (const configuration_summary& row : results.summary.rows) {
    values.push_back({{"configuration", row.configuration}, {"series", "spans/s"}, {"value", row.spans_per_second}});
    any = any || row.spans_per_second > 0;
  }
  if (!any) {
    chart.empty_note = "No configuration exported spans.";
    return chart;
  }
  chart.spec = log_bars(results, std::move(values), "spans per second (log scale)", "~s", ",.4~r", nullptr);
  return chart;
}

report_chart make_volume_bytes_chart(const results_file& results) {
  report_chart chart{"volume-bytes", "Trace data per day", "", nullptr, ""};
  const bool projected = std::any_of(results.summary.rows.begin(), results.summary.rows.end(),
                                     [](const configuration_summary& row) { return row.projection.has_value(); });
  json values = json::array();
  bool any = false;
  const auto add = [&](const std::string& configuration, const char* series, std::optional<double> bytes) {
    values.push_back({{"configuration", configuration}, {"series", series}, {"value", bytes.value_or(0.0)}});
    any = any || bytes.value_or(0.0) > 0;
  };
  double production_spans = 0;
  for (const configuration_summary& row : results.summary.rows) {
    if (projected) {
      if (!row.projection) continue;
      production_spans = row.projection->spans_per_second;
      add(row.configuration, "OTLP/JSON", row.projection->sampled.otlp_json_bytes);
      add(row.configuration, "zstd", row.projection->sampled.zstd_bytes);
    } else {
      // Without a production profile the runs' own load is the only rate there is.
      const double spans_per_day = row.spans_per_second * kSecondsPerDay;
      add(row.configuration, "OTLP/JSON", spans_per_day * row.bytes_per_span);
      add(row.configuration, "zstd", spans_per_day * row.zstd_bytes_per_span.value_or(0.0));
    }
  }
  chart.caption = projected ? "Bytes per day each configuration would export at the scenario's production rate (" +
                                  format_thousands(production_spans) +
                                  " spans/s if every span were kept), as OTLP/JSON and zstd-compressed, "
                                  "on a log axis; off and never export none."
                            : "Bytes per day each configuration exports at the runs' offered load of " +
                                  format_thousands(results.summary.offered_rate) +
                                  " requests/s (the scenario has no production profile), as OTLP/JSON and "
                                  "zstd-compressed, on a log axis; off and never export none.";
  if (!any) {
    chart.empty_note = "No configuration exported spans, or none has a known size per span.";
    return chart;
  }
  chart.spec = log_bars(results, std::move(values), "bytes per day (log scale)", "~s", ".3~s",
                        json::array({"OTLP/JSON", "zstd"}));
  return chart;
}

}  // namespace tracebench::harness
