// The real tracebench binary loading an HTTP endpoint (a `tracebench serve` process): the open
// loop sends what its schedule says, the closed loop reports a throughput, failures are
// counted by category and never hang, Ctrl-C prints the figures so far and exits 130, and bad
// flags and URLs are one line with exit status 2.
// Timing is never asserted: a busy machine may make the generator fall behind (exit 1), so
// the checks are on counts and categories.

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "support/cli_fixture.hpp"
#include "support/serve_process.hpp"
#include "tracebench/results/trace_analysis.hpp"

namespace {

using tracebench::testing_support::background_command;
using tracebench::testing_support::lines;
using tracebench::testing_support::quote;
using tracebench::testing_support::run_result;
using tracebench::testing_support::unused_port;

constexpr const char* kTraceId = "0af7651916cd43dd8448eb211c80319c";

const std::string kTiny =
    R"({"name": "tiny", "entry": "api", "services": {"api": {"cpu_us": 20, "response_bytes": 64}}})";

class CliLoad : public tracebench::testing_support::cli_fixture {
 protected:
  // Starts `tracebench serve` on the tiny scenario; returns its base URL, "" when it did not start.
  std::string start_server(const std::string& extra = "") {
    server_.emplace(dir_, "serve", "serve " + quote(write("tiny.json", kTiny)) + " --service api --threads 1 " + extra);
    const std::uint16_t port = server_->wait_listening();
    return port == 0 ? std::string() : "http://127.0.0.1:" + std::to_string(port);
  }
  void TearDown() override {
    if (server_) (void)server_->stop();
    cli_fixture::TearDown();
  }

