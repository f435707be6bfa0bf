// Real HTTP clients against a graph of `tracebench serve` processes, one service each: curl's
// request carries a chosen trace context through every process into one tree, and wrk's load is
// answered without errors with exactly the spans the scenario implies per request. Spans per
// request come from the scenario summary, cross-checked against one real request; counts are
// asserted, never timings.

#include <gtest/gtest.h>

#include <cctype>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "support/cli_fixture.hpp"
#include "support/serve_process.hpp"
#include "tracebench/results/trace_analysis.hpp"
#include "tracebench/services/scenario_loader.hpp"
#include "tracebench/services/scenario_summary.hpp"

namespace {

namespace fs = std::filesystem;
namespace svc = tracebench::services;
using tracebench::harness::analyzed_span;
using tracebench::harness::trace_report;
using tracebench::testing_support::background_command;
using tracebench::testing_support::quote;
using tracebench::testing_support::slurp;

// scripts/test installs both (Debian's curl and wrk packages).
const fs::path kCurl = "/usr/bin/curl";
const fs::path kWrk = "/usr/bin/wrk";
constexpr const char* kTraceId = "5d9a2c4e8f10b3a7c6e1f0d2b4a69788";
constexpr const char* kParentId = "a3ce929d0e0e4736";
constexpr int kServer = 2;
// wrk's exact run: one connection stopped after this many replies.
constexpr int kExactReplies = 500;

// A fan-out over three processes: an internal span and two callees, one per step.
const std::string kFanout = R"({"name": "fanout", "entry": "frontend", "services": {
  "frontend": {"operation": "GET /page", "cpu_us": 5, "response_bytes": 700,
               "internal_spans": [{"name": "render"}], "calls": [{"to": "users"}, {"to": "stock"}]},
  "users": {"operation": "Users", "cpu_us": 5, "response_bytes": 300},
  "stock": {"operation": "Stock", "cpu_us": 5, "response_bytes": 200}}})";

// The number after `label` in `text`, or -1 when it is not there.
std::int64_t number_after(const std::string& text, const std::string& label) {
  const std::size_t at = text.find(label);
  if (at == std::string::npos) return -1;
  const std::string rest = text.substr(at + label.size());
  if (rest.empty() || std::isdigit(static_cast<unsigned char>(rest.front())) == 0) return -1;
  return std::stoll(rest);
}

