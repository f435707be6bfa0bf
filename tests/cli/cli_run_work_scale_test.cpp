// tracebench run --work-scale through the real binary: the plan once per scale, each with its own
// heading, table and results file recording its scale; then overhead against request cost, its
// table, chart and points; one-line errors for bad lists; Ctrl-C keeping what finished.

#include <gtest/gtest.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "support/cli_fixture.hpp"

namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;
using namespace tracebench::testing_support;

// A timer wait dominates its latency, so four times the work shows whatever the machine's load.
const std::string kWaiting =
    R"({"name": "waiting", "entry": "api", "services": {"api": {"cpu_us": 20, "wait_us": 4000}}})";
// A fixed rate well below capacity and a loose lag bound: on a busy test machine the runs stay
// valid, and latency is the requests' work rather than a queue.
const std::string kLoad = " --load 300/s --lag-bound 1";

class CliRunWorkScale : public cli_fixture {
 protected:
  std::string scenario() const { return quote(write("waiting.json", kWaiting)); }

  // The files of `dir` whose names start with `prefix`, by name.
  static std::map<std::string, fs::path> files(const fs::path& dir, const std::string& prefix) {
    std::map<std::string, fs::path> found;
    for (const auto& entry : fs::directory_iterator(dir)) {
      const std::string name = entry.path().filename().string();
      if (name.rfind(prefix, 0) == 0) found[name] = entry.path();
    }
    return found;
  }

  // The document's (first) off run.
  static json off_run(const json& doc) {
    for (const json& run : doc["runs"]) {
      if (run["configuration"] == "off") return run;
    }
    return json::object();
  }
  // Its mean latency, nanoseconds.
  static double off_mean_latency(const json& doc) { return off_run(doc)["latency_ns"]["mean"].get<double>(); }
};

TEST_F(CliRunWorkScale, RunsThePlanPerScaleThenChartsOverheadAgainstCost) {
  const fs::path out = dir_ / "results";
  const run_result r =
      run("run " + scenario() + " --work-scale 0.5,2 --rates 1/1 --rounds 1 --duration 0.1 --warmup 0 --no-aa" + kLoad +
          " --out '" + out.string() + "'");
  // 1: a run invalid on a loaded machine; every file is still written.
  ASSERT_TRUE(r.exit_code == 0 || r.exit_code == 1) << r.err;

  // A heading per scale, its table under it, then the request-cost table after both.
  const std::size_t first = r.out.find("=== Work scale x0.5: ");
  const std::size_t second = r.out.find("=== Work scale x2: ");
  const std::size_t cost = r.out.find("Overhead against request cost: waiting");
  ASSERT_NE(first, std::string::npos) << r.out;
  ASSERT_NE(second, std::string::npos) << r.out;
  ASSERT_NE(cost, std::string::npos) << r.out;
  EXPECT_LT(first, r.out.find("Tracing overhead vs off: waiting"));
  EXPECT_LT(r.out.find("Tracing overhead vs off: waiting", first), second);
  EXPECT_LT(second, cost);
  EXPECT_NE(r.out.find("work x2 (every cpu_us and wait_us)"), std::string::npos) << r.out;

  const std::map<std::string, fs::path> results = files(out, "run-waiting-");
  ASSERT_EQ(results.size(), 2U);
  json half;
  json twice;
  for (const auto& [name, path] : results) {
    const json doc = json::parse(slurp(path));
    if (name.rfind("run-waiting-work0.5-", 0) == 0) half = doc;
    if (name.rfind("run-waiting-work2-", 0) == 0) twice = doc;
  }
  ASSERT_TRUE(half.is_object() && twice.is_object()) << results.begin()->first;
  EXPECT_EQ(half["plan"]["work_scale"], 0.5);
  EXPECT_EQ(twice["plan"]["work_scale"], 2.0);
  EXPECT_EQ(half["complete"], true);
  EXPECT_GT(off_mean_latency(twice), off_mean_latency(half)) << "four times the work, and no slower?";
  EXPECT_GT(off_mean_latency(half), 0.0);

  const std::map<std::string, fs::path> chart = files(out, "request-cost-waiting-");
  ASSERT_EQ(chart.size(), 2U) << "the SVG and its points";
  for (const auto& [name, path] : chart) {
    if (name.ends_with(".svg")) {
      EXPECT_EQ(slurp(path).rfind("<svg xmlns=", 0), 0U) << name;
      continue;
    }
    const json points = json::parse(slurp(path));
    EXPECT_EQ(points["schema"], "tracebench.request-cost/1");
    ASSERT_EQ(points["scales"].size(), 2U);
    EXPECT_EQ(points["scales"][0]["work_scale"], 0.5);
    EXPECT_EQ(points["scales"][1]["work_scale"], 2.0);
    EXPECT_NE(points["scales"][1]["results_file"].get<std::string>().find("run-waiting-work2-"), std::string::npos);
    // x is off's mean latency at that scale: here its one run's, unless a loaded machine made it invalid.
    if (off_run(twice)["latency_valid"] == true) {
      EXPECT_NEAR(points["scales"][1]["off_mean_latency_ns"].get<double>(), off_mean_latency(twice), 1.0);
    }
    ASSERT_EQ(points["series"].size(), 2U);  // never and 1/1; off is what they are set against
    EXPECT_EQ(points["series"][1]["configuration"], "1/1");
  }
  EXPECT_NE(r.err.find("request-cost chart written to "), std::string::npos) << r.err;
}

