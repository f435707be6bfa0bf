// An experiment on a graph that is already running: two `tracebench serve` processes take
// their tracing configuration through the entry's control path and report their counters, and
// `tracebench run --target` measures every configuration on them.

#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "support/cli_fixture.hpp"
#include "support/serve_process.hpp"

namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;
using tracebench::testing_support::background_command;
using tracebench::testing_support::http_exchange;
using tracebench::testing_support::lines;
using tracebench::testing_support::quote;
using tracebench::testing_support::run_result;

const std::string kPair = R"({"name": "pair", "entry": "frontend", "services": {
  "frontend": {"operation": "GET /front", "cpu_us": 5, "response_bytes": 100, "calls": [{"to": "backend"}]},
  "backend": {"operation": "Lookup", "cpu_us": 5, "response_bytes": 300}}})";

std::string post(const std::string& target, const std::string& body = "") {
  return "POST " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: " +
         std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
}

// The reply's status line and its body parsed as JSON (null when it is not JSON).
struct reply {
  std::string status;
  json body;
};
reply control_exchange(std::uint16_t port, const std::string& request) {
  const std::string text = http_exchange(port, request);
  const std::size_t head_end = text.find("\r\n\r\n");
  reply r;
  r.status = text.substr(0, text.find("\r\n"));
  if (head_end != std::string::npos) r.body = json::parse(text.substr(head_end + 4), nullptr, false);
  return r;
}

class CliRemoteRun : public tracebench::testing_support::cli_fixture {
 protected:
  void SetUp() override {
    cli_fixture::SetUp();
    file_ = quote(write("pair.json", kPair));
    backend_ = std::make_unique<background_command>(dir_, "backend", "serve " + file_ + " --service backend");
    const std::uint16_t backend_port = backend_->wait_listening();
    ASSERT_NE(backend_port, 0) << backend_->err();
    frontend_ = std::make_unique<background_command>(
        dir_, "frontend",
        "serve " + file_ + " --service frontend --peer backend=http://127.0.0.1:" + std::to_string(backend_port));
    port_ = frontend_->wait_listening();
    ASSERT_NE(port_, 0) << frontend_->err();
  }

  std::string file_;
  std::unique_ptr<background_command> backend_;
  std::unique_ptr<background_command> frontend_;
  std::uint16_t port_ = 0;
};

TEST_F(CliRemoteRun, ControlReachesEveryServiceThroughTheEntry) {
  const std::string call = "GET /call/frontend HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
  const reply configured = control_exchange(port_, post("/tracebench/configure", R"({"tracing": "never"})"));
  ASSERT_EQ(configured.status, "HTTP/1.1 200 OK") << configured.body;
  ASSERT_TRUE(configured.body["services"].contains("frontend") && configured.body["services"].contains("backend"))
      << configured.body;
  for (const char* name : {"frontend", "backend"}) {
    EXPECT_EQ(configured.body["services"][name]["tracing"], "never");
    EXPECT_EQ(configured.body["services"][name]["requests"], 0);
    // Each process calibrated its work kernel once at start, and says so in every reply.
    const json& work = configured.body["services"][name]["work"];
    EXPECT_EQ(work["model"], "compute") << work;
    EXPECT_GT(work["iterations_per_us"].get<double>(), 0.0) << work;
    EXPECT_GT(work["repetitions"].get<unsigned>(), 0U) << work;
    EXPECT_LE(work["min_iterations_per_us"].get<double>(), work["iterations_per_us"].get<double>()) << work;
  }
  for (int i = 0; i < 3; ++i) ASSERT_EQ(http_exchange(port_, call).rfind("HTTP/1.1 200", 0), 0U);

  const reply never = control_exchange(port_, post("/tracebench/settle"));
  ASSERT_EQ(never.status, "HTTP/1.1 200 OK") << never.body;
  const json& front = never.body["services"]["frontend"];
  const json& back = never.body["services"]["backend"];
  EXPECT_EQ(front["requests"], 3);
  EXPECT_EQ(back["requests"], 3);
  EXPECT_EQ(front["spans"]["started"], 6);  // server and client span per request
  EXPECT_EQ(back["spans"]["started"], 3);
  EXPECT_EQ(front["spans"]["sampled"], 0);
  EXPECT_GT(front["cpu_ns"].get<std::uint64_t>(), 0U);

  // A new configuration starts its counts from zero and samples everything.
  ASSERT_EQ(control_exchange(port_, post("/tracebench/configure", R"({"tracing": "1/1"})")).status, "HTTP/1.1 200 OK");
  ASSERT_EQ(http_exchange(port_, call).rfind("HTTP/1.1 200", 0), 0U);
  const json all = control_exchange(port_, post("/tracebench/settle")).body["services"];
  EXPECT_EQ(all["frontend"]["requests"], 1);
  EXPECT_EQ(all["frontend"]["spans"]["exported"], 2);
  EXPECT_EQ(all["backend"]["spans"]["exported"], 1);
  EXPECT_GT(all["backend"]["bytes_encoded"].get<std::uint64_t>(), 0U);
  EXPECT_EQ(control_exchange(port_, post("/tracebench/stats")).body["services"]["backend"]["tracing"], "1/1");

  // Bad control requests are answered with one line, and the service goes on serving.
  const reply bad_ratio = control_exchange(port_, post("/tracebench/configure", R"({"tracing": "1/0"})"));
  EXPECT_EQ(bad_ratio.status, "HTTP/1.1 400 Bad Request");
  EXPECT_NE(bad_ratio.body["error"].get<std::string>().find("1/0"), std::string::npos) << bad_ratio.body;
  EXPECT_EQ(control_exchange(port_, post("/tracebench/configure", "not json")).status, "HTTP/1.1 400 Bad Request");
  EXPECT_EQ(control_exchange(port_, post("/tracebench/nosuch")).status, "HTTP/1.1 404 Not Found");
  EXPECT_EQ(http_exchange(port_, call).rfind("HTTP/1.1 200", 0), 0U);
}

