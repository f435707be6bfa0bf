// The real tracebench binary comparing hot-path instruction files, as scripts/hot-path-gate runs
// it: within the threshold exits 0, a rise beyond it or an operation not measured exits 1 with a
// one-line FAIL verdict, no threshold only reports, and every bad input or a flag that applies
// to results files only is one line on stderr with exit status 2.

#include <gtest/gtest.h>

#include <string>

#include "support/cli_fixture.hpp"

namespace {

using tracebench::testing_support::lines;
using tracebench::testing_support::quote;
using tracebench::testing_support::run_result;

class CliCompareInstructions : public tracebench::testing_support::cli_fixture {
 protected:
  // An instruction file; an empty `inject` leaves traceparent_inject out.
  std::string counts(const std::string& name, const std::string& sampled, const std::string& inject = "131") const {
    std::string operations = "\"sampled_child_span\": " + sampled;
    if (!inject.empty()) operations += ", \"traceparent_inject\": " + inject;
    return quote(
        write(name, "{\"schema\": \"tracebench.hot-path-instructions/1\", \"operations\": {" + operations + "}}"));
  }

  void expect_usage_error(const run_result& r, const std::string& problem) const {
    tracebench::testing_support::expect_usage_error(r, "compare", problem);
  }
};

TEST_F(CliCompareInstructions, WithinTheThresholdPasses) {
  const run_result r = run("compare " + counts("ref.json", "400") + " " + counts("now.json", "408", "133.6") +
                           " --threshold instructions=+3%");
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(r.err.empty()) << r.err;
  EXPECT_NE(r.out.find("threshold: instructions=+3%"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("sampled_child_span"), std::string::npos) << r.out;
  EXPECT_TRUE(r.out.ends_with("\nPASS: every operation within +3% of BASE's instructions\n")) << r.out;
}

TEST_F(CliCompareInstructions, RiseOrMissingOperationExitsOne) {
  const std::string ref = counts("ref.json", "400");
  const run_result rise = run("compare " + ref + " " + counts("plus5.json", "420") + " --threshold instructions=+3%");
  EXPECT_EQ(rise.exit_code, 1) << rise.out << rise.err;
  EXPECT_TRUE(rise.out.ends_with("\nFAIL: 1 regression: sampled_child_span +5.0% (threshold +3%)\n")) << rise.out;
  const run_result missing =
      run("compare " + ref + " " + counts("missing.json", "400", "") + " --threshold instructions=+3%");
  EXPECT_EQ(missing.exit_code, 1) << missing.out << missing.err;
  EXPECT_TRUE(missing.out.ends_with("\nFAIL: 1 regression: traceparent_inject not measured (threshold +3%)\n"))
      << missing.out;
  const run_result markdown =
      run("compare " + ref + " " + counts("plus5.json", "420") + " --threshold instructions=+3% --format markdown");
  EXPECT_EQ(markdown.exit_code, 1) << markdown.out << markdown.err;
  EXPECT_TRUE(markdown.out.starts_with("**FAIL**: 1 regression: sampled_child_span +5.0%")) << markdown.out;
}

TEST_F(CliCompareInstructions, WithoutAThresholdItOnlyReports) {
  const run_result r = run("compare " + counts("ref.json", "400") + " " + counts("plus5.json", "420", ""));
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("no thresholds given"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("not measured"), std::string::npos) << r.out;
}

TEST_F(CliCompareInstructions, BadInputIsOneLineUsageError) {
  const std::string ref = counts("ref.json", "400");
  const std::string two = ref + " " + ref;
  expect_usage_error(run("compare " + ref + " " + counts("bad.json", "\"fast\"") + " --threshold instructions=+3%"),
                     "bad.json: /operations/sampled_child_span: expected a number");
  expect_usage_error(run("compare " + ref + " " + quote(write("text.json", "{"))), "text.json: not JSON");
  expect_usage_error(run("compare " + ref + " " + quote(write("run.json", R"({"schema": "tracebench.results/1"})"))),
                     "run.json: /schema: expected \"tracebench.hot-path-instructions/1\"");
  expect_usage_error(run("compare " + two + " --threshold instructions=+3"), "needs a %");
  expect_usage_error(run("compare " + two + " --threshold cpu=+3%"), "take instructions=+N%");
  expect_usage_error(run("compare " + two + " --threshold instructions=-3%"), "take instructions=+N%");
  expect_usage_error(run("compare " + two + " --threshold instructions=+3% --threshold instructions=+4%"),
                     "instructions has two thresholds");
  expect_usage_error(run("compare " + two + " --basis absolute"), "--basis: applies to results files");
  expect_usage_error(run("compare " + two + " --alpha 0.1"), "--alpha: applies to results files");
  expect_usage_error(run("compare " + two + " --configs 1/1"), "--configs: applies to results files");
}

}  // namespace
