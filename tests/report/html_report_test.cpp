// The HTML report made from a results file built here, against stub libraries in a scratch
// assets directory: the page's charts and their data, its self-containment, and the escaping
// of whatever lands inside its <script> elements.

#include "tracebench/report/html_report.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

namespace th = tracebench::harness;
namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

const std::vector<std::string> kChartIds = {"overhead",  "spectrum",     "throughput",
                                            "waterfall", "volume-spans", "volume-bytes"};

th::metric_delta delta(double median) {
  th::metric_delta d;
  d.per_round = {median - 1, median, median + 2};
  d.stats = th::summary{median, median - 1, median + 2, 0.75, median - 1 < 0};
  return d;
}

th::configuration_summary row(const std::string& configuration, double probability, double latency_ms) {
  th::configuration_summary r;
  r.configuration = configuration;
  r.baseline = configuration == "off";
  r.runs = 3;
  r.median_throughput = 1000 - 10 * probability;
  r.median_cpu_ns_per_request = 50'000;
  for (int i = 1; i <= 2000; ++i) {
    r.latency.record(static_cast<std::int64_t>(latency_ms * 1e6) + i * 1'000);
  }
  if (!r.baseline) {
    r.throughput = delta(-probability);
    r.cpu_per_request = delta(5 * probability);
    r.mean_latency = delta(3 * probability);
    r.p50_latency = delta(2 * probability);
    r.p99_latency = delta(8 * probability);
  }
  r.sampled_fraction = probability;
  r.spans_per_second = 13 * 100 * probability;
  r.bytes_per_span = probability > 0 ? 400 : 0;
  if (probability > 0) r.zstd_bytes_per_span = 60;
  r.projection = th::project_volume(100'000, probability, 400.0, 60.0);
  return r;
}

th::results_file sample_results(bool with_trace) {
  th::results_file results;
  results.origin = "synthetic <results>.json";
  // What report_content reads of the document as written; the rest comes from the summary.
  results.document = {{"complete", true},
                      {"environment", {{"cpu_model", "Test CPU"}, {"cores", 2}}},
                      {"plan", {{"rounds", 3}, {"configurations", {"off", "never", "1/1", "1/16"}}}}};
  results.summary.scenario_name = "checkout";
  results.summary.offered_rate = 100;
  results.summary.rows = {row("off", 0, 10), row("never", 0, 10.1), row("1/1", 1, 11), row("1/16", 1.0 / 16, 10.2)};
  for (const th::configuration_summary& r : results.summary.rows) {
    for (unsigned round = 0; round < 3; ++round) {
      th::run_record run;
      run.configuration = r.configuration;
      run.round = round;
      run.throughput = r.median_throughput + round;
      results.runs.push_back(run);
    }
  }
  if (with_trace) {
    th::recorded_trace trace;
    trace.configuration = "1/1";
    trace.requests = 12'800;
    trace.offered_rate = 64;
    trace.trace_id = "4bf92f3577b34da6a3ce929d0e0e4736";
    trace.duration_ns = 120'000'000;
    trace.spans = {
        {"00f067aa0ba902b7", "", "gateway", "POST /checkout", "server", 0, 120'000'000, false},
        {"00f067aa0ba902b8", "00f067aa0ba902b7", "gateway", "PlaceOrder", "client", 1'000'000, 100'000'000, false},
        {"00f067aa0ba902b9", "00f067aa0ba902b7", "gateway", "GET </script><!-- audit", "client", 2'000'000, 10'000'000,
         true}};
    results.slowest_trace = trace;
  }
  return results;
}

class HtmlReport : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    assets_ = fs::temp_directory_path() /
              ("tracebench_html_report_" + std::string(info->name()) + "_" + std::to_string(::getpid()));
    // Each stub names a URL the way real library code does, and vega's holds what would end
    // its <script> element early.
    stub("vega", "vega.min.js", "/*stub-vega-begin*/var vega={s:\"</script><!-- \",t:'</SCRIPT >'};/*stub-vega-end*/");
    stub("vega-lite", "vega-lite.min.js", "var vegaLite={home:\"https://vega.github.io/vega-lite\"};");
    stub("vega-embed", "vega-embed.min.js", "function vegaEmbed(){return Promise.resolve();}");
  }
  void TearDown() override { fs::remove_all(assets_); }

  void stub(const std::string& package, const std::string& file, const std::string& code) const {
    fs::create_directories(assets_ / package / "build");
    std::ofstream(assets_ / package / "build" / file) << code;
    std::ofstream(assets_ / package / "package.json") << R"({"name":")" << package << R"(","version":"0.0.1"})";
  }

  fs::path assets_;
};

// The page without the inlined libraries, which may name URLs in their own strings.
std::string without_libraries(std::string html) {
  for (;;) {
    const std::size_t open = html.find("<script data-library=");
    if (open == std::string::npos) return html;
    const std::size_t close = html.find("</script>", open);
    html.erase(open, close + 9 - open);
  }
}

