// instruction_comparison on counts built in memory: a rise beyond the threshold and an operation
// NEW did not measure are the regressions, a fall passes, an operation only in NEW is never
// gated, no threshold only reports, and a bad file is one error naming the file and the path.

#include "tracebench/results/instruction_comparison.hpp"

#include <gtest/gtest.h>

#include <string>

#include "tracebench/report/comparison_report.hpp"
#include "tracebench/results/results_file.hpp"

namespace tracebench::harness {
namespace {

instruction_counts counts(std::string origin, std::vector<std::pair<std::string, double>> operations) {
  return {std::move(origin), std::move(operations)};
}

const instruction_counts kBase = counts("ref.json", {{"sampled_child_span", 400.0}, {"traceparent_inject", 131.0}});

TEST(InstructionComparison, RiseBeyondTheThresholdIsTheOnlyRegression) {
  const auto now = counts("now.json", {{"sampled_child_span", 420.0}, {"traceparent_inject", 133.6}});
  const instruction_comparison c = compare_instruction_counts(kBase, now, 3.0);
  ASSERT_EQ(c.operations.size(), 2U);
  EXPECT_NEAR(c.operations[0].change_percent, 5.0, 1e-9);
  EXPECT_EQ(c.operations[0].verdict, instruction_verdict::regression);
  EXPECT_EQ(c.operations[1].verdict, instruction_verdict::pass);  // +2.0%
  EXPECT_FALSE(c.passed());
  EXPECT_EQ(comparison_verdict_line(c), "FAIL: 1 regression: sampled_child_span +5.0% (threshold +3%)");
  // The same counts under a looser threshold (not 5%: 420 / 400 - 1 is a hair above it in doubles).
  EXPECT_TRUE(compare_instruction_counts(kBase, now, 6.0).passed());
}

TEST(InstructionComparison, FewerInstructionsPassAndNewOperationsAreNotGated) {
  const auto now = counts("now.json", {{"sampled_child_span", 300.0}, {"traceparent_inject", 100.0}, {"extra", 9.0}});
  const instruction_comparison c = compare_instruction_counts(kBase, now, 3.0);
  ASSERT_EQ(c.operations.size(), 3U);
  EXPECT_EQ(c.operations[0].verdict, instruction_verdict::pass);
  EXPECT_EQ(c.operations[2].operation, "extra");
  EXPECT_FALSE(c.operations[2].base_count.has_value());
  EXPECT_EQ(c.operations[2].verdict, instruction_verdict::not_gated);
  EXPECT_TRUE(c.passed());
  EXPECT_EQ(comparison_verdict_line(c), "PASS: every operation within +3% of BASE's instructions");
}

TEST(InstructionComparison, AnOperationNotMeasuredFailsOnlyWhenGated) {
  const auto now = counts("now.json", {{"sampled_child_span", 400.0}});
  const instruction_comparison gated = compare_instruction_counts(kBase, now, 3.0);
  EXPECT_FALSE(gated.operations[1].new_count.has_value());
  EXPECT_EQ(gated.operations[1].verdict, instruction_verdict::regression);
  EXPECT_EQ(comparison_verdict_line(gated), "FAIL: 1 regression: traceparent_inject not measured (threshold +3%)");
  const instruction_comparison reported = compare_instruction_counts(kBase, now, std::nullopt);
  EXPECT_EQ(reported.operations[1].verdict, instruction_verdict::reported);
  EXPECT_TRUE(reported.passed());
}

TEST(InstructionComparison, TextAndMarkdownCarryTheTableAndTheVerdict) {
  const auto now = counts("now.json", {{"sampled_child_span", 420.0}, {"traceparent_inject", 131.0}});
  const instruction_comparison c = compare_instruction_counts(kBase, now, 3.0);
  const std::string text = render_comparison_text(c);
  EXPECT_TRUE(text.starts_with("BASE ref.json vs NEW now.json: instructions per operation under callgrind\n")) << text;
  EXPECT_NE(text.find("sampled_child_span  400.0  420.0  +5.0%   +3%        REGRESSION"), std::string::npos) << text;
  EXPECT_TRUE(text.ends_with("\nFAIL: 1 regression: sampled_child_span +5.0% (threshold +3%)\n")) << text;
  const std::string markdown = render_comparison_markdown(c);
  EXPECT_TRUE(markdown.starts_with("**FAIL**: 1 regression")) << markdown;
  EXPECT_NE(markdown.find("|:--|--:|--:|--:|--:|:--|\n"), std::string::npos) << markdown;
  EXPECT_NE(markdown.find("| sampled_child_span | 400.0 | 420.0 | +5.0% | +3% | **REGRESSION** |"), std::string::npos)
      << markdown;
}

TEST(InstructionComparison, BadFilesAreOneErrorNamingTheFileAndPath) {
  const auto error_of = [](const std::string& text) {
    try {
      (void)parse_instruction_counts(nlohmann::ordered_json::parse(text), "x.json");
    } catch (const results_file_error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_EQ(error_of(R"({"schema": "tracebench.hot-path-instructions/1", "operations": {"a": "fast"}})"),
            "x.json: /operations/a: expected a number");
  EXPECT_EQ(error_of(R"({"schema": "tracebench.hot-path-instructions/1", "operations": {"a": 0}})"),
            "x.json: /operations/a: expected a positive instruction count");
  EXPECT_EQ(error_of(R"({"schema": "tracebench.hot-path-instructions/1"})"), "x.json: /: missing \"operations\"");
  EXPECT_EQ(error_of(R"({"schema": "tracebench.results/1"})"),
            "x.json: /schema: expected \"tracebench.hot-path-instructions/1\", got \"tracebench.results/1\"");
  EXPECT_EQ(error_of("[1]"), "x.json: /: expected a JSON object (a tracebench hot-path instruction file)");
}

}  // namespace
}  // namespace tracebench::harness
