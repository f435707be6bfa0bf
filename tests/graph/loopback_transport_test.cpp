// The loopback transport: services behind real HTTP servers on 127.0.0.1, calls as real
// requests. Traces come out as in-process, headers and bodies really travel, bad input is
// answered and counted, and a dead or silent peer is an error, never a hang.

#include "tracebench/services/loopback_transport.hpp"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/system/system_error.hpp>
#include <cctype>
#include <cerrno>
#include <filesystem>
#include <future>
#include <map>
#include <string>

#include "support/run_scenario.hpp"
#include "tracebench/services/loopback_client.hpp"
#include "tracebench/tracer/memory_exporter.hpp"

namespace tracebench::test {
namespace {

namespace asio = boost::asio;
using services::loopback_monitor;
using services::loopback_options;

constexpr int kServer = 2;
constexpr int kClient = 3;
constexpr auto kNoHang = std::chrono::seconds(20);  // bounds a test that would otherwise hang

// front calls back; back answers 700 bytes, front 300.
constexpr const char* kPairScenario = R"({
  "name": "pair",
  "entry": "front",
  "services": {
    "front": {"operation": "GET /front", "cpu_us": 10, "response_bytes": 300, "calls": [{"to": "back"}]},
    "back": {"operation": "Lookup", "cpu_us": 10, "wait_us": 100, "response_bytes": 700}
  }
})";
constexpr std::size_t kFront = 0;
constexpr std::size_t kBack = 1;

services::scenario pair_scenario() {
  services::load_result loaded = services::parse_scenario(kPairScenario);
  EXPECT_TRUE(loaded.ok()) << (loaded.errors.empty() ? "" : loaded.errors.front());
  return std::move(*loaded.value);
}

std::size_t thread_count() {
  std::size_t n = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator("/proc/self/task")) ++n;
  return n;
}

// A graph of `spec` over loopback whose sampled spans land in memory.
struct loopback_graph {
  explicit loopback_graph(const services::scenario& spec, loopback_options options = {}) {
    services::graph_options graph;
    graph.threads = 2;
    graph.instrument = services::make_instrumentation_factory(services::tracing_config::parse("1/1"), processor);
    graph.make_transport = services::make_loopback_transport_factory(std::move(options), monitor);
    instance = std::make_unique<services::service_graph>(spec, std::move(graph));
  }
  void run_sequentially(std::size_t requests) {
    for (std::uint64_t i = 0; i < requests; ++i) {
      instance->submit(i, {});
      ASSERT_TRUE(instance->wait_idle(kNoHang));
    }
  }
  std::shared_ptr<tracer::memory_exporter> exporter = std::make_shared<tracer::memory_exporter>();
  std::shared_ptr<tracer::simple_processor> processor = std::make_shared<tracer::simple_processor>(exporter);
  std::shared_ptr<loopback_monitor> monitor = std::make_shared<loopback_monitor>();
  std::unique_ptr<services::service_graph> instance;
};

// A blocking POSIX client whose every read gives up after a few seconds, so no test hangs on a
// server that fails to answer.
class raw_connection {
 public:
  explicit raw_connection(std::uint16_t port) : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    timeval limit{5, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(fd_, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0;
  }
  ~raw_connection() { ::close(fd_); }
  raw_connection(const raw_connection&) = delete;
  raw_connection& operator=(const raw_connection&) = delete;

  [[nodiscard]] bool connected() const noexcept { return connected_; }
  void send(const std::string& bytes) {
    std::size_t sent = 0;
    while (sent < bytes.size()) {
      const ssize_t n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) return;
      sent += static_cast<std::size_t>(n);
    }
  }
  // Reads one response (headers and Content-Length body); whatever arrived when the peer
  // closed or went quiet for 5 s otherwise.
  std::string read_response() {
    std::string in;
    char chunk[4096];
    for (;;) {
      if (const std::size_t end = in.find("\r\n\r\n"); end != std::string::npos) {
        const std::size_t body = end + 4;
        if (in.size() >= body + content_length(in)) return in;
      }
      const ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
      if (n <= 0) return in;
      in.append(chunk, static_cast<std::size_t>(n));
    }
  }
  // True once the server closed or reset the connection; false if it stayed open 5 s.
  bool closed_by_peer() {
    char c;
    const ssize_t n = ::recv(fd_, &c, 1, 0);
    return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK);
  }

  static int status(const std::string& response) {
    return response.rfind("HTTP/1.1 ", 0) == 0 ? std::stoi(response.substr(9, 3)) : 0;
  }
  static std::size_t content_length(const std::string& response) {
    std::string lower = response.substr(0, response.find("\r\n\r\n"));
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    const std::size_t at = lower.find("\r\ncontent-length:");
    return at == std::string::npos ? 0 : std::stoul(lower.substr(at + 17));
  }

 private:
  int fd_;
  bool connected_ = false;
};