json chart_specs(const std::string& html) {
  const std::string open = R"(<script type="application/json" id="chart-specs">)";
  const std::size_t begin = html.find(open);
  if (begin == std::string::npos) return nullptr;
  const std::size_t end = html.find("</script>", begin);
  return json::parse(html.substr(begin + open.size(), end - begin - open.size()));
}

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
  return text;
}

}  // namespace

TEST_F(HtmlReport, EveryChartHasItsElementAndSpec) {
  const std::string html = th::render_html_report(sample_results(true), assets_);
  const json specs = chart_specs(html);
  ASSERT_TRUE(specs.is_object());
  for (const std::string& id : kChartIds) {
    EXPECT_NE(html.find("<div class=\"chart\" id=\"chart-" + id + "\" data-chart=\"" + id + "\">"), std::string::npos)
        << id;
    EXPECT_TRUE(specs.contains(id)) << id;
  }
  EXPECT_EQ(html.find("data-empty"), std::string::npos);
}

TEST_F(HtmlReport, NeedsNoNetwork) {
  const std::string html = th::render_html_report(sample_results(true), assets_);
  EXPECT_NE(html.find("https://vega.github.io/vega-lite"), std::string::npos) << "the stub is inlined";
  const std::string page = lower(without_libraries(html));
  for (const char* pattern :
       {"src=\"http", "href=\"http", "src='http", "href='http", "http://", "https://", "<link", "@import", "url("}) {
    EXPECT_EQ(page.find(pattern), std::string::npos) << pattern;
  }
  EXPECT_NE(page.find("actions: false"), std::string::npos);
  EXPECT_NE(page.find("renderer: 'svg'"), std::string::npos);
}

TEST_F(HtmlReport, SpectrumLeavesOutTheInfiniteRow) {
  const th::results_file results = sample_results(true);
  const json values = chart_specs(th::render_html_report(results, assets_))["spectrum"]["data"]["values"];
  std::map<std::string, std::size_t> rows;
  for (const json& v : values) {
    ASSERT_TRUE(v["inverse_tail"].is_number()) << v.dump();
    EXPECT_TRUE(std::isfinite(v["inverse_tail"].get<double>()));
    EXPECT_LT(v["percentile"].get<double>(), 100.0);
    ++rows[v["configuration"].get<std::string>()];
  }
  ASSERT_EQ(rows.size(), results.summary.rows.size());
  for (const th::configuration_summary& r : results.summary.rows) {
    const std::size_t spectrum = r.latency.percentile_spectrum().size();
    ASSERT_GT(spectrum, 2U);
    EXPECT_EQ(rows[r.configuration], spectrum - 1) << r.configuration;
  }
}

TEST_F(HtmlReport, ScriptTerminatorsInLibrariesAreEscaped) {
  const std::string html = th::render_html_report(sample_results(true), assets_);
  const std::size_t begin = html.find("/*stub-vega-begin*/");
  const std::size_t end = html.find("/*stub-vega-end*/");
  ASSERT_NE(begin, std::string::npos);
  ASSERT_NE(end, std::string::npos);
  const std::string inlined = html.substr(begin, end - begin);
  EXPECT_EQ(lower(inlined).find("</script"), std::string::npos) << inlined;
  EXPECT_EQ(inlined.find("<!--"), std::string::npos) << inlined;
  EXPECT_NE(inlined.find(R"(<\/script>\x3C!-- )"), std::string::npos) << inlined;
  EXPECT_NE(inlined.find(R"(<\/SCRIPT >)"), std::string::npos) << inlined;
}

TEST_F(HtmlReport, ScriptTerminatorsInDataAreEscaped) {
  const std::string html = th::render_html_report(sample_results(true), assets_);
  const std::string open = R"(<script type="application/json" id="chart-specs">)";
  const std::size_t begin = html.find(open) + open.size();
  const std::string data = html.substr(begin, html.find("</script>", begin) - begin);
  EXPECT_EQ(data.find("<"), std::string::npos);
  const json spans = chart_specs(html)["waterfall"]["data"]["values"];
  ASSERT_EQ(spans.size(), 3U);
  EXPECT_EQ(spans[2]["name"], "GET </script><!-- audit") << "read back unchanged";
  // And text outside scripts is escaped as HTML.
  EXPECT_NE(html.find("synthetic &lt;results&gt;.json"), std::string::npos);
}

TEST_F(HtmlReport, WaterfallMarksTheCriticalPath) {
  const json spec = chart_specs(th::render_html_report(sample_results(true), assets_))["waterfall"];
  const json spans = spec["data"]["values"];
  ASSERT_EQ(spans.size(), 3U);
  // Tree order: the root, then its children by start.
  EXPECT_EQ(spans[0]["name"], "POST /checkout");
  EXPECT_EQ(spans[0]["path"], "on the critical path");
  EXPECT_EQ(spans[1]["name"], "PlaceOrder");
  EXPECT_EQ(spans[1]["path"], "on the critical path");
  EXPECT_EQ(spans[2]["path"], "not on it");
  EXPECT_EQ(spans[2]["error"], true);
  const std::string title = spec["title"].dump();
  EXPECT_NE(title.find("4bf92f3577b34da6a3ce929d0e0e4736"), std::string::npos) << title;
  EXPECT_NE(title.find("120 ms"), std::string::npos) << title;
  EXPECT_NE(title.find("1/1"), std::string::npos) << title;
  EXPECT_NE(title.find("slowest of 12,800 requests at 64 requests/s"), std::string::npos) << title;
}

