// tracebench project through the real binary: the default is Dapper's 18 TB/day, a results file
// adds our measured sizes, and each bad flag is one line with exit status 2.

#include <gtest/gtest.h>

#include <string>

#include "support/cli_fixture.hpp"

namespace {

using namespace tracebench::testing_support;

class CliProject : public cli_fixture {};

TEST_F(CliProject, DefaultsAreDappersArithmetic) {
  const run_result r = run("project");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("500,000 spans/s (20 services, 25,000 spans/s each)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("every span (1/1)"), std::string::npos);
  EXPECT_NE(r.out.find("18.4 TB"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("head 1/1024"), std::string::npos);
  EXPECT_NE(r.out.find("head 1/16, then tail"), std::string::npos);
}

TEST_F(CliProject, AResultsFileAddsOurSizes) {
  const run_result r = run("project --format markdown --sampling 1/1 --results " +
                           quote(TRACEBENCH_SOURCE_DIR "/tests/data/results-checkout.json"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(
      r.out.find("| pipeline | kept | spans/s | spans/day | 426 B/span/day | ours OTLP/JSON/day | ours zstd/day |"),
      std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("ours 383 OTLP/JSON"), std::string::npos) << r.out;
}

TEST_F(CliProject, AResultsFileWithPipelinesAddsTheirMeasuredKeptShares) {
  // The fixture's pipelines kept 302 of 3,176 requests (tail) and 202 of 3,176 (1/16).
  const run_result r = run("project --format markdown --sampling 1/1 --results " +
                           quote(TRACEBENCH_SOURCE_DIR "/tests/data/results-rare-failures.json"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("| measured tail (rare-failures) | 9.51% |"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("| measured 1/16 (rare-failures) | 6.36% |"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("| measured 1/16+tail (rare-failures) |"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("measured never"), std::string::npos) << "never stores nothing: not a pipeline to project";
}

TEST_F(CliProject, BadFlagsAreOneLine) {
  const struct {
    std::string args;
    std::string expected;
  } cases[] = {
      {"project --rps 0", "--rps: expected a number above 0"},
      {"project --services x", "--services"},
      {"project --sampling 1/0", "--sampling"},
      {"project --sampling 0", "--sampling: must be above 0"},
      {"project --errors 2", "--errors"},
      {"project --format pdf", "--format must be text or markdown"},
      {"project --results " + quote(dir_ / "none.json"), "none.json: cannot open the file"},
  };
  for (const auto& c : cases) {
    const run_result r = run(c.args);
    EXPECT_EQ(r.exit_code, 2) << c.args;
    EXPECT_EQ(lines(r.err), 1U) << c.args << ": " << r.err;
    EXPECT_NE(r.err.find(c.expected), std::string::npos) << c.args << ": " << r.err;
  }
}

}  // namespace
