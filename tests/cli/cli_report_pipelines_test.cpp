// The reports of a real results file that compared sampling pipelines (rare-failures, trimmed to
// fit): OpenMetrics with exemplars from the stored traces, the Markdown pipeline section, and the
// HTML collector-memory chart, present only when the sweep has points.

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "support/cli_fixture.hpp"
#include "tracebench/report/html_report.hpp"
#include "tracebench/report/markdown_report.hpp"
#include "tracebench/report/pipeline_table.hpp"
#include "tracebench/report/report_content.hpp"
#include "tracebench/results/results_file.hpp"

namespace th = tracebench::harness;
namespace fs = std::filesystem;
using json = nlohmann::json;
using tracebench::testing_support::cli_fixture;
using tracebench::testing_support::lines;
using tracebench::testing_support::quote;
using tracebench::testing_support::run_result;
using tracebench::testing_support::slurp;

namespace {

const std::string kData = TRACEBENCH_SOURCE_DIR "/tests/data/";
const std::string kPipelinesFixture = kData + "results-rare-failures.json";
const std::string kFamily = "tracebench_request_latency_seconds";

th::results_file fixture(const std::string& name) {
  return th::parse_results_file(nlohmann::ordered_json::parse(slurp(kData + name)), name);
}

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

// The pipe-table line of a row as pipe_table writes it, between the newlines around it. Appended
// piece by piece because GCC 12 warns (-Wrestrict) on "\n" + std::string.
std::string markdown_line(const std::vector<std::string>& cells) {
  std::string line = "\n|";
  for (const std::string& cell : cells) line.append(" ").append(cell).append(" |");
  line.push_back('\n');
  return line;
}

TEST(ReportPipelines, FixtureHasWhatTheseTestsNeed) {
  const th::results_file results = fixture("results-rare-failures.json");
  ASSERT_TRUE(results.pipelines.has_value());
  EXPECT_FALSE(results.pipelines->rows.empty());
  EXPECT_FALSE(results.pipelines->memory_sweep.empty());
  std::size_t exemplars = 0;
  for (const th::pipeline_row& row : results.pipelines->rows) exemplars += row.exemplars.size();
  EXPECT_GT(exemplars, 0U);
  EXPECT_LT(fs::file_size(kPipelinesFixture), 300'000U) << "keep the fixture small";
}

TEST(ReportPipelines, OpenMetricsHasASeriesPerConfigurationAndExemplarsOfItsOwnTraces) {
  const th::results_file results = fixture("results-rare-failures.json");
  const std::string text = th::render_openmetrics_report(results);
  ASSERT_TRUE(text.ends_with("\n# EOF\n")) << text.substr(text.size() > 200 ? text.size() - 200 : 0);
  EXPECT_EQ(text.find("# EOF"), text.size() - 6) << "# EOF only at the end";
  EXPECT_TRUE(text.starts_with("# TYPE " + kFamily + " histogram\n# UNIT " + kFamily + " seconds\n"));

  std::map<std::string, std::set<std::string>> stored;  // configuration -> its exemplars' trace ids
  for (const th::pipeline_row& row : results.pipelines->rows) {
    for (const auto& e : row.exemplars) stored[row.configuration].insert(e.trace_id);
  }

  // configuration, le, count, then the exemplar's trace id and value when there is one.
  const std::regex bucket(kFamily + R"re(_bucket\{configuration="([^"]*)",le="([^"]*)"\} ([0-9]+))re" +
                          R"re((?: # \{trace_id="([0-9a-f]{32})"\} ([0-9.e+-]+)(?: [0-9.]+)?)?)re");
  const std::regex count(kFamily + R"re(_count\{configuration="([^"]*)"\} ([0-9]+))re");
  std::map<std::string, std::uint64_t> counts;
  constexpr double kInfinity = std::numeric_limits<double>::infinity();
  std::map<std::string, double> previous_le;  // per configuration, the bound of the bucket before
  std::size_t exemplars = 0;
  for (const std::string& line : split_lines(text)) {
    std::smatch m;
    if (std::regex_match(line, m, count)) {
      counts[m[1]] = std::stoull(m[2]);
      continue;
    }
    if (!std::regex_match(line, m, bucket)) continue;
    const std::string configuration = m[1];
    const double le = m[2] == "+Inf" ? kInfinity : std::stod(m[2]);
    const double low = previous_le.contains(configuration) ? previous_le[configuration] : -kInfinity;
    previous_le[configuration] = le;
    if (!m[4].matched) continue;
    ++exemplars;
    EXPECT_TRUE(stored[configuration].contains(m[4])) << "not a stored trace of " << configuration << ": " << line;
    const double value = std::stod(m[5]);
    EXPECT_GT(value, low) << line;
    EXPECT_LE(value, le) << line;
  }
  EXPECT_GT(exemplars, 0U);
  ASSERT_EQ(counts.size(), results.summary.rows.size());
  for (const th::configuration_summary& row : results.summary.rows) {
    ASSERT_TRUE(counts.contains(row.configuration)) << "no series for " << row.configuration;
    EXPECT_EQ(counts[row.configuration], row.latency.count()) << row.configuration;
  }
}

TEST(ReportPipelines, OpenMetricsWithoutPipelinesHasNoExemplars) {
  const th::results_file results = fixture("results-checkout.json");
  ASSERT_FALSE(results.pipelines.has_value());
  const std::string text = th::render_openmetrics_report(results);
  EXPECT_TRUE(text.ends_with("\n# EOF\n"));
  EXPECT_EQ(text.find(" # {"), std::string::npos);
  for (const th::configuration_summary& row : results.summary.rows) {
    EXPECT_NE(text.find(kFamily + "_count{configuration=\"" + row.configuration + "\"} "), std::string::npos)
        << row.configuration;
  }
}

TEST(ReportPipelines, MarkdownHasThePipelineSectionWithTheTerminalsTables) {
  const th::results_file results = fixture("results-rare-failures.json");
  const std::string md = th::render_markdown_report(results);
  const std::size_t begin = md.find("\n## Sampling pipelines\n");
  ASSERT_NE(begin, std::string::npos);
  const std::string section = md.substr(begin, md.find("\n## ", begin + 1) - begin);
  EXPECT_NE(section.find("### Reweighted estimates against ground truth"), std::string::npos);
  EXPECT_NE(section.find("### Collector memory against decision wait and load"), std::string::npos);

  const th::pipeline_tables tables = th::make_pipeline_tables(*results.pipelines);
  for (const auto* table : {&tables.kept, &tables.reweighting, &tables.memory}) {
    for (const std::vector<std::string>& row : *table) {
      EXPECT_NE(section.find(markdown_line(row)), std::string::npos) << markdown_line(row);
    }
  }
  for (const th::pipeline_row& row : results.pipelines->rows) {
    EXPECT_NE(section.find("\n| " + row.configuration + " | " + std::to_string(row.runs) + " | "), std::string::npos)
        << row.configuration;
  }
  for (const std::string& note : tables.notes) EXPECT_NE(section.find(note), std::string::npos) << note;
}

TEST(ReportPipelines, MarkdownWithoutPipelinesHasNoSection) {
  EXPECT_EQ(th::render_markdown_report(fixture("results-checkout.json")).find("Sampling pipelines"), std::string::npos);
}

class ReportPipelinesHtml : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    assets_ = fs::temp_directory_path() /
              ("tracebench_report_pipelines_" + std::string(info->name()) + "_" + std::to_string(::getpid()));
    for (const char* package : {"vega", "vega-lite", "vega-embed"}) {
      fs::create_directories(assets_ / package / "build");
      std::ofstream(assets_ / package / "build" / (std::string(package) + ".min.js")) << "/* stub */";
    }
  }
  void TearDown() override { fs::remove_all(assets_); }

  [[nodiscard]] std::string html(const th::results_file& results) const {
    return th::render_html_report(results, assets_);
  }

  static json chart_specs(const std::string& page) {
    const std::string open = R"(<script type="application/json" id="chart-specs">)";
    const std::size_t begin = page.find(open);
    if (begin == std::string::npos) return nullptr;
    const std::size_t from = begin + open.size();
    return json::parse(page.substr(from, page.find("</script>", from) - from));
  }

  fs::path assets_;
};

constexpr std::string_view kMemoryChart =
    R"(<div class="chart" id="chart-pipeline-memory" data-chart="pipeline-memory">)";

TEST_F(ReportPipelinesHtml, MemoryChartPlotsEverySweepPoint) {
  const th::results_file results = fixture("results-rare-failures.json");
  const std::string page = html(results);
  EXPECT_NE(page.find(kMemoryChart), std::string::npos);
  EXPECT_NE(page.find(R"(<section id="pipelines" class="pipelines">)"), std::string::npos);
  const json spec = chart_specs(page)["pipeline-memory"];
  ASSERT_TRUE(spec.is_object());
  const std::size_t points = results.pipelines->memory_sweep.size();
  std::size_t traces = 0;
  std::size_t bytes = 0;
  for (const json& panel : spec["vconcat"][0]["hconcat"]) traces += panel["data"]["values"].size();
  for (const json& panel : spec["vconcat"][1]["hconcat"]) bytes += panel["data"]["values"].size();
  EXPECT_EQ(traces, 2 * points) << "held and Little's law per point";
  EXPECT_EQ(bytes, points);
}

TEST_F(ReportPipelinesHtml, NoMemoryChartWithoutSweepPoints) {
  th::results_file results = fixture("results-rare-failures.json");
  results.pipelines->memory_sweep.clear();
  const std::string page = html(results);
  EXPECT_NE(page.find(R"(<section id="pipelines" class="pipelines">)"), std::string::npos);
  EXPECT_EQ(page.find("pipeline-memory"), std::string::npos) << "neither the chart nor the sweep table";
  EXPECT_FALSE(chart_specs(page).contains("pipeline-memory"));

  const std::string without = html(fixture("results-checkout.json"));
  EXPECT_EQ(without.find("pipeline"), std::string::npos);
}

class ReportPipelinesCli : public cli_fixture {};

TEST_F(ReportPipelinesCli, OpenMetricsToStdoutAndToAFile) {
  const run_result printed = run("report --format openmetrics " + quote(kPipelinesFixture));
  ASSERT_EQ(printed.exit_code, 0) << printed.err;
  EXPECT_EQ(printed.err, "");
  EXPECT_EQ(printed.out, th::render_openmetrics_report(fixture("results-rare-failures.json")));

  const fs::path file = dir_ / "latency.txt";
  const run_result written = run("report --format openmetrics -o " + quote(file) + " " + quote(kPipelinesFixture));
  ASSERT_EQ(written.exit_code, 0) << written.err;
  EXPECT_EQ(written.out, "");
  EXPECT_EQ(slurp(file), printed.out);
  std::size_t entries = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir_)) ++entries;
  EXPECT_EQ(entries, 3U) << "stdout, stderr and latency.txt only: no temporary left";
}

TEST_F(ReportPipelinesCli, BadFormatNamesOpenMetricsAndHelpListsIt) {
  const run_result bad = run("report --format prometheus " + quote(kPipelinesFixture));
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_EQ(lines(bad.err), 1U) << bad.err;
  EXPECT_NE(bad.err.find("--format must be markdown, html, csv or openmetrics, not 'prometheus'"), std::string::npos)
      << bad.err;
  const run_result help = run("report --help");
  EXPECT_EQ(help.exit_code, 0) << help.err;
  EXPECT_NE(help.out.find("markdown|html|csv|openmetrics"), std::string::npos) << help.out;
}

}  // namespace
