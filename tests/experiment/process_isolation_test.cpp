// Runs in child processes: a report comes back whole (histogram included), and a child that
// crashes, hangs, errs or reports garbage is a failed run naming why, while the experiment goes on.

#include "tracebench/experiment/process_isolation.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "tracebench/results/experiment_summary.hpp"
#include "tracebench/results/results_file.hpp"
#include "tracebench/results/run_report.hpp"
#include "tracebench/services/scenario_loader.hpp"

namespace tracebench::test {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;
using harness::run_record;
using harness::run_request;

// The executor appends the request as the last argument: $1 of the script is `extra`, $2 the request.
harness::run_executor shell(const std::string& script, const std::string& extra = "-",
                            std::chrono::nanoseconds limit = 60s) {
  return harness::child_process_executor(
      {"/bin/sh", "-c", script, "sh", extra}, [limit](const run_request&) { return limit; }, nullptr);
}

run_request request_for(const std::string& configuration, unsigned round) {
  run_request r;
  r.configuration = configuration;
  r.round = round;
  r.offered_rate = 250;
  return r;
}

run_record sample_record() {
  run_record r;
  r.configuration = "1/16";
  r.round = 4;
  r.throughput = 1234.5;
  r.cpu_ns_per_request = 98765.25;
  r.offered_rate = 617.25;
  r.achieved_rate = 616;
  for (std::int64_t v = 1; v <= 1000; ++v) r.latency_distribution.record(v * 1'000);
  r.latency.count = 1000;
  r.latency.p99 = 990'000;
  r.spans.started = 40;
  r.spans.sampled = 3;
  r.spans.dropped = 1;
  harness::pipeline_record p;
  p.requests = 10;
  p.kept = 2;
  p.estimate.requests = {10.5, 9, 12};
  p.exemplars.push_back({"0123456789abcdef0123456789abcdef", 5000, 1.5});
  r.pipeline = p;
  return r;
}

TEST(RunReport, RoundTripsTheWholeRecord) {
  const run_record in = sample_record();
  const std::string line = harness::run_report(in);
  EXPECT_EQ(line.find('\n'), std::string::npos);
  const run_record out = harness::parse_run_report(line, "test");
  EXPECT_EQ(out.configuration, "1/16");
  EXPECT_EQ(out.round, 4U);
  EXPECT_DOUBLE_EQ(out.throughput, 1234.5);
  EXPECT_DOUBLE_EQ(out.cpu_ns_per_request, 98765.25);
  EXPECT_EQ(out.latency_distribution, in.latency_distribution);
  EXPECT_EQ(out.latency.p99, 990'000);
  EXPECT_EQ(out.spans.dropped, 1U);
  ASSERT_TRUE(out.pipeline);
  EXPECT_EQ(out.pipeline->kept, 2U);
  EXPECT_DOUBLE_EQ(out.pipeline->estimate.requests.high, 12);
  ASSERT_EQ(out.pipeline->exemplars.size(), 1U);
  EXPECT_EQ(out.pipeline->exemplars[0].value_ns, 5000);
}

TEST(RunReport, GarbageIsAOneLineErrorNamingTheField) {
  EXPECT_THROW((void)harness::parse_run_report("{", "report"), harness::results_file_error);
  std::string line = harness::run_report(sample_record());
  line.replace(line.find("\"throughput\":"), 13, "\"thruput\":");
  try {
    (void)harness::parse_run_report(line, "report");
    FAIL() << "accepted";
  } catch (const harness::results_file_error& e) {
    EXPECT_NE(std::string(e.what()).find("throughput"), std::string::npos) << e.what();
  }
}

class ChildExecutor : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("tracebench-isolation-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

TEST_F(ChildExecutor, AReportComesBackWithItsPhases) {
  const fs::path report = dir_ / "report";
  std::ofstream(report) << "record " << harness::run_report(sample_record()) << '\n';
  std::vector<int> phases;
  const run_record r = shell("echo 'phase 1' >&3; echo 'phase 2' >&3; cat \"$1\" >&3", report.string())(
      request_for("1/16", 7), [&](int phase) { phases.push_back(phase); });
  EXPECT_EQ(phases, (std::vector<int>{1, 2}));
  EXPECT_TRUE(r.valid()) << r.throughput_invalid_reason;
  EXPECT_DOUBLE_EQ(r.throughput, 1234.5);
  EXPECT_EQ(r.round, 7U) << "the parent's round, not the child's";
  EXPECT_EQ(r.latency_distribution.count(), 1000U);
}

TEST_F(ChildExecutor, TheRequestIsTheLastArgument) {
  const fs::path seen = dir_ / "seen";
  (void)shell("printf '%s' \"$2\" > \"$1\"", seen.string())(request_for("1/4", 2), {});
  std::ifstream in(seen);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const run_request back = run_request::from_json(text);
  EXPECT_EQ(back.configuration, "1/4");
  EXPECT_EQ(back.round, 2U);
  EXPECT_DOUBLE_EQ(back.offered_rate, 250);
}

TEST_F(ChildExecutor, ACrashingChildIsAFailedRunNamingTheSignal) {
  const run_record r = shell("echo 'phase 1' >&3; kill -SEGV $$")(request_for("1/1", 3), {});
  EXPECT_FALSE(r.valid());
  EXPECT_EQ(r.configuration, "1/1");
  EXPECT_EQ(r.round, 3U);
  EXPECT_EQ(r.throughput_invalid_reason, "its process: killed by signal 11 (SIGSEGV)");
  EXPECT_EQ(r.latency_invalid_reason, r.throughput_invalid_reason);
}

TEST_F(ChildExecutor, AHangingChildIsEndedByItsTimeLimit) {
  const run_record r = shell("echo 'phase 1' >&3; exec sleep 600", "-", 300ms)(request_for("1/1", 0), {});
  EXPECT_FALSE(r.valid());
  EXPECT_EQ(r.throughput_invalid_reason, "its process: did not finish within 0.3 s: killed");
}

TEST_F(ChildExecutor, TheChildsOwnErrorIsKept) {
  const run_record r = shell("echo 'error graph: port in use' >&3; exit 1")(request_for("1/1", 0), {});
  EXPECT_EQ(r.throughput_invalid_reason, "its process: exit code 1: graph: port in use");
}

TEST_F(ChildExecutor, NoReportOrAGarbledOneIsAFailure) {
  EXPECT_EQ(shell("exit 0")(request_for("off", 0), {}).throughput_invalid_reason,
            "its process: exit code 0 without a report");
  const run_record garbled = shell("echo 'record {\"configuration\": 1}' >&3")(request_for("off", 0), {});
  EXPECT_FALSE(garbled.valid());
  EXPECT_NE(garbled.throughput_invalid_reason.find("the run's report: /configuration: expected a string"),
            std::string::npos)
      << garbled.throughput_invalid_reason;
}

TEST_F(ChildExecutor, TheExperimentGoesOnPastACrashedRun) {
  auto loaded = services::parse_scenario(R"({"name": "tiny", "entry": "api", "services": {"api": {"cpu_us": 20}}})");
  ASSERT_TRUE(loaded.ok());
  harness::experiment_plan plan;
  plan.configurations = {"off", "1/1"};
  plan.rounds = 2;
  plan.phase_duration = 100ms;
  plan.warmup = 0ms;
  plan.concurrency = 2;
  plan.graph_threads = 1;
  plan.lag_bound = 50ms;
  const harness::run_executor crash = shell("kill -SEGV $$");
  const auto result = harness::run_experiment(*loaded.value, plan, {}, nullptr, {},
                                              [&](const run_request& request, const harness::phase_callback& phase) {
                                                if (request.configuration == "1/1" && request.round == 0)
                                                  return crash(request, phase);
                                                return harness::run_here(*loaded.value, plan, request, phase, nullptr);
                                              });
  ASSERT_EQ(result.runs.size(), 4U);
  EXPECT_FALSE(result.interrupted);
  const harness::experiment_summary summary = harness::summarize_experiment(result);
  ASSERT_EQ(summary.rows.size(), 2U);
  const auto& row = summary.rows[1];
  EXPECT_EQ(row.configuration, "1/1");
  EXPECT_EQ(row.invalid_runs, 1U);
  ASSERT_EQ(row.invalid_reasons.size(), 1U);
  EXPECT_EQ(row.invalid_reasons[0], "round 1: its process: killed by signal 11 (SIGSEGV)");
  EXPECT_EQ(row.throughput.per_round.size(), 1U) << "round 2's pair still counts";
}

}  // namespace
}  // namespace tracebench::test
