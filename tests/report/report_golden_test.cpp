// The Markdown and CSV reports of a committed results file, byte for byte against committed
// golden files. After an intended change of wording or layout, regenerate them with
//   TRACEBENCH_UPDATE_GOLDEN=1 build/release/tests/report_golden_test
// and review the diff like any other change.

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "tracebench/report/csv_report.hpp"
#include "tracebench/report/markdown_report.hpp"
#include "tracebench/results/results_file.hpp"

namespace harness = tracebench::harness;

namespace {

const std::string kData = TRACEBENCH_SOURCE_DIR "/tests/data/";

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Named as a user would pass it, so the report's "from FILE" line does not depend on the checkout.
harness::results_file fixture() {
  return harness::parse_results_file(nlohmann::ordered_json::parse(slurp(kData + "results-checkout.json")),
                                     "results-checkout.json");
}

void expect_golden(const std::string& rendered, const std::string& golden_name) {
  const std::string path = kData + golden_name;
  const char* update = std::getenv("TRACEBENCH_UPDATE_GOLDEN");
  if (update != nullptr && std::string(update) == "1") {
    std::ofstream(path, std::ios::binary) << rendered;
    GTEST_SKIP() << "rewrote " << path;
  }
  const std::string golden = slurp(path);
  ASSERT_FALSE(golden.empty()) << path << " is missing";
  EXPECT_EQ(rendered, golden) << "the rendering differs from " << path;
}

}  // namespace

TEST(ReportGolden, MarkdownMatchesTheGoldenFile) {
  expect_golden(harness::render_markdown_report(fixture()), "results-checkout.md");
}

TEST(ReportGolden, CsvMatchesTheGoldenFile) {
  expect_golden(harness::render_csv_report(fixture()), "results-checkout.csv");
}

// What the golden file must hold, checked apart from it: a golden file regenerated carelessly
// cannot drop these without this test failing.
TEST(ReportGolden, MarkdownCarriesWhatTheIssueAsksFor) {
  const harness::results_file results = fixture();
  const std::string md = harness::render_markdown_report(results);
  for (const char* wanted :
       {"| rate | runs | latency mean | latency p50 | latency p99 | throughput | CPU/req | spans/s | bytes/span | "
        "sampled | "
        "Dapper latency | Dapper throughput |",
        "| 1/1 |", "| 1/16 |", "| 1/1024 |", "+16.30%", "-1.48%", "+2.12%", "-0.08%", "-0.20%", "-0.06%",
        "Generator health: achieved at least", "## Span volume", "Per day at the scenario's production rate",
        "## Slowest sampled trace", "## Environment", "| CPU |", "| compiler |", "| git commit |"}) {
    EXPECT_NE(md.find(wanted), std::string::npos) << "missing: " << wanted;
  }
  // Every configuration's row has as many cells as the header.
  std::istringstream lines(md);
  std::size_t rows = 0;
  for (std::string line; std::getline(lines, line);) {
    if (line.starts_with("| 1/") || line.starts_with("| off |") || line.starts_with("| never |")) {
      ++rows;
      const auto cells = std::count(line.begin(), line.end(), '|');
      EXPECT_TRUE(cells == 13 || cells == 10) << line;  // overhead table, volume table
    }
  }
  EXPECT_EQ(rows, 2 * results.summary.rows.size());
}

TEST(ReportGolden, CsvHasARowPerConfigurationAsWideAsItsHeader) {
  const std::string csv = harness::render_csv_report(fixture());
  std::istringstream lines(csv);
  std::string header;
  ASSERT_TRUE(std::getline(lines, header));
  EXPECT_TRUE(header.starts_with("scenario,configuration,runs,invalid_runs,throughput_per_s,")) << header;
  const auto columns = std::count(header.begin(), header.end(), ',');
  std::size_t rows = 0;
  for (std::string line; std::getline(lines, line); ++rows) {
    EXPECT_EQ(std::count(line.begin(), line.end(), ','), columns) << line;
    EXPECT_EQ(line.back(), '\r');  // RFC 4180 line ends
  }
  EXPECT_EQ(rows, fixture().summary.rows.size());
}