// Runs a shell command, output in files; its exit status, -1 when it did not exit by itself.
int shell(const std::string& command) {
  const int status = std::system(command.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

struct wrk_figures {
  std::int64_t requests = -1;  // "N requests in": completed replies
  bool socket_errors = true;
  bool status_errors = true;  // wrk counts status > 399 as "Non-2xx or 3xx responses"
};

wrk_figures parse_wrk(const std::string& out) {
  wrk_figures f;
  std::smatch m;
  if (std::regex_search(out, m, std::regex(R"((\d+) requests in )"))) f.requests = std::stoll(m[1]);
  f.socket_errors = out.find("Socket errors") != std::string::npos;
  f.status_errors = out.find("Non-2xx or 3xx responses") != std::string::npos;
  return f;
}

class RealClients : public tracebench::testing_support::cli_fixture {
 protected:
  void SetUp() override {
    cli_fixture::SetUp();
    const svc::load_result loaded = svc::parse_scenario(kFanout);
    ASSERT_TRUE(loaded.ok()) << loaded.errors.front();
    spec_ = *loaded.value;
    summary_ = svc::summarize(spec_);
  }
  void TearDown() override {
    servers_.clear();  // kills whatever a failed test left running
    cli_fixture::TearDown();
  }

  // Starts the callees, then the entry with their ports as peers; the entry's port, 0 when a
  // process did not start.
  std::uint16_t start_graph() {
    const std::string file = quote(write("fanout.json", kFanout));
    std::string peers;
    for (const svc::service& s : spec_.services) {
      if (s.name == spec_.entry) continue;
      const std::uint16_t port = start(s.name, file, "");
      if (port == 0) return 0;
      peers += " --peer " + s.name + "=http://127.0.0.1:" + std::to_string(port);
    }
    return start(spec_.entry, file, peers);
  }

  // SIGTERM to every process, the entry first so no call finds its callee gone; each drains,
  // flushes its spans and prints its counters.
  void stop_graph() {
    EXPECT_EQ(servers_.at(spec_.entry)->stop(), 0) << servers_.at(spec_.entry)->err();
    for (auto& [name, server] : servers_) {
      if (name != spec_.entry) {
        EXPECT_EQ(server->stop(), 0) << name << '\n' << server->err();
      }
    }
  }

  // A counter from the service's final stdout line ("requests N, errors N, ...; spans exported N, dropped N").
  std::int64_t counter(const std::string& service, const std::string& label) const {
    return number_after(servers_.at(service)->out(), label);
  }

  trace_report exported(const std::string& service) const {
    return tracebench::harness::analyze_otlp_file(dir_ / (service + ".jsonl"));
  }

  // The summary's spans per request, whole (a graph without probabilities or batches).
  std::size_t spans_per_request() const {
    EXPECT_EQ(summary_.spans_per_request, std::floor(summary_.spans_per_request));
    return static_cast<std::size_t>(summary_.spans_per_request);
  }
  std::size_t spans_per_request(const std::string& service) const {
    for (const svc::service_figures& f : summary_.per_service) {
      if (f.name == service) return static_cast<std::size_t>(f.spans);
    }
    ADD_FAILURE() << "no service " << service;
    return 0;
  }

  svc::scenario spec_;
  svc::scenario_summary summary_;
  std::map<std::string, std::unique_ptr<background_command>> servers_;

 private:
  std::uint16_t start(const std::string& service, const std::string& file, const std::string& peers) {
    auto& server = servers_[service];
    server = std::make_unique<background_command>(dir_, service,
                                                  "serve " + file + " --service " + service +
                                                      " --threads 1 --tracing 1/1 --export " +
                                                      quote(dir_ / (service + ".jsonl")) + peers);
    const std::uint16_t port = server->wait_listening();
    EXPECT_NE(port, 0) << service << '\n' << server->err();
    return port;
  }
};

TEST_F(RealClients, CurlRequestCarriesItsTraceContextThroughEveryProcess) {
  ASSERT_TRUE(fs::exists(kCurl)) << "needs curl (scripts/test installs it)";
  const std::uint16_t port = start_graph();
  ASSERT_NE(port, 0);
  const std::string url = "http://127.0.0.1:" + std::to_string(port) + "/call/" + spec_.entry;
  const std::string traceparent = std::string("traceparent: 00-") + kTraceId + "-" + kParentId + "-01";
  const int curl = shell(kCurl.string() + " -sS --max-time 10 -o " + quote(dir_ / "body") +
                         " -w '%{http_code} %{size_download}' -H '" + traceparent + "' " + url + " >" +
                         quote(dir_ / "curl.out") + " 2>" + quote(dir_ / "curl.err"));
  EXPECT_EQ(curl, 0) << slurp(dir_ / "curl.err");
  const std::size_t response_bytes = spec_.entry_service().response_bytes;
  EXPECT_EQ(slurp(dir_ / "curl.out"), "200 " + std::to_string(response_bytes));
  EXPECT_EQ(fs::file_size(dir_ / "body"), response_bytes);
  stop_graph();

  std::vector<analyzed_span> spans;
  for (const svc::service& s : spec_.services) {
    EXPECT_EQ(counter(s.name, "requests "), 1) << servers_.at(s.name)->out();
    const std::vector<analyzed_span> own = exported(s.name).spans;
    // The summary's per-service figure is what this one request produced in that process.
    EXPECT_EQ(own.size(), spans_per_request(s.name)) << s.name;
    spans.insert(spans.end(), own.begin(), own.end());
  }
  ASSERT_EQ(spans.size(), spans_per_request());

  std::set<std::string> ids;
  for (const analyzed_span& s : spans) {
    EXPECT_EQ(s.trace_id, kTraceId) << s.service << ' ' << s.name;
    EXPECT_TRUE(ids.insert(s.span_id).second) << "span id " << s.span_id << " twice";
  }
  // The entry's server span hangs under the given parent, every other span under one of these.
  std::size_t under_given = 0;
  for (const analyzed_span& s : spans) {
    if (s.parent_id == kParentId) {
      ++under_given;
      EXPECT_EQ(s.service, spec_.entry);
      EXPECT_EQ(s.kind, kServer);
    } else {
      EXPECT_EQ(ids.count(s.parent_id), 1U) << s.service << ' ' << s.name << " has parent " << s.parent_id;
    }
  }
  EXPECT_EQ(under_given, 1U);
  const trace_report report = tracebench::harness::analyze_spans(spans);
  EXPECT_EQ(report.traces, 1U);
  EXPECT_EQ(report.orphans, 1U);  // the entry span: its parent lives in the caller, outside the export
  EXPECT_EQ(report.requests, 1U);
  EXPECT_TRUE(report.split_requests.empty());
}

TEST_F(RealClients, WrkLoadIsAnsweredWithTheSpansItsRequestsImply) {
  ASSERT_TRUE(fs::exists(kWrk)) << "needs wrk (scripts/test installs it)";
  const std::uint16_t port = start_graph();
  ASSERT_NE(port, 0);
  constexpr int kConnections = 4;
  const std::string url = "http://127.0.0.1:" + std::to_string(port) + "/call/" + spec_.entry;
  const int status = shell(kWrk.string() + " -t1 -c" + std::to_string(kConnections) + " -d2s --latency " + url + " >" +
                           quote(dir_ / "wrk.out") + " 2>" + quote(dir_ / "wrk.err"));
  const std::string out = slurp(dir_ / "wrk.out");
  EXPECT_EQ(status, 0) << out << slurp(dir_ / "wrk.err");
  const wrk_figures wrk = parse_wrk(out);
  EXPECT_FALSE(wrk.socket_errors) << out;
  EXPECT_FALSE(wrk.status_errors) << out;
  ASSERT_GT(wrk.requests, 0) << out;
  stop_graph();

  // wrk stops by closing its connections with up to one request in flight on each; the graph
  // still answers and traces those, so the entry's own count is the exact one.
  const std::int64_t answered = counter(spec_.entry, "requests ");
  EXPECT_GE(answered, wrk.requests);
  EXPECT_LE(answered, wrk.requests + kConnections);
  std::vector<analyzed_span> spans;
  for (const svc::service& s : spec_.services) {
    EXPECT_EQ(counter(s.name, "requests "), answered) << servers_.at(s.name)->out();
    EXPECT_EQ(counter(s.name, ", errors "), 0) << servers_.at(s.name)->out();
    EXPECT_EQ(counter(s.name, "dropped "), 0) << servers_.at(s.name)->out();
    const std::vector<analyzed_span> own = exported(s.name).spans;
    EXPECT_EQ(static_cast<std::int64_t>(own.size()), counter(s.name, "spans exported ")) << s.name;
    EXPECT_EQ(own.size(), static_cast<std::size_t>(answered) * spans_per_request(s.name)) << s.name;
    spans.insert(spans.end(), own.begin(), own.end());
  }
  EXPECT_EQ(spans.size(), static_cast<std::size_t>(answered) * spans_per_request());
  // wrk sends no trace context: every request is one whole trace of its own.
  const trace_report report = tracebench::harness::analyze_spans(std::move(spans));
  EXPECT_EQ(report.traces, static_cast<std::size_t>(answered));
  EXPECT_EQ(report.traces_without_one_root, 0U);
  EXPECT_EQ(report.orphans, 0U);
  EXPECT_EQ(report.min_spans_per_trace, spans_per_request());
  EXPECT_EQ(report.max_spans_per_trace, spans_per_request());
}

// wrk's own count is exact when nothing is in flight as it stops: one connection, stopped by a
// script from inside the reply that reaches the count (the next request is not written yet).
// The script then interrupts wrk's main thread, which would otherwise sleep out -d.
TEST_F(RealClients, WrkCountTimesSpansPerRequestIsTheSpanCount) {
  ASSERT_TRUE(fs::exists(kWrk)) << "needs wrk (scripts/test installs it)";
  const std::uint16_t port = start_graph();
  ASSERT_NE(port, 0);
  // SIGINT through LuaJIT's FFI: os.execute would not do, as system() ignores SIGINT in wrk
  // while its child runs.
  const fs::path script = write("stop.lua",
                                "local ffi = require('ffi')\n"
                                "ffi.cdef('int getpid(void); int kill(int pid, int sig);')\n"
                                "local replies = 0\n"
                                "function response()\n"
                                "  replies = replies + 1\n"
                                "  if replies == " +
                                    std::to_string(kExactReplies) +
                                    " then\n"
                                    "    wrk.thread:stop()\n"
                                    "    io.write('stopped after ', replies, ' replies\\n')\n"
                                    "    io.flush()\n"
                                    "    ffi.C.kill(ffi.C.getpid(), 2)\n"
                                    "  end\n"
                                    "end\n");
  const std::string url = "http://127.0.0.1:" + std::to_string(port) + "/call/" + spec_.entry;
  // -d bounds the run should the count not be reached; the script ends it well before.
  const int status = shell(kWrk.string() + " -t1 -c1 -d8s -s " + quote(script) + " " + url + " >" +
                           quote(dir_ / "wrk.out") + " 2>" + quote(dir_ / "wrk.err"));
  const std::string out = slurp(dir_ / "wrk.out");
  EXPECT_EQ(status, 0) << out << slurp(dir_ / "wrk.err");
  ASSERT_NE(out.find("stopped after " + std::to_string(kExactReplies) + " replies"), std::string::npos)
      << "wrk ran out of time before " << kExactReplies << " replies\n"
      << out;
  const wrk_figures wrk = parse_wrk(out);
  EXPECT_FALSE(wrk.socket_errors) << out;
  EXPECT_FALSE(wrk.status_errors) << out;
  EXPECT_EQ(wrk.requests, kExactReplies) << out;
  stop_graph();

  std::size_t spans = 0;
  for (const svc::service& s : spec_.services) {
    EXPECT_EQ(counter(s.name, "requests "), wrk.requests) << servers_.at(s.name)->out();
    EXPECT_EQ(counter(s.name, "dropped "), 0) << servers_.at(s.name)->out();
    spans += exported(s.name).spans.size();
  }
  EXPECT_EQ(spans, static_cast<std::size_t>(wrk.requests) * spans_per_request());
}

}  // namespace
