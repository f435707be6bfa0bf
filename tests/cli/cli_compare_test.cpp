// The real tracebench binary comparing results files written here from synthetic runs (through
// the same results_document a run writes): an A/A comparison passes, a planted regression exits
// 1 with a one-line FAIL verdict, markdown comes as pipe tables, and every bad input is one line
// on stderr with exit status 2.

#include <gtest/gtest.h>

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "support/cli_fixture.hpp"
#include "tracebench/experiment/experiment_runner.hpp"
#include "tracebench/results/experiment_summary.hpp"
#include "tracebench/results/results_document.hpp"

namespace {

namespace th = tracebench::harness;
using tracebench::testing_support::lines;
using tracebench::testing_support::quote;
using tracebench::testing_support::run_result;

// Overhead of 1/1 over off, in percent, per round; `wobble` makes the rounds differ.
struct planted {
  double latency_percent = 20.0;
  double throughput_percent = -10.0;
  double wobble = 1.0;
};

// A results document of `rounds` rounds of off, never and 1/1 with the overheads planted.
std::string results_text(unsigned rounds, const planted& p, const std::string& scenario = "checkout") {
  th::experiment_result result;
  result.scenario_name = scenario;
  result.plan.configurations = {"off", "never", "1/1"};
  result.plan.rounds = rounds;
  result.offered_rate = 64.0;
  for (unsigned r = 0; r < rounds; ++r) {
    // A fixed zigzag rather than random draws: deterministic and different in every round.
    const double wobble = p.wobble * (static_cast<double>((r * 7) % 5) - 2.0) / 2.0;
    for (const std::string& name : result.plan.configurations) {
      const double latency_factor = name == "1/1" ? 1.0 + (p.latency_percent + wobble) / 100.0 : 1.0;
      const double throughput_factor = name == "1/1" ? 1.0 + (p.throughput_percent + wobble) / 100.0 : 1.0;
      th::run_record run;
      run.configuration = name;
      run.round = r;
      run.throughput = 1000.0 * throughput_factor * (1.0 + 0.01 * r);  // drift the overhead cancels
      run.cpu_ns_per_request = 1e6 / throughput_factor;
      run.offered_rate = 64.0;
      run.achieved_rate = 64.0;
      run.latency.count = 640;
      run.latency.mean = 5e6 * latency_factor;
      run.latency.p50 = static_cast<std::int64_t>(4e6 * latency_factor);
      run.latency.p90 = static_cast<std::int64_t>(8e6 * latency_factor);
      run.latency.p99 = static_cast<std::int64_t>(1e7 * latency_factor);
      run.latency.p999 = run.latency.p99;
      run.latency.max = run.latency.p99;
      result.runs.push_back(run);
    }
  }
  return th::results_document(result, th::summarize_experiment(result)).dump(1);
}

class CliCompare : public tracebench::testing_support::cli_fixture {
 protected:
  void expect_usage_error(const run_result& r, const std::string& problem) const {
    tracebench::testing_support::expect_usage_error(r, "compare", problem);
  }