TEST_F(CliRemoteRun, RunMeasuresEveryConfigurationOnTheRunningGraph) {
  const std::string target = "http://127.0.0.1:" + std::to_string(port_);
  const run_result r = run("run " + file_ + " --target " + target +
                           " --rates 1/1 --rounds 1 --duration 0.3 --warmup 0.1 --lag-bound 10 --format json --out '" +
                           dir_.string() + "'");
  ASSERT_TRUE(r.exit_code == 0 || r.exit_code == 1) << r.err;  // 1: a run invalid on a loaded machine
  const json doc = json::parse(r.out, nullptr, false);
  ASSERT_TRUE(doc.is_object()) << r.out << r.err;
  EXPECT_EQ(doc["plan"]["transport"], "remote");
  EXPECT_EQ(doc["plan"]["target"], target);
  ASSERT_EQ(doc["runs"].size(), 4U);  // off, off', never, 1/1
  for (const json& run : doc["runs"]) {
    const std::string config = run["configuration"];
    const json& spans = run["spans"];
    SCOPED_TRACE(config);
    EXPECT_GT(run["throughput"].get<double>(), 0.0);
    EXPECT_GT(run["cpu_ns_per_request"].get<double>(), 0.0);
    if (config == "off" || config == "off'") {
      EXPECT_EQ(spans["started"], 0);
    } else if (config == "never") {
      EXPECT_GT(spans["started"].get<std::uint64_t>(), 0U);
      EXPECT_EQ(spans["sampled"], 0);
    } else {
      // Three spans per request, every one sampled and exported by one of the two processes.
      EXPECT_GT(spans["started"].get<std::uint64_t>(), 0U);
      EXPECT_EQ(spans["started"].get<std::uint64_t>() % 3, 0U);
      EXPECT_EQ(spans["exported"], spans["started"]);
      EXPECT_EQ(spans["dropped"], 0);
    }
  }
  // Every serve process's own calibration, by the service it serves, in the environment.
  const json& work = doc["environment"]["work"];
  EXPECT_EQ(work["model"], "compute") << work;
  EXPECT_EQ(work["calibration"], "per serve process") << work;
  ASSERT_EQ(work["processes"].size(), 2U) << work;
  std::vector<std::string> served;
  for (const json& process : work["processes"]) {
    served.push_back(process["service"]);
    EXPECT_EQ(process["model"], "compute") << process;
    EXPECT_GT(process["iterations_per_us"].get<double>(), 0.0) << process;
    EXPECT_NE(process["calibration"].get<std::string>().find(" iterations/us (median of "), std::string::npos)
        << process;
  }
  std::sort(served.begin(), served.end());
  EXPECT_EQ(served, (std::vector<std::string>{"backend", "frontend"}));

  // And the report's environment row names each process's.
  std::string results_file;
  for (const auto& entry : fs::directory_iterator(dir_)) {
    if (entry.path().filename().string().rfind("run-pair-", 0) == 0) results_file = entry.path().string();
  }
  ASSERT_FALSE(results_file.empty());
  const run_result report = run("report '" + results_file + "'");
  ASSERT_EQ(report.exit_code, 0) << report.err;
  const std::size_t row = report.out.find("compute, per serve process: ");
  ASSERT_NE(row, std::string::npos) << report.out;
  const std::string line = report.out.substr(row, report.out.find('\n', row) - row);
  EXPECT_NE(line.find("backend "), std::string::npos) << line;
  EXPECT_NE(line.find("frontend "), std::string::npos) << line;

  // The graph went on serving, and the services left configured with the last run's tracing.
  EXPECT_EQ(frontend_->stop(), 0) << frontend_->err();
  EXPECT_EQ(backend_->stop(), 0) << backend_->err();
  EXPECT_NE(backend_->out().find("; work compute, "), std::string::npos) << backend_->out();
}

TEST_F(CliRemoteRun, TargetProblemsAreOneLine) {
  const std::string out = " --rates 1/1 --rounds 1 --duration 0.2 --out '" + dir_.string() + "'";
  const run_result nobody =
      run("run " + file_ + " --target http://127.0.0.1:" + std::to_string(tracebench::testing_support::unused_port()) +
          out);
  EXPECT_EQ(nobody.exit_code, 1);
  EXPECT_EQ(lines(nobody.err), 1U) << nobody.err;
  EXPECT_EQ(nobody.err.rfind("tracebench run: --target: the graph at 127.0.0.1:", 0), 0U) << nobody.err;

  // The backend alone does not reach the frontend the scenario also has.
  const std::string backend_port = backend_->err().substr(backend_->err().rfind(':') + 1);
  const run_result partial =
      run("run " + file_ + " --target http://127.0.0.1:" + backend_port.substr(0, backend_port.find('\n')) + out);
  EXPECT_EQ(partial.exit_code, 1);
  EXPECT_NE(partial.err.find("does not reach frontend"), std::string::npos) << partial.err;

  for (const std::string flags : {"--target https://127.0.0.1:1", "--target http://127.0.0.1:1 --transport loopback",
                                  "--target http://127.0.0.1:1 --threads 2"}) {
    const run_result r = run("run " + file_ + " " + flags + out);
    EXPECT_EQ(r.exit_code, 2) << flags;
    EXPECT_EQ(lines(r.err), 1U) << r.err;
    EXPECT_EQ(r.err.rfind("tracebench run: --target: ", 0), 0U) << r.err;
  }
}

}  // namespace
