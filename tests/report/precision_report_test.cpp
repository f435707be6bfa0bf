// How an adaptive run's precision is reported after the table, in the terminal and in Markdown:
// which targets were reached and after how many rounds, and for the others what the rounds
// reached instead and why they stopped. Nothing is added for a plan that did not adapt.

#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "tracebench/report/markdown_report.hpp"
#include "tracebench/report/overhead_table.hpp"
#include "tracebench/results/experiment_summary.hpp"
#include "tracebench/results/results_file.hpp"

namespace tracebench::harness {
namespace {

using namespace std::chrono_literals;

configuration_summary row(const std::string& name) {
  configuration_summary r;
  r.configuration = name;
  r.baseline = name == "off";
  r.runs = 22;
  return r;
}

target_progress progress(comparison_metric metric, double target, bool reached, std::optional<double> worst,
                         std::string configuration, std::size_t within) {
  target_progress t;
  t.target = {metric, target};
  t.reached = reached;
  t.worst_half_width = worst;
  t.worst_configuration = std::move(configuration);
  t.configurations = 7;
  t.within = within;
  return t;
}

experiment_summary adaptive_summary(rounds_end ended) {
  experiment_summary s;
  s.scenario_name = "checkout";
  s.rounds = 22;
  s.rows = {row("off"), row("never"), row("1/1"), row("1/16")};
  adaptive_outcome a;
  a.min_rounds = 10;
  a.time_budget = 10min;
  a.ended = ended;
  a.precision.targets = {progress(comparison_metric::cpu, 1, true, 0.8234, "1/1", 7),
                         progress(comparison_metric::throughput, 1, false, 1.72, "1/16", 5)};
  s.adaptive = a;
  return s;
}

TEST(PrecisionReport, TheTerminalSaysWhatWasReachedAndWhatWasNot) {
  const std::string table = render_overhead_table(adaptive_summary(rounds_end::time_budget));
  EXPECT_NE(table.find("\nPrecision\n  Adaptive rounds: 22 ran (at least 10, up to 10m); another round would not have "
                       "fit in 10m (judged by the longest so far).\n"),
            std::string::npos)
      << table;
  EXPECT_NE(table.find("\n  cpu \u00b11%: reached after 22 rounds (worst \u00b10.82%, 1/1)\n"), std::string::npos)
      << table;
  EXPECT_NE(table.find("\n  throughput \u00b11%: not reached in 10m: \u00b11.7% worst (1/16), 5 of 7 configurations "
                       "within, after 22 rounds\n"),
            std::string::npos)
      << table;
}

TEST(PrecisionReport, ReachedTargetsSayTheRunStoppedForThem) {
  experiment_summary s = adaptive_summary(rounds_end::precision_reached);
  s.rounds = 14;
  s.adaptive->time_budget = 30min;
  s.adaptive->precision.targets.pop_back();
  s.adaptive->precision.targets[0].worst_mean_half_width = 0.61;
  const std::string table = render_overhead_table(s);
  EXPECT_NE(table.find("Adaptive rounds: 14 ran (at least 10, up to 30m); every precision target was reached.\n"),
            std::string::npos)
      << table;
  EXPECT_NE(table.find("cpu \u00b11%: reached after 14 rounds (worst \u00b10.82%, 1/1; geometric mean \u00b10.61%)\n"),
            std::string::npos)
      << table;
}

TEST(PrecisionReport, AConfigurationWithoutAnIntervalIsNamed) {
  experiment_summary s = adaptive_summary(rounds_end::round_limit);
  s.adaptive->precision.targets[1].worst_half_width.reset();
  const std::string table = render_overhead_table(s);
  EXPECT_NE(table.find("throughput \u00b11%: not reached in 1000 rounds: 1/16 has no interval (no valid pair of runs), "
                       "5 of 7 configurations within, after 22 rounds\n"),
            std::string::npos)
      << table;
}

TEST(PrecisionReport, MaxTimeAloneSaysHowManyOfThePlannedRoundsRan) {
  experiment_summary s = adaptive_summary(rounds_end::time_budget);
  s.rounds = 7;
  s.adaptive->precision.targets.clear();
  const std::string table = render_overhead_table(s);
  EXPECT_NE(table.find("Adaptive rounds: 7 of 10 planned ran (up to 10m); another round would not have fit in 10m"),
            std::string::npos)
      << table;
}

TEST(PrecisionReport, MarkdownHasAPrecisionSectionAndPlainRunsHaveNone) {
  results_file results;
  results.origin = "r.json";
  results.document = {
      {"complete", true}, {"environment", nlohmann::ordered_json::object()}, {"plan", {{"rounds", 10}}}};
  results.summary = adaptive_summary(rounds_end::time_budget);
  const std::string md = render_markdown_report(results);
  EXPECT_NE(md.find("\n## Precision\n\n- Adaptive rounds: 22 ran"), std::string::npos) << md;
  EXPECT_NE(md.find("\n- cpu \u00b11%: reached after 22 rounds (worst \u00b10.82%, 1/1)\n"), std::string::npos) << md;
  EXPECT_NE(render_overhead_table(results.summary, table_style::markdown).find("### Precision\n\n- "),
            std::string::npos);

  results.summary.adaptive.reset();
  EXPECT_EQ(render_markdown_report(results).find("Precision"), std::string::npos);
  EXPECT_EQ(render_overhead_table(results.summary).find("Precision"), std::string::npos);
}

}  // namespace
}  // namespace tracebench::harness
