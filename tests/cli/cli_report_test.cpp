// tracebench report through the real binary: each format from a committed results file, the
// output file written whole, and one line with exit status 2 for every bad input.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "support/cli_fixture.hpp"

namespace {

using namespace tracebench::testing_support;

const std::string kFixture = TRACEBENCH_SOURCE_DIR "/tests/data/results-checkout.json";

class CliReport : public cli_fixture {};

TEST_F(CliReport, MarkdownIsTheGoldenReport) {
  const run_result r = run("report " + quote(kFixture));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  // The golden file was made with the fixture named by its file name only.
  std::string golden = slurp(TRACEBENCH_SOURCE_DIR "/tests/data/results-checkout.md");
  const std::string from = "from results-checkout.json.";
  golden.replace(golden.rfind(from), from.size(), "from " + kFixture + ".");
  EXPECT_EQ(r.out, golden);
}

TEST_F(CliReport, CsvAndOutputFile) {
  const run_result csv = run("report --format csv " + quote(kFixture));
  ASSERT_EQ(csv.exit_code, 0) << csv.err;
  EXPECT_EQ(csv.out, slurp(TRACEBENCH_SOURCE_DIR "/tests/data/results-checkout.csv"));

  const fs::path file = dir_ / "report.md";
  const run_result written = run("report -o " + quote(file) + " " + quote(kFixture));
  ASSERT_EQ(written.exit_code, 0) << written.err;
  EXPECT_EQ(written.out, "");
  EXPECT_NE(slurp(file).find("# Tracing overhead: checkout"), std::string::npos);
  std::size_t entries = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir_)) ++entries;
  EXPECT_EQ(entries, 3U) << "stdout, stderr and report.md only: no temporary left";
}

TEST_F(CliReport, SeveralWorkScalesMakeTheRequestCostReport) {
  // The fixture as if run at two other work scales.
  std::vector<std::string> files;
  for (const double scale : {2.0, 0.5}) {
    nlohmann::ordered_json doc = nlohmann::ordered_json::parse(slurp(kFixture));
    doc["plan"]["work_scale"] = scale;
    files.push_back(quote(write("scale-" + std::to_string(scale) + ".json", doc.dump())));
  }
  const run_result md = run("report " + files[0] + " " + files[1]);
  ASSERT_EQ(md.exit_code, 0) << md.err;
  EXPECT_EQ(md.out.rfind("## Overhead against request cost: checkout\n", 0), 0U) << md.out;
  // Ascending work scale, whatever the order of the files.
  const std::size_t half = md.out.find("| x0.5 |");
  const std::size_t twice = md.out.find("| x2 |");
  ASSERT_NE(half, std::string::npos) << md.out;
  ASSERT_NE(twice, std::string::npos) << md.out;
  EXPECT_LT(half, twice);
  EXPECT_NE(md.out.find("| 1/16 |"), std::string::npos) << md.out;
  EXPECT_EQ(md.out.find("| off |"), std::string::npos) << "off is the baseline, not a line: " << md.out;

  const run_result html = run("report --format html " + files[0] + " " + files[1]);
  ASSERT_EQ(html.exit_code, 0) << html.err;
  EXPECT_EQ(html.out.rfind("<!DOCTYPE html>", 0), 0U);
  EXPECT_NE(html.out.find("<svg xmlns=\"http://www.w3.org/2000/svg\""), std::string::npos);
  EXPECT_NE(html.out.find("data-series=\"1/16\""), std::string::npos);
  EXPECT_EQ(html.out.find("<script"), std::string::npos) << "no script, no assets";
}

TEST_F(CliReport, BadInputIsOneLineAndExitTwo) {
  const fs::path truncated = write("truncated.json", slurp(kFixture).substr(0, 1000));
  const fs::path other = write("other.json", R"({"schema": "tracebench.load/1"})");
  const fs::path broken = write("broken.json", [&] {
    std::string text = slurp(kFixture);
    const std::string key = "\"offered_rate\":";
    text.replace(text.rfind(key), key.size(), "\"offered_rat\":");
    return text;
  }());
  const struct {
    std::string args;
    std::string expected;  // in the one line on stderr
  } cases[] = {
      {"report", "no results file given"},
      {"report " + quote(dir_ / "missing.json"), "missing.json: cannot open the file"},
      {"report " + quote(truncated), "truncated.json: not JSON"},
      {"report " + quote(other), "other.json: /schema: expected \"tracebench.results/1\""},
      {"report " + quote(broken), "broken.json: /slowest_trace: missing \"offered_rate\""},
      {"report --format pdf " + quote(kFixture), "--format must be markdown, html, csv or openmetrics, not 'pdf'"},
      {"report " + quote(kFixture) + " " + quote(kFixture), "both ran work scale 1: give one file per scale"},
      {"report --format csv " + quote(kFixture) + " " + quote(kFixture), "--format csv takes one results file"},
      {"report " + quote(kFixture) + " " + quote(other), "other.json: /schema: expected"},
      {"report --assets /tmp " + quote(kFixture), "--assets is for --format html"},
      {"report --format html --assets " + quote(dir_ / "no-assets") + " " + quote(kFixture), "npm ci --prefix"},
      {"report --bogus " + quote(kFixture), "bogus"},
  };
  for (const auto& c : cases) {
    const run_result r = run(c.args);
    EXPECT_EQ(r.exit_code, 2) << c.args;
    EXPECT_EQ(lines(r.err), 1U) << c.args << ": " << r.err;
    EXPECT_NE(r.err.find(c.expected), std::string::npos) << c.args << ": " << r.err;
    EXPECT_EQ(r.out, "") << c.args;
  }
}

}  // namespace
