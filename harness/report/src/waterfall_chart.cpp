// The report's waterfall of the slowest sampled trace: a bar per span in tree order, the
// spans on the critical path in their own colour.

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "report_charts.hpp"
#include "tracebench/common/text_format.hpp"
#include "tracebench/results/trace_waterfall.hpp"

namespace tracebench::harness {

namespace {

using json = nlohmann::json;

constexpr int kPlotWidth = 640;
constexpr int kLabelWidth = 320;  // px left of the bars for "service: name", indented by depth
constexpr int kRowHeight = 20;
constexpr std::string_view kOnPath = "on the critical path";
constexpr std::string_view kOffPath = "not on it";
// Vega trims label text, non-breaking spaces included: a zero-width space (not white space to
// JavaScript) keeps the indentation in.
constexpr std::string_view kIndentStart = "\u200b";
constexpr std::string_view kIndent = "\u00a0\u00a0\u00a0";

std::string format_duration(std::int64_t ns) { return format_duration_us(static_cast<double>(ns) / 1e3); }

}  // namespace

report_chart make_waterfall_chart(const results_file& results) {
  report_chart chart{"waterfall", "Slowest sampled trace",
                     "Each span of the slowest sampled request of a capture run as a bar from its start "
                     "to its end, in call-tree order, with the spans on its critical path (what the "
                     "request's duration waited on) in red.",
                     nullptr, ""};
  if (!results.slowest_trace) {
    chart.empty_note =
        "No trace recorded: remote runs and results files written before traces were "
        "captured have none.";
    return chart;
  }
  const recorded_trace& trace = *results.slowest_trace;
  if (trace.spans.empty()) {
    chart.empty_note = "The recorded trace has no spans.";
    return chart;
  }

  const std::vector<bool> critical = on_critical_path(trace);
  const std::vector<waterfall_row> order = waterfall_order(trace);
  // Rows are keyed by their position so that two spans with the same label keep two rows; the
  // axis shows the key without its prefix.
  const std::size_t key_width = std::to_string(order.size()).size();
  json values = json::array();
  std::int64_t latest_end = 0;
  for (std::size_t position = 0; position < order.size(); ++position) {
    const recorded_span& span = trace.spans[order[position].span];
    std::string key = std::to_string(position);
    key.insert(0, key_width - key.size(), '0');
    key += ' ';
    if (order[position].depth > 0) key += kIndentStart;
    for (std::size_t d = 0; d < order[position].depth; ++d) key += kIndent;
    key += span.service + ": " + span.name;
    if (span.kind != "server" && !span.kind.empty()) key += " (" + span.kind + ")";
    const std::int64_t end = span.start_ns + std::max<std::int64_t>(span.duration_ns, 0);
    latest_end = std::max(latest_end, end);
    values.push_back({{"key", key},
                      {"service", span.service},
                      {"name", span.name},
                      {"kind", span.kind},
                      {"span_id", span.span_id},
                      {"start_ms", static_cast<double>(span.start_ns) / 1e6},
                      {"end_ms", static_cast<double>(end) / 1e6},
                      {"duration", format_duration(span.duration_ns)},
                      {"error", span.error},
                      {"path", critical[order[position].span] ? kOnPath : kOffPath}});
  }

  const std::string title =
      "Trace " + trace.trace_id + ": " + format_duration(trace.duration_ns) + ", traced " + trace.configuration;
  const std::string subtitle = "the slowest of " + format_thousands(static_cast<double>(trace.requests)) +
                               " requests at " + format_count(trace.offered_rate) + " requests/s";
  // Room to the right of the last bar for its duration label.
  const double domain_end = static_cast<double>(latest_end) / 1e6 * 1.12;
  const json y = {{"field", "key"},
                  {"type", "nominal"},
                  {"sort", nullptr},
                  {"axis",
                   {{"title", nullptr},
                    {"labelExpr", "substring(datum.value, " + std::to_string(key_width + 1) + ")"},
                    // Left-aligned in a fixed gutter, so that the indentation shows the tree.
                    {"labelAlign", "left"},
                    {"labelPadding", kLabelWidth},
                    {"labelLimit", kLabelWidth - 8},
                    {"labelFontSize", 11},
                    {"ticks", false},
                    {"domain", false}}}};
  const json x = {{"field", "start_ms"},
                  {"type", "quantitative"},
                  {"scale", {{"domain", {0, domain_end}}, {"nice", false}}},
                  {"axis", {{"orient", "top"}, {"title", "ms from the trace's first span"}}}};
  chart.spec = {
      {"title", {{"text", title}, {"subtitle", subtitle}}},
      {"width", kPlotWidth},
      {"height", static_cast<int>(order.size()) * kRowHeight},
      {"data", {{"values", values}}},
      {"encoding", {{"y", y}}},
      {"layer",
       json::array({
           {{"mark", {{"type", "bar"}, {"height", kRowHeight - 6}, {"cornerRadius", 1.5}}},
            {"encoding",
             {{"x", x},
              {"x2", {{"field", "end_ms"}}},
              {"color",
               {{"field", "path"},
                {"type", "nominal"},
                {"scale", {{"domain", {kOnPath, kOffPath}}, {"range", {"#d6404e", "#9ec3e6"}}}},
                {"legend", {{"orient", "top"}, {"title", nullptr}}}}},
              {"stroke", {{"condition", {{"test", "datum.error"}, {"value", "black"}}}, {"value", nullptr}}},
              {"tooltip", json::array({{{"field", "service"}},
                                       {{"field", "name"}},
                                       {{"field", "kind"}},
                                       {{"field", "span_id"}, {"title", "span id"}},
                                       {{"field", "start_ms"}, {"title", "start (ms)"}, {"format", ".3f"}},
                                       {{"field", "duration"}},
                                       {{"field", "error"}},
                                       {{"field", "path"}, {"title", "critical path"}}})}}}},
           {{"mark", {{"type", "text"}, {"align", "left"}, {"dx", 4}, {"fontSize", 10}, {"color", "#444"}}},
            {"encoding", {{"x", {{"field", "end_ms"}, {"type", "quantitative"}}}, {"text", {{"field", "duration"}}}}}},
       })},
      {"config", chart_config()}};
  return chart;
}

}  // namespace tracebench::harness
