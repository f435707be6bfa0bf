// tracebench run --pipeline through the real binary: one-line errors naming the flag for every bad
// pipeline or collector setting, and a short real run whose table and results file hold the
// pipeline comparison and the collector's memory sweep.

#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "support/cli_fixture.hpp"

namespace fs = std::filesystem;
using tracebench::testing_support::lines;
using tracebench::testing_support::run_result;

namespace {

// 5% errors, 5% of requests 30 ms slow: enough of both in a short run.
const std::string kFlaky = R"({"name": "flaky", "entry": "api", "services": {
  "api": {"cpu_us": 20, "calls": [{"to": "db"}, {"to": "archive", "probability": 0.05}]},
  "db": {"cpu_us": 10, "wait_us": 200, "error_probability": 0.05},
  "archive": {"wait_us": 30000}}})";

class CliRunPipeline : public tracebench::testing_support::cli_fixture {
 protected:
  std::string scenario() const {
    std::string quoted(1, '\'');
    quoted += write("flaky.json", kFlaky).string();
    quoted += '\'';
    return quoted;
  }
};

TEST_F(CliRunPipeline, BadPipelineAndCollectorFlagsAreOneLineNamingTheFlag) {
  const std::string file = scenario();
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"--pipeline bogus", "--pipeline: expected head, tail or two-tier (comma-separated), not \"bogus\""},
      {"--pipeline head,head", "--pipeline: \"head\" is listed twice"},
      {"--pipeline head,", "--pipeline: "},
      {"--pipeline head --rates 1/4,tail", "--pipeline: --rates takes plain ratios with --pipeline, not \"tail\""},
      {"--slow 0.1", "--slow: sets the tail collector, which needs a tail pipeline (--pipeline tail)"},
      {"--rates 1/4 --num-traces 10", "--num-traces: "},
      {"--pipeline tail --baseline 1.5", "--baseline: expected a probability in [0, 1], not \"1.5\""},
      {"--pipeline tail --num-traces 0", "--num-traces: "},
      {"--pipeline tail --decision-wait 0", "--decision-wait: "},
      {"--pipeline tail --slow x", "--slow: "},
      {"--rates off+tail", "--rates: "},
      {"--collectors 2", "--collectors: sets the tail collector, which needs a tail pipeline (--pipeline tail)"},
      {"--pipeline tail --collectors 0", "--collectors: "},
      {"--pipeline tail --collectors 65", "--collectors: "},
      {"--pipeline tail --collectors 3:2", "--collectors: N:M grows the tier, so M must be more than N, not \"3:2\""},
      {"--pipeline tail --collectors 2:", "--collectors: "},
      {"--pipeline tail --collectors x:4", "--collectors: "},
  };
  for (const auto& [flags, message] : cases) {
    const run_result r = run("run " + file + " " + flags + " --out '" + dir_.string() + "'");
    EXPECT_EQ(r.exit_code, 2) << flags;
    EXPECT_EQ(r.out, "") << flags;
    EXPECT_EQ(lines(r.err), 1U) << flags << ": " << r.err;
    EXPECT_EQ(r.err.rfind("tracebench run: " + message, 0), 0U) << flags << ": " << r.err;
  }
}

TEST_F(CliRunPipeline, ATailRateAloneBringsTheCollector) {
  const run_result r = run("run " + scenario() +
                           " --rates 1/4,tail --rounds 1 --duration 0.1 --warmup 0 --lag-bound 0.1"
                           " --decision-wait 0.05 --format json --out '" +
                           (dir_ / "results").string() + "'");
  EXPECT_TRUE(r.exit_code == 0 || r.exit_code == 1) << r.err;
  const nlohmann::json doc = nlohmann::json::parse(r.out);
  EXPECT_EQ(doc["plan"]["configurations"], nlohmann::json({"off", "off'", "never", "1/4", "tail"}));
  EXPECT_DOUBLE_EQ(doc["plan"]["pipeline"]["decision_wait_s"].get<double>(), 0.05);
}

TEST_F(CliRunPipeline, TailOnARemoteGraphIsRefused) {
  const run_result r = run("run " + scenario() + " --pipeline tail --target http://127.0.0.1:9");
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_EQ(lines(r.err), 1U) << r.err;
  EXPECT_NE(r.err.find("pipeline"), std::string::npos) << r.err;
}

