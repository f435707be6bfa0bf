// The real tracebench binary serving one service per process: two processes make one graph
// whose trace crosses them as one, the process stops by itself or at a signal and prints its
// counters, and every bad flag is one line with exit status 2.

#include <gtest/gtest.h>

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "support/cli_fixture.hpp"
#include "support/serve_process.hpp"
#include "tracebench/results/trace_analysis.hpp"

namespace {

namespace fs = std::filesystem;
using tracebench::harness::analyzed_span;
using tracebench::testing_support::background_command;
using tracebench::testing_support::http_exchange;
using tracebench::testing_support::lines;
using tracebench::testing_support::quote;
using tracebench::testing_support::run_result;
using tracebench::testing_support::slurp;

constexpr int kServer = 2;
constexpr int kClient = 3;
constexpr const char* kTraceId = "4bf92f3577b34da6a3ce929d0e0e4736";
constexpr const char* kParentId = "00f067aa0ba902b7";

const std::string kPair = R"({"name": "pair", "entry": "frontend", "services": {
  "frontend": {"operation": "GET /front", "cpu_us": 10, "response_bytes": 100, "calls": [{"to": "backend"}]},
  "backend": {"operation": "Lookup", "cpu_us": 10, "response_bytes": 300}}})";

std::string post(const std::string& service, const std::string& extra_headers = "") {
  return "POST /call/" + service + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + extra_headers +
         "Content-Length: 0\r\nConnection: close\r\n\r\n";
}

std::optional<analyzed_span> find_span(const std::vector<analyzed_span>& spans, int kind) {
  for (const analyzed_span& s : spans) {
    if (s.kind == kind && s.trace_id == kTraceId) return s;
  }
  return std::nullopt;
}

class CliServe : public tracebench::testing_support::cli_fixture {
 protected:
  std::string scenario() const { return quote(write("pair.json", kPair)); }
  std::string path(const std::string& name) const { return quote(dir_ / name); }
};

TEST_F(CliServe, TwoProcessesCarryOneTrace) {
  const std::string file = scenario();
  background_command backend(dir_, "backend", "serve " + file + " --service backend --export " + path("back.jsonl"));
  const std::uint16_t backend_port = backend.wait_listening();
  ASSERT_NE(backend_port, 0) << backend.err();
  background_command frontend(dir_, "frontend",
                              "serve " + file + " --service frontend --peer backend=http://127.0.0.1:" +
                                  std::to_string(backend_port) + " --export " + path("front.jsonl"));
  const std::uint16_t frontend_port = frontend.wait_listening();
  ASSERT_NE(frontend_port, 0) << frontend.err();

  const std::string traceparent = std::string("traceparent: 00-") + kTraceId + "-" + kParentId + "-01\r\n";
  const std::string reply = http_exchange(frontend_port, post("frontend", traceparent));
  EXPECT_EQ(reply.rfind("HTTP/1.1 200", 0), 0U) << reply;

  EXPECT_EQ(frontend.stop(), 0) << frontend.err();
  EXPECT_EQ(backend.stop(), 0) << backend.err();
  EXPECT_NE(frontend.out().find("requests 1, errors 0, bad requests 0"), std::string::npos) << frontend.out();
  EXPECT_NE(backend.out().find("requests 1, errors 0"), std::string::npos) << backend.out();
  EXPECT_NE(frontend.err().find("stopping: SIGTERM"), std::string::npos) << frontend.err();

  const auto front = tracebench::harness::analyze_otlp_file(dir_ / "front.jsonl").spans;
  const auto back = tracebench::harness::analyze_otlp_file(dir_ / "back.jsonl").spans;
  const std::optional<analyzed_span> front_server = find_span(front, kServer);
  const std::optional<analyzed_span> front_client = find_span(front, kClient);
  const std::optional<analyzed_span> back_server = find_span(back, kServer);
  ASSERT_TRUE(front_server && front_client && back_server) << slurp(dir_ / "front.jsonl") << slurp(dir_ / "back.jsonl");
  EXPECT_EQ(front_server->parent_id, kParentId);
  EXPECT_EQ(front_server->service, "frontend");
  EXPECT_EQ(front_client->parent_id, front_server->span_id);
  EXPECT_EQ(back_server->parent_id, front_client->span_id);
  EXPECT_EQ(back_server->service, "backend");
  // Numbered by the process it entered, and carried to the next one out of band.
  ASSERT_TRUE(front_server->request_id.has_value());
  EXPECT_EQ(back_server->request_id, front_server->request_id);
}

TEST_F(CliServe, StopsAfterMaxRequestsAndTakesGet) {
  background_command api(dir_, "api", "serve " + scenario() + " --service backend --max-requests 2 --tracing off");
  const std::uint16_t port = api.wait_listening();
  ASSERT_NE(port, 0) << api.err();
  const std::string get = "GET /call/backend HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
  EXPECT_EQ(http_exchange(port, get).rfind("HTTP/1.1 200", 0), 0U);
  EXPECT_EQ(http_exchange(port, post("frontend")).rfind("HTTP/1.1 404", 0), 0U) << "another service's path";
  EXPECT_EQ(http_exchange(port, post("backend")).rfind("HTTP/1.1 200", 0), 0U);
  EXPECT_EQ(api.wait(), 0) << api.err();
  EXPECT_NE(api.out().find("requests 2, errors 0, bad requests 1"), std::string::npos) << api.out();
  EXPECT_NE(api.err().find("stopping: --max-requests reached"), std::string::npos) << api.err();
}