TEST_F(CliRunWorkScale, JsonPrintsOnlyTheCombinedPoints) {
  const run_result r =
      run("run " + scenario() +
          " --work-scale 1,3 --rates none --rounds 1 --duration 0.05 --warmup 0 --no-aa --format json" + kLoad +
          " --out '" + (dir_ / "results").string() + "'");
  ASSERT_TRUE(r.exit_code == 0 || r.exit_code == 1) << r.err;
  const json doc = json::parse(r.out, nullptr, false);
  ASSERT_TRUE(doc.is_object()) << r.out;
  EXPECT_EQ(doc["schema"], "tracebench.request-cost/1");
  EXPECT_EQ(doc["scales"].size(), 2U);
}

TEST_F(CliRunWorkScale, BadListsAreOneLineNamingTheEntry) {
  const std::string file = scenario();
  const struct {
    std::string value;
    std::string problem;
  } cases[] = {
      {"0", "\"0\" must be above 0"},
      {"-1", "\"-1\" must be above 0"},
      {"abc", "\"abc\" is not a finite number"},
      {"1,x", "\"x\" is not a finite number"},
      {"inf", "\"inf\" is not a finite number"},
      {"nan", "\"nan\" is not a finite number"},
      {"1,1.0", "\"1.0\" is listed twice"},
      {"0.5,,2", "--work-scale"},
      {"2,0.5,2", "\"2\" is listed twice"},
  };
  for (const auto& c : cases) {
    const run_result r = run("run " + file + " --work-scale '" + c.value + "' --out '" + dir_.string() + "'");
    expect_usage_error(r, "run", c.problem);
    EXPECT_EQ(r.err.rfind("tracebench run: --work-scale: ", 0), 0U) << r.err;
  }
  const run_result remote = run("run " + file + " --work-scale 2 --target http://127.0.0.1:1");
  expect_usage_error(remote, "run", "--work-scale: scales the scenario of a graph built here");
  EXPECT_TRUE(files(dir_, "run-").empty()) << "nothing ran";
}

TEST_F(CliRunWorkScale, InterruptKeepsTheFinishedScalesAndStops) {
  const fs::path out = dir_ / "results";
  const fs::path err = dir_ / "stderr";
  const fs::path table = dir_ / "stdout";
  // Each scale: off and never, 3 rounds of about 0.6 s.
  const std::string command = "exec '" + kTracebenchBinary + "' run " + scenario() +
                              " --work-scale 0.5,1,2 --rates none --no-aa --rounds 3 --duration 0.25 --warmup 0.05" +
                              kLoad + " --out '" + out.string() + "' >'" + table.string() + "' 2>'" + err.string() +
                              "'";
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    ::execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  // Interrupt once the second scale has finished a run (bounded: 60 s).
  const auto second_scale_started = [&] {
    const std::string text = slurp(err);
    const std::size_t at = text.find("work scale x1 (2 of 3)");
    return at != std::string::npos && text.find("[1/6]", at) != std::string::npos;
  };
  for (int i = 0; i < 600 && !second_scale_started(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  ::kill(pid, SIGINT);
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status)) << "killed by the signal instead of stopping cleanly";
  EXPECT_EQ(WEXITSTATUS(status), 130) << slurp(err);

  const std::map<std::string, fs::path> results = files(out, "run-waiting-");
  ASSERT_EQ(results.size(), 2U) << slurp(err);
  for (const auto& [name, path] : results) {
    const json doc = json::parse(slurp(path));
    if (name.rfind("run-waiting-work0.5-", 0) == 0) {
      EXPECT_EQ(doc["complete"], true) << name;
    } else {
      EXPECT_EQ(name.rfind("run-waiting-work1-", 0), 0U) << name;
      EXPECT_EQ(doc["complete"], false) << name;
    }
  }
  EXPECT_TRUE(files(out, "request-cost-").empty()) << "no chart from an interrupted series";
  EXPECT_EQ(slurp(table).find("=== Work scale x2"), std::string::npos);
  EXPECT_NE(slurp(err).find("interrupted during work scale x1"), std::string::npos) << slurp(err);
}

}  // namespace
