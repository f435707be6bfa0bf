// The real tracebench binary runs an overhead experiment: one-line usage errors with exit
// status 2 for bad flags, and for a short real run the table and the results file.

#include <gtest/gtest.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "support/cli_fixture.hpp"

namespace fs = std::filesystem;
using tracebench::testing_support::lines;
using tracebench::testing_support::run_result;
using tracebench::testing_support::slurp;

namespace {

const std::string kTiny = R"({"name": "tiny", "entry": "api", "services": {"api": {"cpu_us": 20}}})";

class CliRun : public tracebench::testing_support::cli_fixture {
 protected:
  // Quoted for the shell; appended because GCC 12 warns (-Wrestrict) on "'" + std::string.
  std::string scenario() const {
    std::string quoted(1, '\'');
    quoted += write("tiny.json", kTiny).string();
    quoted += '\'';
    return quoted;
  }
};

TEST_F(CliRun, BadRateEntriesAreOneLineNamingTheFlagAndEntry) {
  const std::string file = scenario();
  for (const std::string entry : {"1/0", "2", "-1", "abc"}) {
    const run_result r = run("run " + file + " --rates '1/16," + entry + "' --out '" + dir_.string() + "'");
    EXPECT_EQ(r.exit_code, 2) << entry;
    EXPECT_EQ(r.out, "") << entry;
    EXPECT_EQ(lines(r.err), 1U) << r.err;
    EXPECT_EQ(r.err.rfind("tracebench run: --rates: sampling ratio \"" + entry + "\": ", 0), 0U) << r.err;
  }
  const run_result zero = run("run " + file + " --rates 1/0");
  EXPECT_EQ(zero.err,
            "tracebench run: --rates: sampling ratio \"1/0\": division by zero (use 1/16, 0.0625 or 6.25%)\n");
}

TEST_F(CliRun, BadNumbersNameTheirFlag) {
  const std::string file = scenario();
  for (const std::string flag :
       {"--rounds 0", "--rounds -1", "--duration abc", "--duration 0", "--warmup -2", "--threads x", "--concurrency 0",
        "--load 2", "--seed 1.5", "--lag-bound 0", "--lag-bound 1ms"}) {
    const run_result r = run("run " + file + " " + flag);
    EXPECT_EQ(r.exit_code, 2) << flag;
    EXPECT_EQ(lines(r.err), 1U) << r.err;
    const std::string name = flag.substr(0, flag.find(' '));
    EXPECT_EQ(r.err.rfind("tracebench run: " + name + ": ", 0), 0U) << r.err;
  }
}

TEST_F(CliRun, BadPrecisionAndMaxTimeAreOneLineNamingTheFlagAndText) {
  const std::string file = scenario();
  for (const std::string text : {"cpu", "cpu=1", "cpu=0%", "cpu=-1%", "p95=1%", "cpu=\u00b1x%"}) {
    const run_result r = run("run " + file + " --precision '" + text + "' --out '" + dir_.string() + "'");
    EXPECT_EQ(r.exit_code, 2) << text;
    EXPECT_EQ(r.out, "") << text;
    EXPECT_EQ(lines(r.err), 1U) << r.err;
    EXPECT_EQ(r.err.rfind("tracebench run: --precision: ", 0), 0U) << r.err;
    EXPECT_NE(r.err.find(text), std::string::npos) << r.err;
  }
  const run_result twice = run("run " + file + " --precision cpu=1% --precision cpu=2%");
  EXPECT_EQ(twice.exit_code, 2);
  EXPECT_EQ(twice.err, "tracebench run: --precision: cpu has two targets (\"cpu \u00b11%\" and \"cpu=2%\")\n");
  for (const std::string text : {"0", "-5", "10x", "m", "1h-5m", "2d", "forever"}) {
    const run_result r = run("run " + file + " --max-time '" + text + "'");
    EXPECT_EQ(r.exit_code, 2) << text;
    EXPECT_EQ(r.err,
              "tracebench run: --max-time: expected a time above 0 up to a day, such as 600, 90s, 10m or "
              "1h30m, not \"" +
                  text + "\"\n");
  }
}

TEST_F(CliRun, APrecisionReachedAtTheMinimumStopsThereAndSaysSo) {
  const fs::path out = dir_ / "results";
  // CPU/req from the closed loop, valid even on a loaded machine; bounded by --max-time should a
  // configuration still have no valid pair of runs (and so no interval).
  const run_result r = run("run " + scenario() +
                           " --rates 1/1 --rounds 2 --duration 0.05 --warmup 0 --precision cpu=\u00b11000% "
                           "--max-time 30 --out '" +
                           out.string() + "'");
  EXPECT_TRUE(r.exit_code == 0 || r.exit_code == 1) << r.exit_code << '\n' << r.err;
  EXPECT_NE(r.out.find("\nPrecision\n  Adaptive rounds: 2 ran (at least 2, up to 30s); every precision target was "
                       "reached.\n"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("\n  cpu \u00b11000%: reached after 2 rounds (worst \u00b1"), std::string::npos) << r.out;
  EXPECT_NE(r.err.find("[8/8+] round 2 "), std::string::npos) << r.err;

  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(out)) files.push_back(entry.path());
  ASSERT_EQ(files.size(), 1U);
  const nlohmann::json doc = nlohmann::json::parse(slurp(files[0]));
  EXPECT_EQ(doc["runs"].size(), 8U);  // off, off', never, 1/1: two rounds, no third
  EXPECT_EQ(doc["plan"]["precision"], nlohmann::json::parse(R"([{"metric": "cpu", "half_width_percent": 1000}])"));
  EXPECT_EQ(doc["plan"]["max_time_s"], 30.0);
  EXPECT_EQ(doc["summary"]["rounds"], 2);
  EXPECT_EQ(doc["summary"]["precision"]["ended"], "precision_reached");
  EXPECT_EQ(doc["summary"]["precision"]["reached"], true);
}

TEST_F(CliRun, MaxTimeAloneCutsThePlannedRoundsShort) {
  // Calibration alone takes longer than a millisecond: the first round runs, no second starts.
  const run_result r = run("run " + scenario() +
                           " --rates 1/1 --rounds 5 --duration 0.05 --warmup 0 --max-time 0.001 --no-aa --format "
                           "json --out '" +
                           (dir_ / "results").string() + "'");
  EXPECT_TRUE(r.exit_code == 0 || r.exit_code == 1) << r.exit_code << '\n' << r.err;
  const nlohmann::json doc = nlohmann::json::parse(r.out);
  EXPECT_EQ(doc["runs"].size(), 3U);  // off, never, 1/1 once
  EXPECT_EQ(doc["summary"]["rounds"], 1);
  EXPECT_EQ(doc["summary"]["precision"]["ended"], "time_budget");
  EXPECT_EQ(doc["summary"]["precision"]["targets"].size(), 0U);
  EXPECT_EQ(doc["complete"], true);
}

TEST_F(CliRun, UnknownFlagIsAUsageError) {
  const run_result r = run("run " + scenario() + " --bogus");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(lines(r.err), 1U) << r.err;
  EXPECT_NE(r.err.find("bogus"), std::string::npos) << r.err;
}

TEST_F(CliRun, UnknownFormatAndTransportAreUsageErrors) {
  const run_result format = run("run " + scenario() + " --format yaml");
  EXPECT_EQ(format.exit_code, 2);
  EXPECT_EQ(format.err, "tracebench run: --format: expected table, markdown or json, not \"yaml\"\n");
  const run_result transport = run("run " + scenario() + " --transport pigeon");
  EXPECT_EQ(transport.exit_code, 2);
  EXPECT_EQ(transport.err, "tracebench run: --transport: expected inproc or loopback, not \"pigeon\"\n");
}

TEST_F(CliRun, MarkdownFormatPrintsPipeTablesForEveryConfiguration) {
  const run_result r =
      run("run " + scenario() + " --rates 1/1 --rounds 1 --duration 0.1 --warmup 0 --format markdown " + "--out '" +
          (dir_ / "results").string() + "'");
  EXPECT_TRUE(r.exit_code == 0 || r.exit_code == 1) << r.err;
  EXPECT_EQ(r.out.rfind("## Tracing overhead: tiny\n", 0), 0U) << r.out;
  EXPECT_NE(r.out.find("| config | runs | throughput/s |"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("| --- | ---: |"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("### Span volume"), std::string::npos) << r.out;
  for (const std::string config : {"| off |", "| never |", "| 1/1 |"}) {
    // Once in the overhead table, once in the volume table.
    const std::size_t first = r.out.find(config);
    ASSERT_NE(first, std::string::npos) << config << '\n' << r.out;
    EXPECT_NE(r.out.find(config, first + 1), std::string::npos) << config << '\n' << r.out;
  }
}

// Processes whose command line mentions `needle`: a run's children name its --out directory.
std::vector<std::string> processes_mentioning(const std::string& needle) {
  std::vector<std::string> found;
  for (const auto& entry : fs::directory_iterator("/proc")) {
    const std::string name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::string cmdline = slurp(entry.path() / "cmdline");
    std::replace(cmdline.begin(), cmdline.end(), '\0', ' ');
    if (cmdline.find(needle) != std::string::npos) found.push_back(name + ": " + cmdline);
  }
  return found;
}

class CliRunStop : public CliRun, public ::testing::WithParamInterface<int> {};

// Ctrl-C or SIGTERM while a run's child process measures: the run under way is dropped, the
// finished ones are written, marked incomplete, and no child outlives the run.
TEST_P(CliRunStop, WritesWhatFinishedMarkedIncompleteAndLeavesNoChild) {
  const fs::path out = dir_ / "results";
  const fs::path err = dir_ / "stderr";
  const fs::path table = dir_ / "stdout";
  const std::string command = "exec '" + tracebench::testing_support::kTracebenchBinary + "' run " + scenario() +
                              " --rates 1/1 --rounds 50 --duration 0.3 --warmup 0 --out '" + out.string() + "' >'" +
                              table.string() + "' 2>'" + err.string() + "'";
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    ::execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  // Interrupt once a run has finished (bounded: 30 s), so there is something to write, and while
  // the next run's child is measuring.
  for (int i = 0; i < 300 && slurp(err).find("[1/150]") == std::string::npos; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  for (int i = 0; i < 100 && processes_mentioning("--child-run").empty(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ::kill(pid, GetParam());
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status)) << "killed by the signal instead of stopping cleanly";
  EXPECT_EQ(WEXITSTATUS(status), 130) << slurp(err);
  EXPECT_NE(slurp(table).find("Interrupted: "), std::string::npos) << slurp(table);
  EXPECT_EQ(processes_mentioning(out.string()), std::vector<std::string>{});

  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(out)) files.push_back(entry.path());
  ASSERT_EQ(files.size(), 1U);
  const nlohmann::json doc = nlohmann::json::parse(slurp(files[0]));
  EXPECT_EQ(doc["complete"], false);
  EXPECT_EQ(doc["summary"]["interrupted"], true);
  EXPECT_GE(doc["runs"].size(), 1U);
  EXPECT_LT(doc["runs"].size(), 150U);
  EXPECT_EQ(doc["summary"]["runs_done"], doc["runs"].size());
  // A loaded machine may invalidate a run's figures, never its process.
  for (const auto& run : doc["runs"]) {
    EXPECT_EQ(run["throughput_invalid_reason"].get<std::string>().find("its process"), std::string::npos) << run.dump();
  }
}

INSTANTIATE_TEST_SUITE_P(Signals, CliRunStop, ::testing::Values(SIGINT, SIGTERM),
                         [](const ::testing::TestParamInfo<int>& param) {
                           return std::string(param.param == SIGINT ? "Interrupt" : "Terminate");
                         });

TEST_F(CliRun, IsolationIsProcessOrNone) {
  const run_result r = run("run " + scenario() + " --isolation thread");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "tracebench run: --isolation: expected process or none, not \"thread\"\n");
}

TEST_F(CliRun, BothIsolationsGiveACompleteExperiment) {
  for (const std::string isolation : {"process", "none"}) {
    const fs::path out = dir_ / isolation;
    const run_result r =
        run("run " + scenario() + " --rates 1/1 --no-aa --rounds 2 --duration 0.1 --warmup 0 --isolation " + isolation +
            " --format json --out '" + out.string() + "'");
    EXPECT_TRUE(r.exit_code == 0 || r.exit_code == 1) << r.err;
    const nlohmann::json doc = nlohmann::json::parse(r.out);
    EXPECT_EQ(doc["plan"]["isolation"], isolation);
    ASSERT_EQ(doc["runs"].size(), 6U) << isolation;
    double measured = 0;
    for (const auto& run : doc["runs"]) {
      EXPECT_EQ(run["throughput_invalid_reason"].get<std::string>().find("its process"), std::string::npos)
          << isolation << run.dump();
      EXPECT_EQ(run["concurrency"], doc["closed_loop"]["concurrency"]) << "one sizing for every run";
      if (run["latency_valid"] == true) measured += run["latency_ns"]["count"].get<double>();
    }
    // The spectra come from the runs' histograms, which a child sends whole.
    double merged = 0;
    for (const auto& row : doc["summary"]["rows"]) merged += row["latency_histogram"]["count"].get<double>();
    EXPECT_EQ(merged, measured) << isolation;
  }
}

TEST_F(CliRun, MissingScenarioIsAUsageError) {
  const run_result none = run("run --rounds 1");
  EXPECT_EQ(none.exit_code, 2);
  EXPECT_NE(none.err.find("no scenario given"), std::string::npos) << none.err;
  const run_result missing = run("run '" + (dir_ / "nope.json").string() + "'");
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find("cannot read"), std::string::npos) << missing.err;
}

TEST_F(CliRun, InvalidScenarioPrintsItsErrors) {
  const fs::path bad = write("bad.json", R"({"name": "bad"})");
  const run_result r = run("run '" + bad.string() + "'");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err.rfind(bad.string() + ": ", 0), 0U) << r.err;
}