TEST_F(HtmlReport, NoTraceLeavesTheWaterfallElementWithANote) {
  const std::string html = th::render_html_report(sample_results(false), assets_);
  const std::size_t element = html.find("id=\"chart-waterfall\"");
  ASSERT_NE(element, std::string::npos);
  EXPECT_NE(html.find("data-empty=\"No trace recorded", element), std::string::npos);
  EXPECT_FALSE(chart_specs(html).contains("waterfall"));
}

TEST_F(HtmlReport, OverheadPlotsSampledConfigurationsOnly) {
  const json spec = chart_specs(th::render_html_report(sample_results(true), assets_))["overhead"];
  std::map<std::string, std::size_t> points;
  for (const json& v : spec["data"]["values"]) ++points[v["configuration"].get<std::string>()];
  EXPECT_EQ(points, (std::map<std::string, std::size_t>{{"1/1", 5}, {"1/16", 5}}));
}

TEST_F(HtmlReport, AdaptiveRunsHaveAPrecisionSection) {
  th::results_file results = sample_results(false);
  EXPECT_EQ(th::render_html_report(results, assets_).find("id=\"precision\""), std::string::npos);
  th::adaptive_outcome adaptive;
  adaptive.min_rounds = 3;
  adaptive.ended = th::rounds_end::precision_reached;
  th::target_progress cpu;
  cpu.target = {th::comparison_metric::cpu, 5};
  cpu.reached = true;
  cpu.worst_half_width = 1.5;
  cpu.worst_configuration = "1/1";
  adaptive.precision.targets.push_back(cpu);
  results.summary.adaptive = adaptive;
  results.summary.rounds = 3;
  const std::string html = th::render_html_report(results, assets_);
  const std::size_t section = html.find("<section id=\"precision\">\n<h2>Precision</h2>");
  ASSERT_NE(section, std::string::npos);
  EXPECT_NE(html.find("<li>cpu \u00b15%: reached after 3 rounds (worst \u00b11.5%, 1/1)</li>", section),
            std::string::npos)
      << html.substr(section, 600);
}

TEST_F(HtmlReport, MissingLibraryIsOneLineNamingItAndTheInstall) {
  const fs::path missing = assets_ / "vega-lite" / "build" / "vega-lite.min.js";
  fs::remove(missing);
  try {
    (void)th::render_html_report(sample_results(true), assets_);
    FAIL() << "no error";
  } catch (const th::report_assets_error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find(missing.string()), std::string::npos) << what;
    EXPECT_NE(what.find("run: npm ci --prefix harness/report-assets"), std::string::npos) << what;
    EXPECT_EQ(what.find('\n'), std::string::npos) << what;
  }
}

TEST(HtmlReportAssets, EnvironmentOverridesTheSourceTree) {
  ::unsetenv("TRACEBENCH_REPORT_ASSETS");
  EXPECT_EQ(th::default_report_assets(), fs::path(TRACEBENCH_SOURCE_DIR "/harness/report-assets/node_modules"));
  ::setenv("TRACEBENCH_REPORT_ASSETS", "/opt/assets", 1);
  EXPECT_EQ(th::default_report_assets(), fs::path("/opt/assets"));
  ::unsetenv("TRACEBENCH_REPORT_ASSETS");
}

namespace {

TEST_F(HtmlReport, MemorySectionOnlyWhenTheRunsMeasuredIt) {
  th::results_file results = sample_results(true);
  EXPECT_EQ(th::render_html_report(results, assets_).find("<section id=\"memory\">"), std::string::npos);

  for (th::configuration_summary& r : results.summary.rows) {
    r.median_peak_rss_bytes = 52'300'000;
    r.median_heap_in_use_bytes = 12'100'000;
    r.median_allocations_per_request = r.baseline ? 12 : 31.5;
    if (r.baseline) continue;
    r.peak_rss = delta(4);
    r.heap_in_use = delta(9);
    r.allocations_per_request = delta(162.5);
    r.allocations_added_per_request = delta(19.5);
  }
  const std::string html = th::render_html_report(results, assets_);
  const std::size_t section = html.find("<section id=\"memory\">");
  ASSERT_NE(section, std::string::npos);
  const std::string memory = html.substr(section, html.find("</section>", section) - section);
  for (const char* wanted :
       {"<th>allocs/req added</th>", "<td>52.3&nbsp;MB</td>", "<td>31.5</td>", "<td>+19.50 [+18.50,&nbsp;+21.50]</td>",
        "<td>+162.50% [+161.50,&nbsp;+164.50]</td>", "operator new"})
    EXPECT_NE(memory.find(wanted), std::string::npos) << wanted << '\n' << memory;
}

}  // namespace