  std::optional<background_command> server_;
};

// A run whose exit status is 0, or 1 only because a busy machine made the generator fall behind.
void expect_clean_or_behind(const run_result& r, const nlohmann::json& doc) {
  EXPECT_TRUE(r.exit_code == 0 || (r.exit_code == 1 && doc["valid"] == false)) << r.exit_code << '\n' << r.out << r.err;
}

TEST_F(CliLoad, OpenLoopSendsTheScheduledRequestsWithoutErrors) {
  const std::string base = start_server();
  ASSERT_FALSE(base.empty()) << server_->err();
  const run_result r = run("load --rate 100 --duration 1 --connections 4 --format json " + base + "/call/api");
  const nlohmann::json doc = nlohmann::json::parse(r.out);
  expect_clean_or_behind(r, doc);
  EXPECT_EQ(doc["mode"], "open");
  EXPECT_GE(doc["sent"].get<int>(), 80);  // 100 are due; a late generator may give up on a few
  EXPECT_LE(doc["sent"].get<int>(), 100);
  EXPECT_EQ(doc["completed"], doc["sent"]);
  EXPECT_EQ(doc["errors"], 0);
  EXPECT_EQ(doc["lost"], 0);
  EXPECT_EQ(doc["errors_by_category"], nlohmann::json({{"connect", 0}, {"io", 0}, {"timeout", 0}, {"status", 0}}));
  EXPECT_GT(doc["latency_ns"]["p50"].get<std::int64_t>(), 0);
  EXPECT_TRUE(doc.contains("uncorrected_latency_ns"));
  EXPECT_TRUE(doc.contains("send_lag_p99_ns"));
  // Nothing on stderr for a clean run; one line saying why otherwise.
  EXPECT_EQ(lines(r.err), r.exit_code == 0 ? 0U : 1U) << r.err;
}

TEST_F(CliLoad, PostWithBodyAndHeadersReachesTheService) {
  const std::string base = start_server("--export " + quote(dir_ / "spans.jsonl"));
  ASSERT_FALSE(base.empty()) << server_->err();
  const run_result r = run("load --rate 40 --duration 0.5 --method POST --body-bytes 200 --header 'traceparent: 00-" +
                           std::string(kTraceId) + "-b7ad6b7169203331-01' --format json " + base + "/call/api");
  const nlohmann::json doc = nlohmann::json::parse(r.out);
  expect_clean_or_behind(r, doc);
  EXPECT_EQ(doc["errors"], 0);
  EXPECT_EQ(doc["method"], "POST");
  const std::uint64_t sent = doc["sent"].get<std::uint64_t>();
  ASSERT_GT(sent, 0U);
  EXPECT_EQ(server_->stop(), 0) << server_->err();
  EXPECT_NE(server_->out().find("requests " + std::to_string(sent) + ", errors 0, bad requests 0"), std::string::npos)
      << server_->out();
  const auto spans = tracebench::harness::analyze_otlp_file(dir_ / "spans.jsonl").spans;
  EXPECT_EQ(spans.size(), sent);
  for (const auto& s : spans) EXPECT_EQ(s.trace_id, kTraceId);  // the header went out on every request
}

TEST_F(CliLoad, ClosedLoopReportsAThroughput) {
  const std::string base = start_server("--tracing off");
  ASSERT_FALSE(base.empty()) << server_->err();
  const run_result r =
      run("load --closed --connections 4 --duration 0.5 --warmup 0.1 --format json " + base + "/call/api");
  const nlohmann::json doc = nlohmann::json::parse(r.out);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(doc["mode"], "closed");
  EXPECT_EQ(doc["concurrency"], 4);
  EXPECT_GT(doc["throughput"].get<double>(), 0.0);
  EXPECT_GT(doc["completed"].get<int>(), 0);
  EXPECT_EQ(doc["errors"], 0);
}

TEST_F(CliLoad, CtrlCPrintsTheFiguresSoFarAndExits130) {
  const std::string base = start_server("--tracing off");
  ASSERT_FALSE(base.empty()) << server_->err();
  background_command load(dir_, "load", "load --rate 50 --duration 60 --format json " + base + "/call/api");
  std::this_thread::sleep_for(std::chrono::seconds(1));  // started and sending; 60 s would be the bound
  EXPECT_EQ(load.stop(SIGINT), 130) << load.err();
  const std::string out = load.out();
  ASSERT_FALSE(out.empty()) << load.err();
  const nlohmann::json doc = nlohmann::json::parse(out);
  EXPECT_GT(doc["sent"].get<int>(), 0);
  EXPECT_LT(doc["sent"].get<int>(), 3000);
}

TEST_F(CliLoad, TextFormatReadsLikeWrk) {
  const std::string base = start_server("--tracing off");
  ASSERT_FALSE(base.empty()) << server_->err();
  const run_result r = run("load --rate 50 --duration 0.3 " + base + "/call/api");
  EXPECT_TRUE(r.exit_code == 0 || r.exit_code == 1) << r.err;
  for (const std::string& part :
       std::vector<std::string>{"open loop at 50.0/s", "GET " + base + "/call/api", "requests    ", "errors      0 (",
                                "corrected", "uncorrected", "send lag    p99 ", "generator "}) {
    EXPECT_NE(r.out.find(part), std::string::npos) << part << '\n' << r.out;
  }
}

TEST_F(CliLoad, NotFoundRepliesAreStatusErrors) {
  const std::string base = start_server("--tracing off");
  ASSERT_FALSE(base.empty()) << server_->err();
  const run_result r = run("load --rate 50 --duration 0.3 --format json " + base + "/nothing-here");
  const nlohmann::json doc = nlohmann::json::parse(r.out);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_GT(doc["errors_by_category"]["status"].get<int>(), 0);
  EXPECT_EQ(doc["errors"], doc["completed"]);
}

TEST_F(CliLoad, DeadUrlCountsConnectErrorsAndEnds) {
  const std::string url = "http://127.0.0.1:" + std::to_string(unused_port()) + "/";
  const run_result open = run("load --rate 50 --duration 0.3 --format json " + url);
  EXPECT_EQ(open.exit_code, 1) << open.err;
  const nlohmann::json doc = nlohmann::json::parse(open.out);
  EXPECT_GT(doc["errors_by_category"]["connect"].get<int>(), 0);
  EXPECT_EQ(doc["errors"], doc["completed"]);
  EXPECT_EQ(doc["lost"], 0);
  const run_result closed = run("load --closed --connections 2 --duration 0.2 --format json " + url);
  EXPECT_EQ(closed.exit_code, 1) << closed.err;
  EXPECT_GT(nlohmann::json::parse(closed.out)["errors_by_category"]["connect"].get<int>(), 0);
}

TEST_F(CliLoad, BadFlagsAreOneLineNamingTheFlag) {
  const std::string url = " http://127.0.0.1:1/";
  const struct {
    std::string args;
    std::string flag;
  } cases[] = {
      {"--duration 1", "--rate"},  // neither loop chosen
      {"--rate 10 --closed", "--rate"},
      {"--rate 10 --concurrency 2", "--rate"},
      {"--rate 0", "--rate"},
      {"--rate abc", "--rate"},
      {"--closed --concurrency 0", "--concurrency"},
      {"--rate 10 --connections 0", "--connections"},
      {"--rate 10 --threads -1", "--threads"},
      {"--rate 10 --duration 0", "--duration"},
      {"--rate 10 --duration 1 --warmup 1", "--warmup"},
      {"--rate 10 --timeout x", "--timeout"},
      {"--rate 10 --header nocolon", "--header"},
      {"--rate 10 --header 'Host: x'", "--header"},
      {"--rate 10 --method 'G T'", "--method"},
      {"--rate 10 --body-bytes -5", "--body-bytes"},
      {"--rate 10 --format yaml", "--format"},
      {"--rate 10 --lag-bound 1ms", "--lag-bound"},
  };
  for (const auto& c : cases) {
    const run_result r = run("load " + c.args + url);
    EXPECT_EQ(r.exit_code, 2) << c.args << '\n' << r.err;
    EXPECT_EQ(r.out, "") << c.args;
    EXPECT_EQ(lines(r.err), 1U) << c.args << '\n' << r.err;
    EXPECT_EQ(r.err.rfind("tracebench load: " + c.flag + ": ", 0), 0U) << c.args << '\n' << r.err;
  }
}

TEST_F(CliLoad, BadUrlsAreOneLineUsageErrors) {
  for (const std::string url : {"https://127.0.0.1/", "ftp://127.0.0.1/", "127.0.0.1:80", "http://:80/",
                                "http://h:99999/", "http://[::1/", "http://u@h/", "http://h/#frag"}) {
    const run_result r = run("load --rate 10 '" + url + "'");
    EXPECT_EQ(r.exit_code, 2) << url << '\n' << r.err;
    EXPECT_EQ(lines(r.err), 1U) << url << '\n' << r.err;
    EXPECT_EQ(r.err.rfind("tracebench load: URL: ", 0), 0U) << url << '\n' << r.err;
  }
  const run_result none = run("load --rate 10");
  EXPECT_EQ(none.exit_code, 2);
  EXPECT_NE(none.err.find("no URL given"), std::string::npos) << none.err;
}

}  // namespace
