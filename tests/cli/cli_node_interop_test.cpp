// An OpenTelemetry JS service in the middle of a scenario: tracebench front -> Node.js middle
// (the official SDK, instrumentation-http, the OTLP/HTTP exporter) -> tracebench back, every
// process exporting to one `tracebench collect`. The trace must stay one tree across the
// languages: W3C trace context in and out of Node, and the Node spans joining ours.
//
// Needs node and the packages of tests/node-service (scripts/test runs `npm ci` there); it
// fails, not skips, without them, so CI cannot pass by leaving it out.

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "support/cli_fixture.hpp"
#include "support/serve_process.hpp"
#include "tracebench/results/trace_analysis.hpp"

namespace {

namespace fs = std::filesystem;
using tracebench::harness::analyzed_span;
using tracebench::testing_support::background_command;
using tracebench::testing_support::http_exchange;
using tracebench::testing_support::quote;
using tracebench::testing_support::slurp;

constexpr int kServer = 2;
constexpr int kClient = 3;
constexpr const char* kTraceId = "0af7651916cd43dd8448eb211c80319c";
constexpr const char* kParentId = "b7ad6b7169203331";
constexpr const char* kNodeService = "node-middle";
const fs::path kNodeDir = TRACEBENCH_SOURCE_DIR "/tests/node-service";

// front -> middle (external: the Node service) -> back. `middle_url` is where front sends.
std::string scenario(const std::string& middle_url) {
  return R"({"name": "node-interop", "entry": "front", "services": {
    "front": {"operation": "GET /front", "cpu_us": 10, "calls": [{"to": "middle"}]},
    "middle": {"external": ")" +
         middle_url + R"(", "operation": "POST /middle", "calls": [{"to": "back"}]},
    "back": {"operation": "Lookup", "cpu_us": 10, "response_bytes": 100}}})";
}

class NodeInterop : public tracebench::testing_support::cli_fixture {
 protected:
  fs::path file(const std::string& name) const { return dir_ / name; }
};

TEST_F(NodeInterop, OneTraceCrossesCppNodeCpp) {
  if (std::system("node --version >/dev/null 2>&1") != 0) FAIL() << "node is not installed (scripts/test installs it)";
  if (!fs::exists(kNodeDir / "node_modules/@opentelemetry/sdk-trace-node")) {
    FAIL() << "the Node service's packages are missing: run npm ci --prefix tests/node-service";
  }

  background_command collector(dir_, "collect", "collect --listen 127.0.0.1:0 --out " + quote(file("spans.jsonl")));
  // Its first line is "tracebench collect: listening on ADDR:PORT": the port after the last colon.
  std::uint16_t collector_port = 0;
  for (int i = 0; i < 1000 && collector_port == 0; ++i) {
    const std::string err = collector.err();
    if (const std::size_t end = err.find('\n'); end != std::string::npos) {
      collector_port = static_cast<std::uint16_t>(std::stoul(err.substr(err.rfind(':', end) + 1)));
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_NE(collector_port, 0) << collector.err();
  const std::string otlp = "http://127.0.0.1:" + std::to_string(collector_port) + "/v1/traces";

  // back never calls middle, so its copy of the scenario may name any URL for it.
  background_command back(dir_, "back",
                          "serve " + quote(write("back.json", scenario("http://127.0.0.1:9/call/middle"))) +
                              " --service back --otlp-endpoint " + otlp);
  const std::uint16_t back_port = back.wait_listening();
  ASSERT_NE(back_port, 0) << back.err();

  background_command node(dir_, "node",
                          quote(kNodeDir / "server.js") + " --service-name " + kNodeService + " --otlp-endpoint " +
                              otlp + " --downstream http://127.0.0.1:" + std::to_string(back_port) + "/call/back",
                          "node");
  const std::uint16_t node_port = node.wait_listening();
  ASSERT_NE(node_port, 0) << node.err();

  const std::string middle_url = "http://127.0.0.1:" + std::to_string(node_port) + "/call/middle";
  background_command front(
      dir_, "front",
      "serve " + quote(write("front.json", scenario(middle_url))) + " --service front --otlp-endpoint " + otlp);
  const std::uint16_t front_port = front.wait_listening();
  ASSERT_NE(front_port, 0) << front.err();

  const std::string reply = http_exchange(
      front_port, std::string("POST /call/front HTTP/1.1\r\nHost: 127.0.0.1\r\ntraceparent: 00-") + kTraceId + "-" +
                      kParentId + "-01\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(reply.rfind("HTTP/1.1 200", 0), 0U) << reply << node.err();

  // Callers first, so nobody's spans wait on a stopped peer; the collector last, having received
  // every flush.
  EXPECT_EQ(front.stop(), 0) << front.err();
  EXPECT_EQ(node.stop(), 0) << node.err();
  EXPECT_EQ(back.stop(), 0) << back.err();
  EXPECT_EQ(collector.stop(), 0) << collector.err();
  EXPECT_EQ(node.err().find("not flushed"), std::string::npos) << node.err();

  const std::vector<analyzed_span> spans = tracebench::harness::analyze_otlp_file(file("spans.jsonl")).spans;
  const std::string dump = slurp(file("spans.jsonl"));
  ASSERT_EQ(spans.size(), 5U) << dump;
  std::set<std::string> ids;
  for (const analyzed_span& s : spans) {
    EXPECT_EQ(s.trace_id, kTraceId) << s.name;
    ids.insert(s.span_id);
  }
  EXPECT_EQ(ids.size(), spans.size()) << "span ids are unique";

  // One root, whose parent is the caller's; every other parent is a span of the trace.
  std::vector<const analyzed_span*> roots;
  for (const analyzed_span& s : spans) {
    if (s.parent_id == kParentId) {
      roots.push_back(&s);
    } else {
      EXPECT_EQ(ids.count(s.parent_id), 1U) << "orphan " << s.service << " " << s.name << "\n" << dump;
    }
  }
  ASSERT_EQ(roots.size(), 1U) << dump;

  // Down the chain: each hop the only child of the one before.
  struct hop {
    std::string service;
    int kind;
  };
  const hop chain[] = {
      {"front", kServer}, {"front", kClient}, {kNodeService, kServer}, {kNodeService, kClient}, {"back", kServer}};
  const analyzed_span* at = roots.front();
  for (std::size_t i = 0; i < std::size(chain); ++i) {
    ASSERT_NE(at, nullptr) << "the chain ends before hop " << i << "\n" << dump;
    EXPECT_EQ(at->service, chain[i].service) << "hop " << i << "\n" << dump;
    EXPECT_EQ(at->kind, chain[i].kind) << "hop " << i << "\n" << dump;
    std::vector<const analyzed_span*> children;
    for (const analyzed_span& s : spans) {
      if (s.parent_id == at->span_id) children.push_back(&s);
    }
    EXPECT_LE(children.size(), 1U) << "hop " << i << " has several children\n" << dump;
    at = children.empty() ? nullptr : children.front();
  }
  EXPECT_EQ(at, nullptr) << "back's server span is a leaf";
}

}  // namespace