  std::string base_path() const { return quote(write("base.json", results_text(10, {}))); }
};

TEST_F(CliCompare, AaComparisonWithThresholdsPasses) {
  const std::string base = base_path();
  const std::string same = quote(write("same.json", results_text(10, {})));
  const run_result r = run("compare " + base + " " + same + " --threshold latency.p99=+5% --threshold throughput=-2%");
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(r.err.empty()) << r.err;
  EXPECT_NE(r.out.find("scenario checkout, 10 vs 10 rounds"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("thresholds: latency.p99=+5%, throughput=-2%"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\nnever (10 vs 10 rounds)\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\n1/1 (10 vs 10 rounds)\n"), std::string::npos) << r.out;
  EXPECT_TRUE(r.out.ends_with("\nPASS: no significant regression beyond the thresholds\n")) << r.out;
}

TEST_F(CliCompare, PlantedRegressionExitsOneWithTheFailVerdict) {
  const std::string base = base_path();
  const std::string worse = quote(write("new.json", results_text(10, {.latency_percent = 40.0})));
  const run_result r = run("compare " + base + " " + worse + " --threshold latency.p99=+5%");
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  // 1.40 / 1.20: +16.7% on the p99 overhead.
  const std::string verdict = "\nFAIL: 1 regression: 1/1 latency.p99 +16.7% (threshold +5%)\n";
  EXPECT_TRUE(r.out.ends_with(verdict)) << r.out;
  // Without a threshold on it the same change is reported, never failed.
  const run_result ungated = run("compare " + base + " " + worse);
  EXPECT_EQ(ungated.exit_code, 0) << ungated.out << ungated.err;
  EXPECT_NE(ungated.out.find("no thresholds given"), std::string::npos) << ungated.out;
  EXPECT_NE(ungated.out.find("worse"), std::string::npos) << ungated.out;
}

TEST_F(CliCompare, MarkdownGivesPipeTablesWithTheVerdictFirst) {
  const std::string base = base_path();
  const std::string worse = quote(write("new.json", results_text(10, {.latency_percent = 40.0})));
  const run_result r = run("compare " + base + " " + worse + " --threshold latency.p99=+5% --format markdown");
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_TRUE(r.out.starts_with("**FAIL**: 1 regression: 1/1 latency.p99 +16.7% (threshold +5%)\n")) << r.out;
  EXPECT_NE(r.out.find("| metric | base overhead | new overhead | change [95% CI] | p (Holm) | threshold | verdict |"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("| latency.p99 | +20.0% | +40.0% | +16.7% ["), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("| **REGRESSION** |"), std::string::npos) << r.out;
}

TEST_F(CliCompare, FewRoundsWarnAndScenarioDifferencesAreNoted) {
  const std::string base = quote(write("a.json", results_text(3, {})));
  const std::string fresh = quote(write("b.json", results_text(3, {.latency_percent = 60.0}, "checkout-v2")));
  const run_result r = run("compare " + base + " " + fresh + " --threshold latency.p99=+5% --configs 1/1");
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;  // 3 rounds each cannot show anything significant
  EXPECT_NE(r.out.find("warning: the scenarios differ"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("warning: 1/1 latency.p99: 3 rounds each cannot show any change as significant"),
            std::string::npos)
      << r.out;
  EXPECT_EQ(r.out.find("\nnever ("), std::string::npos) << r.out;  // --configs left it out
}

TEST_F(CliCompare, AbsoluteBasisIncludesOff) {
  const std::string base = base_path();
  const run_result r = run("compare " + base + " " + base + " --basis absolute");
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("\noff (10 vs 10 rounds)\n"), std::string::npos) << r.out;
}

TEST_F(CliCompare, UnreadableOrInvalidFilesAreOneLineNamingTheFile) {
  const std::string base = base_path();
  const std::filesystem::path missing = dir_ / "missing.json";
  expect_usage_error(run("compare " + base + " " + quote(missing)), missing.string());
  const std::filesystem::path text = write("text.json", "this is not JSON");
  expect_usage_error(run("compare " + quote(text) + " " + base), text.string() + ": not JSON");
  nlohmann::json other = nlohmann::json::parse(results_text(3, {}));
  other["schema"] = "tracebench.results/0";
  const std::filesystem::path schema = write("schema.json", other.dump());
  expect_usage_error(run("compare " + base + " " + quote(schema)), schema.string() + ": /schema");
}

TEST_F(CliCompare, BadFlagsAndArgumentsAreOneLineUsageErrors) {
  const std::string base = base_path();
  const std::string two = base + " " + base;
  expect_usage_error(run("compare " + two + " --threshold latency.p99=5%"), "--threshold: ");
  expect_usage_error(run("compare " + two + " --threshold latency.p99=+5"), "needs a %");
  expect_usage_error(run("compare " + two + " --threshold latency.p99=+five%"), "is not a number");
  expect_usage_error(run("compare " + two + " --threshold latency.p99"), "expected METRIC=+N% or METRIC=-N%");
  expect_usage_error(run("compare " + two + " --threshold latency.p95=+5%"), "unknown metric \"latency.p95\"");
  expect_usage_error(run("compare " + two + " --threshold cpu=+5% --threshold cpu=+9%"), "cpu has two thresholds");
  expect_usage_error(run("compare " + two + " " + base), "expected two results files, BASE.json and NEW.json, not 3");
  expect_usage_error(run("compare " + base), "not 1");
  expect_usage_error(run("compare " + two + " --format html"), "--format: expected text or markdown");
  expect_usage_error(run("compare " + two + " --basis relative"), "--basis: expected overhead or absolute");
  expect_usage_error(run("compare " + two + " --alpha 0"), "--alpha: ");
  expect_usage_error(run("compare " + two + " --configs 1/3"), "--configs: no configuration \"1/3\"");
  expect_usage_error(run("compare " + two + " --configs off"), "--configs: off");
  expect_usage_error(run("compare " + two + " --no-such-flag"), "no-such-flag");
}

}  // namespace