std::string post(std::string_view path, std::string_view extra_headers, const std::string& body = "") {
  return std::string("POST ") + std::string(path) + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + std::string(extra_headers) +
         "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

scenario_run run_over(const services::scenario& spec, std::size_t requests, services::transport_factory wire) {
  const std::filesystem::path file = std::filesystem::temp_directory_path() /
                                     ("tracebench_loopback_" + std::to_string(::getpid()) + "_" + spec.name + ".jsonl");
  auto processor =
      std::make_shared<tracer::simple_processor>(std::make_shared<tracer::otlp_json_file_exporter>(file.string()));
  scenario_run run;
  std::atomic<std::size_t> completed{0};
  {
    services::graph_options options;
    options.threads = 2;
    options.seed = 42;
    options.instrument = services::make_instrumentation_factory(services::tracing_config::parse("1/1"), processor);
    options.make_transport = std::move(wire);
    services::service_graph graph(spec, std::move(options));
    for (std::size_t i = 0; i < requests; ++i) graph.submit(i, [&](const services::request_result&) { ++completed; });
    EXPECT_TRUE(graph.wait_idle(kNoHang));
    graph.stop();
  }
  processor->shutdown();
  run.completed = completed.load();
  run.report = harness::analyze_otlp_file(file);
  std::filesystem::remove(file);
  return run;
}

class OverHttp : public testing::TestWithParam<const char*> {};

TEST_P(OverHttp, TracesHaveTheInProcessShape) {
  const services::scenario spec = load_shipped(GetParam());
  constexpr std::size_t kRequests = 16;  // one full batch for batch-consumer
  const std::size_t threads_before = thread_count();
  const scenario_run inprocess = run_over(spec, kRequests, nullptr);
  const scenario_run loopback = run_over(spec, kRequests, services::make_loopback_transport_factory());
  EXPECT_EQ(thread_count(), threads_before) << "a graph left a thread running";

  EXPECT_EQ(loopback.completed, kRequests);
  EXPECT_EQ(loopback.report.spans.size(), inprocess.report.spans.size());
  EXPECT_EQ(loopback.report.traces, inprocess.report.traces);
  EXPECT_GE(loopback.report.traces, kRequests);
  EXPECT_EQ(loopback.report.requests, kRequests);
  EXPECT_EQ(loopback.report.traces_without_one_root, 0U);
  EXPECT_EQ(loopback.report.orphans, 0U);
  EXPECT_TRUE(loopback.report.split_requests.empty());
  EXPECT_EQ(loopback.report.min_spans_per_trace, inprocess.report.min_spans_per_trace);
  EXPECT_EQ(loopback.report.max_spans_per_trace, inprocess.report.max_spans_per_trace);
  // Every client span has exactly one server span below it, across the HTTP hop, in its trace.
  std::map<std::pair<std::string, std::string>, int> servers_below;
  std::size_t clients = 0;
  for (const harness::analyzed_span& s : loopback.report.spans) {
    if (s.kind == kClient && !s.peer_service.empty()) {
      ++clients;
      servers_below[{s.trace_id, s.span_id}] += 0;
    }
  }
  for (const harness::analyzed_span& s : loopback.report.spans) {
    const auto parent = servers_below.find({s.trace_id, s.parent_id});
    if (s.kind == kServer && parent != servers_below.end()) ++parent->second;
  }
  EXPECT_GT(clients, 0U);
  for (const auto& [client, servers] : servers_below) EXPECT_EQ(servers, 1) << client.second;
}

// rpc calls, queue deliveries (x-tracebench-delivery: queue), batch deliveries held in a batch.
INSTANTIATE_TEST_SUITE_P(Shipped, OverHttp, testing::Values("checkout", "async-queue", "batch-consumer"),
                         [](const testing::TestParamInfo<const char*>& param) {
                           std::string name = param.param;
                           std::replace(name.begin(), name.end(), '-', '_');
                           return name;
                         });

TEST(LoopbackTransport, TraceparentSentOnTheWireBecomesTheServerSpansParent) {
  loopback_graph graph(pair_scenario());
  const std::string trace = "4bf92f3577b34da6a3ce929d0e0e4736";
  const std::string parent = "00f067aa0ba902b7";
  raw_connection peer(graph.monitor->ports().at(kBack));
  ASSERT_TRUE(peer.connected());
  peer.send(post("/call/back", "traceparent: 00-" + trace + "-" + parent + "-01\r\nx-tracebench-request: 7\r\n"));
  const std::string response = peer.read_response();
  EXPECT_EQ(raw_connection::status(response), 200) << response;
  EXPECT_EQ(raw_connection::content_length(response), 700U);
  ASSERT_TRUE(graph.instance->wait_idle(kNoHang));
  graph.instance->stop();

  const std::vector<tracer::recorded_span> spans = graph.exporter->spans();
  ASSERT_EQ(spans.size(), 1U);
  EXPECT_EQ(spans[0].kind, tracer::span_kind::server);
  EXPECT_EQ(spans[0].context.trace.hex(), trace);
  EXPECT_EQ(spans[0].parent.hex(), parent);
  EXPECT_TRUE(spans[0].parent_remote);
}

TEST(LoopbackTransport, BodiesCarryTheScenariosSizes) {
  loopback_graph graph(pair_scenario());
  constexpr std::size_t kRequests = 5;
  graph.run_sequentially(kRequests);
  {
    raw_connection peer(graph.monitor->ports().at(kBack));
    peer.send(post("/call/back", "", std::string(1234, 'b')));
    const std::string response = peer.read_response();
    EXPECT_EQ(raw_connection::status(response), 200) << response;
    EXPECT_EQ(raw_connection::content_length(response), 700U);
  }
  graph.instance->stop();
  const auto back = graph.monitor->server(kBack);
  const auto front = graph.monitor->server(kFront);
  ASSERT_TRUE(back && front);
  EXPECT_EQ(back->requests.load(), kRequests + 1);
  EXPECT_EQ(back->request_bytes.load(), 1234U);  // the scenario's calls carry empty requests
  EXPECT_EQ(back->response_bytes.load(), (kRequests + 1) * 700);
  EXPECT_EQ(front->response_bytes.load(), kRequests * 300);
  EXPECT_EQ(graph.monitor->client()->response_bytes.load(), kRequests * (700 + 300));
}

TEST(LoopbackTransport, BadInputIsAnsweredCountedAndTheServerGoesOn) {
  loopback_options options;
  options.body_limit = 4096;
  options.request_timeout = std::chrono::milliseconds(200);
  loopback_graph graph(pair_scenario(), options);
  const std::uint16_t port = graph.monitor->ports().at(kBack);
  const auto answer = [port](const std::string& request) {
    raw_connection peer(port);
    peer.send(request);
    return raw_connection::status(peer.read_response());
  };
  EXPECT_EQ(answer("\x01\x02 this is not HTTP at all\r\n\r\n"), 400);
  EXPECT_EQ(answer(post("/call/back", "x-padding: " + std::string(20 * 1024, 'p') + "\r\n")), 431);
  EXPECT_EQ(answer(post("/call/nobody", "")), 404);
  EXPECT_EQ(answer("GET /call/back HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"), 405);
  EXPECT_EQ(answer(post("/call/back", "x-tracebench-seed: twelve\r\n")), 400);
  EXPECT_EQ(answer(post("/call/back", "x-tracebench-delivery: carrier-pigeon\r\n")), 400);
  EXPECT_EQ(answer(post("/call/back", "", std::string(5000, 'b'))), 413);
  {
    raw_connection silent(port);
    silent.send("POST /call/back HTTP/1.1\r\nHost: 127.0.0.1\r\n");  // and never the rest
    EXPECT_TRUE(silent.closed_by_peer());
  }
  EXPECT_EQ(answer(post("/call/back", "")), 200) << "a valid request after all that";

  const auto back = graph.monitor->server(kBack);
  EXPECT_EQ(back->bad_requests.load(), 4U);
  EXPECT_EQ(back->headers_too_large.load(), 1U);
  EXPECT_EQ(back->not_found.load(), 1U);
  EXPECT_EQ(back->bodies_too_large.load(), 1U);
  EXPECT_EQ(back->timeouts.load(), 1U);
  EXPECT_EQ(back->requests.load(), 1U);
  EXPECT_EQ(back->connections.load(), 9U);
  graph.run_sequentially(1);  // the graph's own calls still work too
  EXPECT_EQ(back->requests.load(), 2U);
}

TEST(LoopbackTransport, KeepAliveReusesConnections) {
  loopback_graph graph(pair_scenario());
  constexpr std::size_t kRequests = 20;
  graph.run_sequentially(kRequests);
  const auto client = graph.monitor->client();
  constexpr std::size_t kCalls = 2 * kRequests;  // the submit to front, front's call to back
  EXPECT_EQ(client->opens.load() + client->reuses.load(), kCalls);
  EXPECT_LT(client->opens.load(), kRequests);
  EXPECT_EQ(client->failures.load(), 0U);
  EXPECT_EQ(graph.monitor->server(kBack)->connections.load() + graph.monitor->server(kFront)->connections.load(),
            client->opens.load());
  EXPECT_EQ(graph.exporter->size(), kRequests * 3);  // front's server and client spans, back's server span
}

TEST(LoopbackTransport, StopAbandonsCallsInFlightAndLeavesNoThread) {
  const std::size_t threads_before = thread_count();
  {
    loopback_graph graph(load_shipped("checkout"));
    for (std::uint64_t i = 0; i < 20; ++i) graph.instance->submit(i, {});
    graph.instance->stop();
  }
  EXPECT_EQ(thread_count(), threads_before);
}

TEST(LoopbackTransport, AServerThatCannotBindFailsTheGraphCleanly) {
  loopback_options options;
  options.bind_address = "192.0.2.1";  // TEST-NET-1: no interface of this machine has it
  EXPECT_THROW(loopback_graph(pair_scenario(), options), boost::system::system_error);
}

// The client alone, against peers that never answer.
class LoopbackClient : public testing::Test {
 protected:
  void TearDown() override {
    client->close();
    pool.stop();
    pool.join();
  }
  services::call_response call(std::uint16_t port) {
    std::future<services::call_response> reply = asio::co_spawn(
        pool, client->call({asio::ip::make_address("127.0.0.1"), port}, "/call/x", services::call_request{}),
        asio::use_future);
    EXPECT_EQ(reply.wait_for(kNoHang), std::future_status::ready) << "the call hangs";
    return reply.get();
  }
  static loopback_options short_timeout() {
    loopback_options options;
    options.call_timeout = std::chrono::milliseconds(200);
    return options;
  }

  asio::thread_pool pool{1};
  std::shared_ptr<services::loopback_client> client =
      services::loopback_client::create(pool.get_executor(), short_timeout());
};

TEST_F(LoopbackClient, APeerThatIsDownIsAnErrorResponse) {
  std::uint16_t port = 0;
  {
    asio::io_context io;
    asio::ip::tcp::acceptor probe(io, {asio::ip::make_address("127.0.0.1"), 0});
    port = probe.local_endpoint().port();
  }  // closed: nobody listens there now
  EXPECT_TRUE(call(port).error);
  EXPECT_EQ(client->counters()->opens.load(), 1U);
  EXPECT_EQ(client->counters()->failures.load(), 1U);
}

TEST_F(LoopbackClient, APeerThatNeverAnswersTimesOut) {
  asio::io_context io;
  asio::ip::tcp::acceptor silent(io, {asio::ip::make_address("127.0.0.1"), 0});  // listens, never accepts
  EXPECT_TRUE(call(silent.local_endpoint().port()).error);
  EXPECT_EQ(client->counters()->timeouts.load(), 1U);
  EXPECT_EQ(client->counters()->failures.load(), 1U);
  EXPECT_TRUE(call(silent.local_endpoint().port()).error);
  EXPECT_EQ(client->counters()->opens.load(), 2U) << "a failed connection is never pooled";
}

}  // namespace
}  // namespace tracebench::test
