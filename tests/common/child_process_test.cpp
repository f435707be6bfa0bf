// run_child: lines come back in order, and every way a child can fail (crash, exit code, hang,
// flood, a stop request it ignores, a program that is not there) ends with the child reaped and
// the reason named, never with this process waiting forever.

#include "tracebench/common/child_process.hpp"

#include <gtest/gtest.h>

#include <signal.h>
#include <sys/wait.h>

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace {

using tracebench::harness::child_options;
using tracebench::harness::child_outcome;
using tracebench::harness::run_child;
using namespace std::chrono_literals;

child_options shell(const std::string& script) {
  child_options o;
  o.argv = {"/bin/sh", "-c", script};
  o.timeout = 60s;
  return o;
}

std::vector<std::string> collect(const child_options& o, child_outcome& outcome) {
  std::vector<std::string> got;
  outcome = run_child(o, [&](std::string_view line) { got.emplace_back(line); });
  return got;
}

TEST(ChildProcess, LinesOnDescriptorThreeComeBackInOrderStdoutDoesNot) {
  child_outcome outcome;
  const auto got =
      collect(shell("echo 'phase 1' >&3; echo noise; echo 'phase 2' >&3; printf 'record {}' >&3"), outcome);
  EXPECT_TRUE(outcome.ok()) << outcome.describe();
  EXPECT_EQ(got, (std::vector<std::string>{"phase 1", "phase 2", "record {}"}));
}

TEST(ChildProcess, ALargeReportArrivesWhole) {
  child_outcome outcome;
  // 1 MiB on one line: more than a pipe holds, so it arrives over many reads.
  const auto got = collect(shell("head -c 1048576 /dev/zero | tr '\\0' x >&3; echo >&3"), outcome);
  EXPECT_TRUE(outcome.ok()) << outcome.describe();
  ASSERT_EQ(got.size(), 1U);
  EXPECT_EQ(got[0].size(), 1048576U);
}

TEST(ChildProcess, ACrashIsNamedBySignal) {
  child_outcome outcome;
  const auto got = collect(shell("echo 'phase 1' >&3; kill -SEGV $$"), outcome);
  EXPECT_EQ(outcome.how, child_outcome::kind::signaled);
  EXPECT_EQ(outcome.signal, SIGSEGV);
  EXPECT_EQ(outcome.describe(), "killed by signal 11 (SIGSEGV)");
  EXPECT_EQ(got, std::vector<std::string>{"phase 1"});
  EXPECT_FALSE(outcome.ok());
}

TEST(ChildProcess, AnExitCodeIsNamed) {
  child_outcome outcome;
  (void)collect(shell("exit 3"), outcome);
  EXPECT_EQ(outcome.how, child_outcome::kind::exited);
  EXPECT_EQ(outcome.exit_code, 3);
  EXPECT_EQ(outcome.describe(), "exit code 3");
}

TEST(ChildProcess, AHangingChildIsKilledAtItsTimeout) {
  child_options o = shell("echo 'phase 1' >&3; exec sleep 600");
  o.timeout = 300ms;
  child_outcome outcome;
  const auto got = collect(o, outcome);
  EXPECT_EQ(outcome.how, child_outcome::kind::timed_out);
  EXPECT_EQ(outcome.describe(), "did not finish within 0.3 s: killed");
  EXPECT_EQ(got, std::vector<std::string>{"phase 1"});
}

TEST(ChildProcess, AChildThatClosesItsReportButLivesOnStillTimesOut) {
  child_options o = shell("exec 3>&-; exec sleep 600");
  o.timeout = 300ms;
  child_outcome outcome;
  (void)collect(o, outcome);
  EXPECT_EQ(outcome.how, child_outcome::kind::timed_out);
}

TEST(ChildProcess, StopSendsTerminateThenKillsOneThatIgnoresIt) {
  std::atomic<bool> stop{false};
  child_options o = shell("trap '' TERM; echo ready >&3; while :; do sleep 1; done");
  o.stop = &stop;
  o.grace = 200ms;
  child_outcome outcome;
  std::vector<std::string> got;
  outcome = run_child(o, [&](std::string_view line) {
    got.emplace_back(line);
    stop = true;  // once it runs
  });
  EXPECT_EQ(outcome.how, child_outcome::kind::stopped);
  EXPECT_EQ(got, std::vector<std::string>{"ready"});
}

TEST(ChildProcess, StopEndsAChildThatHonoursTerminate) {
  std::atomic<bool> stop{false};
  child_options o = shell("trap 'echo stopping >&3; exit 0' TERM; echo ready >&3; while :; do sleep 0.05; done");
  o.stop = &stop;
  o.grace = 60s;  // it must not take the grace to end
  child_outcome outcome;
  std::vector<std::string> got;
  outcome = run_child(o, [&](std::string_view line) {
    got.emplace_back(line);
    stop = true;
  });
  EXPECT_EQ(outcome.how, child_outcome::kind::stopped);
  EXPECT_EQ(got, (std::vector<std::string>{"ready", "stopping"}));
}

TEST(ChildProcess, AFloodIsCutOff) {
  child_options o = shell("exec yes >&3");
  o.max_output = 1 << 20;
  child_outcome outcome;
  (void)collect(o, outcome);
  EXPECT_EQ(outcome.how, child_outcome::kind::too_much_output);
}

TEST(ChildProcess, AMissingProgramIsNotStartedWithTheReason) {
  child_options o;
  o.argv = {"/nonexistent/tracebench"};
  child_outcome outcome;
  (void)collect(o, outcome);
  EXPECT_EQ(outcome.how, child_outcome::kind::not_started);
  EXPECT_NE(outcome.describe().find("/nonexistent/tracebench: No such file or directory"), std::string::npos)
      << outcome.describe();
}

TEST(ChildProcess, AnExceptionFromTheLineHandlerStillReapsTheChild) {
  child_options o = shell("echo one >&3; exec sleep 600");
  EXPECT_THROW((void)run_child(o, [](std::string_view) { throw std::runtime_error("bad line"); }), std::runtime_error);
  // The child is gone: no zombie left to reap.
  int status = 0;
  EXPECT_EQ(::waitpid(-1, &status, WNOHANG), -1);
}

}  // namespace