TEST_F(CliServe, StopsAfterDurationAndWritesThePortFile) {
  background_command api(dir_, "api",
                         "serve " + scenario() + " --service backend --duration 0.3 --port-file " + path("port"));
  const std::uint16_t port = api.wait_listening();
  ASSERT_NE(port, 0) << api.err();
  EXPECT_EQ(api.wait(), 0) << api.err();
  EXPECT_EQ(slurp(dir_ / "port"), std::to_string(port) + "\n");
  EXPECT_EQ(api.err().rfind("listening on 127.0.0.1:" + std::to_string(port) + "\n", 0), 0U) << api.err();
  EXPECT_NE(api.out().find("requests 0,"), std::string::npos) << api.out();
}

TEST_F(CliServe, BadFlagsAreOneLineNamingTheFlag) {
  const std::string file = scenario();
  const struct {
    std::string args;
    std::string flag;
    std::string mentions;
  } cases[] = {
      {"--service frontend", "--peer", "\"backend\""},  // a callee without a peer
      {"--service nosuch", "--service", "nosuch"},
      {"", "--service", "frontend, backend"},
      {"--service frontend --peer backend=ftp://127.0.0.1:1", "--peer", "http://"},
      {"--service frontend --peer backend=http://127.0.0.1:99999", "--peer", "99999"},
      {"--service frontend --peer backend=http://127.0.0.1:1/x", "--peer", "no path"},
      {"--service frontend --peer backend", "--peer", "NAME=http://"},
      {"--service frontend --peer backend=http://127.0.0.1:1 --peer nosuch=http://127.0.0.1:2", "--peer", "nosuch"},
      {"--service backend --listen localhost:80", "--listen", "numeric"},
      {"--service backend --listen 127.0.0.1", "--listen", "ADDR:PORT"},
      {"--service backend --tracing 1/0", "--tracing", "1/0"},
      {"--service backend --duration 0", "--duration", "0"},
      {"--service backend --max-requests 0", "--max-requests", "0"},
      {"--service backend --threads x", "--threads", "x"},
      {"--service backend --propagators b4", "--propagators", "b4"},
      {"--service backend --otlp-endpoint https://127.0.0.1:4318", "--otlp-endpoint", "https"},
      {"--service backend --otlp-endpoint http://127.0.0.1:4318 --export x.jsonl", "--otlp-endpoint", "not both"},
  };
  for (const auto& c : cases) {
    const run_result r = run("serve " + file + " " + c.args);
    EXPECT_EQ(r.exit_code, 2) << c.args << '\n' << r.err;
    EXPECT_EQ(lines(r.err), 1U) << c.args << '\n' << r.err;
    EXPECT_EQ(r.err.rfind("tracebench serve: " + c.flag + ": ", 0), 0U) << c.args << '\n' << r.err;
    EXPECT_NE(r.err.find(c.mentions), std::string::npos) << c.args << '\n' << r.err;
  }
}

TEST_F(CliServe, BadInputOtherThanFlagsIsAUsageError) {
  const run_result none = run("serve --service api");
  EXPECT_EQ(none.exit_code, 2);
  EXPECT_NE(none.err.find("no scenario given"), std::string::npos) << none.err;
  const run_result unknown = run("serve " + scenario() + " --service backend --bogus");
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_EQ(lines(unknown.err), 1U) << unknown.err;
  const fs::path bad = write("bad.json", R"({"name": "bad"})");
  const run_result invalid = run("serve " + quote(bad) + " --service api");
  EXPECT_EQ(invalid.exit_code, 2);
  EXPECT_EQ(lines(invalid.err), 1U) << invalid.err;
  const run_result unwritable = run("serve " + scenario() + " --service backend --export /nonexistent/dir/x.jsonl");
  EXPECT_EQ(unwritable.exit_code, 2);
  EXPECT_EQ(unwritable.err.rfind("tracebench serve: --export: ", 0), 0U) << unwritable.err;
}

TEST_F(CliServe, BusyAddressIsAFailureNotAUsageError) {
  background_command first(dir_, "first", "serve " + scenario() + " --service backend --duration 20");
  const std::uint16_t port = first.wait_listening();
  ASSERT_NE(port, 0) << first.err();
  const run_result second =
      run("serve " + scenario() + " --service backend --listen 127.0.0.1:" + std::to_string(port));
  EXPECT_EQ(second.exit_code, 1) << second.err;
  EXPECT_EQ(second.err.rfind("tracebench serve: cannot listen on 127.0.0.1:" + std::to_string(port), 0), 0U)
      << second.err;
  EXPECT_EQ(first.stop(SIGINT), 0) << first.err();
  EXPECT_NE(first.err().find("stopping: SIGINT"), std::string::npos) << first.err();
}

TEST_F(CliServe, AnExternalServiceIsNeitherServedNorAPeer) {
  const std::string file = quote(write("ext.json", R"({"name": "ext", "entry": "frontend", "services": {
    "frontend": {"calls": [{"to": "node"}]}, "node": {"external": "http://127.0.0.1:9"}}})"));
  const run_result served = run("serve " + file + " --service node");
  EXPECT_EQ(served.exit_code, 2);
  EXPECT_EQ(served.err,
            "tracebench serve: --service: \"node\" is external (http://127.0.0.1:9): it runs in its "
            "own process, not here\n");
  const run_result peer = run("serve " + file + " --service frontend --peer node=http://127.0.0.1:9");
  EXPECT_EQ(peer.exit_code, 2);
  EXPECT_EQ(lines(peer.err), 1U) << peer.err;
  EXPECT_NE(peer.err.find("\"node\" is external: the scenario gives its URL"), std::string::npos) << peer.err;
}

}  // namespace