TEST_F(CliRun, ShortRunPrintsTheTableAndWritesTheResults) {
  const fs::path out = dir_ / "results";
  const run_result r =
      run("run " + scenario() + " --rates 1/1 --rounds 2 --duration 0.2 --warmup 0.05 --out '" + out.string() + "'");
  // 1 means some run broke the generator-health rules, which a loaded test machine can do;
  // the output must be complete either way.
  EXPECT_TRUE(r.exit_code == 0 || r.exit_code == 1) << r.exit_code << '\n' << r.err;
  for (const std::string config : {"off", "off'", "never", "1/1"}) {
    EXPECT_NE(r.out.find(config), std::string::npos) << r.out;
  }
  EXPECT_NE(r.out.find("Noise floor (A/A"), std::string::npos) << r.out;
  EXPECT_NE(r.err.find("[1/8] round 1 off: "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("[8/8] round 2 "), std::string::npos) << r.err;

  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(out)) files.push_back(entry.path());
  ASSERT_EQ(files.size(), 1U) << "only the results file, no temporary left behind";
  EXPECT_EQ(files[0].filename().string().rfind("run-tiny-", 0), 0U) << files[0];
  EXPECT_NE(r.err.find("results written to " + files[0].string()), std::string::npos) << r.err;
  const nlohmann::json doc = nlohmann::json::parse(slurp(files[0]));
  EXPECT_EQ(doc["schema"], "tracebench.results/1");
  EXPECT_EQ(doc["scenario"]["name"], "tiny");
  EXPECT_EQ(doc["complete"], true);
  // The A/A row is on by default, right after off.
  EXPECT_EQ(doc["plan"]["configurations"], nlohmann::json({"off", "off'", "never", "1/1"}));
  EXPECT_EQ(doc["runs"].size(), 8U);
  EXPECT_EQ(doc["summary"]["rows"].size(), 4U);
  EXPECT_EQ(doc["summary"]["rows"][1]["noise_floor"], true);
  EXPECT_TRUE(doc["environment"].contains("build_type"));
  EXPECT_EQ(doc["environment"]["work"]["model"], "compute");
  EXPECT_GT(doc["environment"]["work"]["iterations_per_us"].get<double>(), 0.0);
  const nlohmann::json& full = doc["summary"]["rows"][3]["p99_latency_change"];
  EXPECT_TRUE(full.contains("median"));
  // Judged against the A/A row wherever both have a change (a loaded machine can invalidate a run).
  const nlohmann::json& floor = doc["summary"]["rows"][1]["p99_latency_change"];
  bool shared_round = false;
  for (const auto& round : full["rounds"]) {
    for (const auto& other : floor["rounds"]) shared_round = shared_round || round == other;
  }
  EXPECT_EQ(full.contains("against_aa"), shared_round) << full << floor;
}