TEST_F(CliRunPipeline, ShortRunComparesThePipelinesAgainstGroundTruth) {
  const fs::path out = dir_ / "results";
  const run_result r = run("run " + scenario() +
                           " --pipeline head,tail,two-tier --rates 1/4 --rounds 1 --duration 0.3 --warmup 0.05"
                           " --decision-wait 0.05 --slow 0.02 --collectors 1:2 --lag-bound 0.1 --out '" +
                           out.string() + "'");
  EXPECT_TRUE(r.exit_code == 0 || r.exit_code == 1) << r.exit_code << '\n' << r.err;
  for (const std::string heading : {"Sampling pipelines", "Reweighted estimates against ground truth",
                                    "Collector memory against decision wait and load"}) {
    EXPECT_NE(r.out.find(heading), std::string::npos) << r.out;
  }
  EXPECT_NE(r.err.find("sweeping the tail collector's memory"), std::string::npos) << r.err;

  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(out)) files.push_back(entry.path());
  ASSERT_EQ(files.size(), 1U);
  const nlohmann::json doc = nlohmann::json::parse(tracebench::testing_support::slurp(files[0]));
  EXPECT_EQ(doc["plan"]["configurations"], nlohmann::json({"off", "off'", "never", "1/4", "tail", "1/4+tail"}));
  const nlohmann::json& collector = doc["plan"]["pipeline"];
  EXPECT_DOUBLE_EQ(collector["decision_wait_s"].get<double>(), 0.05);
  EXPECT_DOUBLE_EQ(collector["slow_s"].get<double>(), 0.02);
  EXPECT_DOUBLE_EQ(collector["baseline"].get<double>(), 0.1);  // the default
  EXPECT_EQ(collector["collectors"], 1);
  EXPECT_EQ(collector["reshard_to"], 2);
  EXPECT_NE(r.out.find("split traces"), std::string::npos) << r.out;

  const nlohmann::json& rows = doc["pipelines"]["rows"];
  ASSERT_EQ(rows.size(), 4U);
  std::vector<std::string> names;
  for (const auto& row : rows) names.push_back(row["configuration"]);
  EXPECT_EQ(names, (std::vector<std::string>{"never", "1/4", "tail", "1/4+tail"}));
  EXPECT_EQ(rows[0]["kept"], 0);
  const nlohmann::json& tail = rows[2];
  EXPECT_GT(tail["errors"].get<int>(), 0);
  EXPECT_EQ(tail["kept_errors"], tail["errors"]);
  EXPECT_TRUE(tail["collector_peak_traces"].is_number());
  EXPECT_EQ(tail["collectors"], 2);
  EXPECT_TRUE(tail["split_traces"].is_number_unsigned());
  EXPECT_TRUE(rows[1]["collector_peak_traces"].is_null());
  ASSERT_FALSE(tail["exemplars"].empty());
  // Memory sweep: four decision waits around the collector's, then four loads.
  const nlohmann::json& sweep = doc["pipelines"]["memory_sweep"];
  ASSERT_EQ(sweep.size(), 8U);
  EXPECT_DOUBLE_EQ(sweep[0]["decision_wait_s"].get<double>(), 0.0125);
  EXPECT_EQ(sweep[4]["varied"], "load");
}

TEST_F(CliRunPipeline, ScenarioSamplingBlockGivesTheConfigurations) {
  const fs::path file = write("sampled.json", R"({"name": "sampled", "entry": "api",
    "sampling": {"configurations": ["1/8", "tail"], "tail": {"decision_wait_us": 40000, "slow_us": 5000}},
    "services": {"api": {"cpu_us": 20}}})");
  const run_result r =
      run("run '" + file.string() + "' --rounds 1 --duration 0.1 --warmup 0 --lag-bound 0.1 --format json --out '" +
          (dir_ / "results").string() + "'");
  EXPECT_TRUE(r.exit_code == 0 || r.exit_code == 1) << r.err;
  const nlohmann::json doc = nlohmann::json::parse(r.out);
  EXPECT_EQ(doc["plan"]["configurations"], nlohmann::json({"off", "off'", "never", "1/8", "tail"}));
  EXPECT_DOUBLE_EQ(doc["plan"]["pipeline"]["decision_wait_s"].get<double>(), 0.04);
  EXPECT_DOUBLE_EQ(doc["plan"]["pipeline"]["slow_s"].get<double>(), 0.005);
}

}  // namespace