TEST_F(CliRun, JsonFormatPrintsTheDocument) {
  const run_result r =
      run("run " + scenario() + " --rates 1/1 --rounds 1 --duration 0.1 --warmup 0 --format json --out '" +
          (dir_ / "results").string() + "'");
  EXPECT_TRUE(r.exit_code == 0 || r.exit_code == 1) << r.err;
  const nlohmann::json doc = nlohmann::json::parse(r.out);
  EXPECT_EQ(doc["schema"], "tracebench.results/1");
  EXPECT_EQ(doc["runs"].size(), 4U);  // off, off', never, 1/1
}

TEST_F(CliRun, NoAaLeavesOutTheNoiseFloor) {
  const run_result r = run("run " + scenario() + " --rates 1/1 --rounds 1 --duration 0.1 --warmup 0 --no-aa " +
                           "--format json --out '" + (dir_ / "results").string() + "'");
  EXPECT_TRUE(r.exit_code == 0 || r.exit_code == 1) << r.err;
  const nlohmann::json doc = nlohmann::json::parse(r.out);
  EXPECT_EQ(doc["plan"]["configurations"], nlohmann::json({"off", "never", "1/1"}));
  EXPECT_FALSE(doc["summary"]["rows"][2]["p99_latency_change"].contains("against_aa"));
}

TEST_F(CliRun, InProcessRefusesAnExternalService) {
  const fs::path file = write("ext.json", R"({"name": "ext", "entry": "api", "services": {
    "api": {"calls": [{"to": "node"}]}, "node": {"external": "http://127.0.0.1:9/call/node"}}})");
  const run_result r = run("run '" + file.string() + "' --out '" + dir_.string() + "'");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err,
            "tracebench run: service \"node\" is external (http://127.0.0.1:9/call/node): the "
            "in-process transport cannot call it (use --transport loopback)\n");
}

}  // namespace
