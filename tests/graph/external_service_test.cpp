// Services declared `external`: the loopback transport sends their calls to their URL and
// never serves them, peers are not needed (nor allowed) for them, and the in-process transport
// refuses a graph that has one.

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "tracebench/services/inprocess_transport.hpp"
#include "tracebench/services/loopback_transport.hpp"
#include "tracebench/services/peer_transport.hpp"
#include "tracebench/services/scenario_loader.hpp"
#include "tracebench/services/service_graph.hpp"
#include "tracebench/services/tracing_config.hpp"
#include "tracebench/tracer/memory_exporter.hpp"
#include "tracebench/tracer/simple_processor.hpp"

namespace tracebench::test {
namespace {

constexpr auto kNoHang = std::chrono::seconds(20);

services::scenario parse(const std::string& text) {
  services::load_result loaded = services::parse_scenario(text);
  EXPECT_TRUE(loaded.ok()) << (loaded.errors.empty() ? "" : loaded.errors.front());
  return std::move(*loaded.value);
}

// front -> middle, middle external at `url`.
services::scenario with_external(const std::string& url) {
  return parse(R"({"name": "ext", "entry": "front", "services": {
    "front": {"calls": [{"to": "middle"}]},
    "middle": {"external": ")" +
               url + R"(", "operation": "POST /middle"}}})");
}

// A graph over loopback whose spans land in memory.
struct loopback_graph {
  explicit loopback_graph(const services::scenario& spec) {
    services::graph_options graph;
    graph.threads = 2;
    graph.instrument = services::make_instrumentation_factory(services::tracing_config::parse("1/1"), processor);
    graph.make_transport = services::make_loopback_transport_factory({}, monitor);
    instance = std::make_unique<services::service_graph>(spec, std::move(graph));
  }
  std::shared_ptr<tracer::memory_exporter> exporter = std::make_shared<tracer::memory_exporter>();
  std::shared_ptr<tracer::simple_processor> processor = std::make_shared<tracer::simple_processor>(exporter);
  std::shared_ptr<services::loopback_monitor> monitor = std::make_shared<services::loopback_monitor>();
  std::unique_ptr<services::service_graph> instance;
};

TEST(ExternalService, LoopbackSendsItsCallsToItsUrlAndNeverServesIt) {
  // The "external" service is another graph's server, reached at a path of its own.
  loopback_graph other(parse(R"({"name": "other", "entry": "gate", "services": {
    "gate": {"calls": [{"to": "back"}]}, "back": {"response_bytes": 70}}})"));
  const std::uint16_t back_port = other.monitor->ports().at(1);
  loopback_graph graph(with_external("http://127.0.0.1:" + std::to_string(back_port) + "/call/back"));
  EXPECT_EQ(graph.monitor->server(1), nullptr);  // no server of its own
  EXPECT_EQ(graph.monitor->ports().at(1), back_port);

  graph.instance->submit(0, {});
  ASSERT_TRUE(graph.instance->wait_idle(kNoHang));
  graph.instance->stop();
  other.instance->stop();

  EXPECT_EQ(other.monitor->server(1)->requests.load(), 1U);
  EXPECT_EQ(graph.monitor->client()->error_responses.load(), 0U);
  EXPECT_EQ(graph.monitor->client()->response_bytes.load(), 70U);
  const std::vector<tracer::recorded_span> ours = graph.exporter->spans();
  ASSERT_EQ(ours.size(), 2U);  // front's server span and its client span; none for middle
  const tracer::recorded_span& client = ours[0].kind == tracer::span_kind::client ? ours[0] : ours[1];
  EXPECT_EQ(client.name, "POST /middle");
  const std::vector<tracer::recorded_span> theirs = other.exporter->spans();
  ASSERT_EQ(theirs.size(), 1U);
  EXPECT_EQ(theirs[0].context.trace, client.context.trace);
  EXPECT_EQ(theirs[0].parent, client.context.span);
}

TEST(ExternalService, InProcessRefusesIt) {
  const services::scenario spec = with_external("http://127.0.0.1:9/call/middle");
  EXPECT_EQ(services::check_inprocess(spec), R"(service "middle" is external (http://127.0.0.1:9/call/middle): )"
                                             "the in-process transport cannot call it");
  services::graph_options options;
  options.instrument = services::make_instrumentation_factory(
      services::tracing_config::parse("1/1"),
      std::make_shared<tracer::simple_processor>(std::make_shared<tracer::memory_exporter>()));
  EXPECT_THROW(services::service_graph(spec, std::move(options)), std::invalid_argument);
  EXPECT_EQ(services::check_inprocess(parse(R"({"name": "x", "entry": "a", "services": {"a": {}}})")), "");
}

TEST(ExternalService, PeersAreNeitherNeededNorAllowedForIt) {
  const services::scenario spec = with_external("http://127.0.0.1:9");
  services::peer_transport_options options;
  options.local = "front";
  EXPECT_EQ(services::check_peers(spec, options), "");
  options.peers.push_back({"middle", {boost::asio::ip::make_address("127.0.0.1"), 9}});
  EXPECT_EQ(services::check_peers(spec, options),
            R"("middle" is external: the scenario gives its URL (http://127.0.0.1:9))");
  options.peers.clear();
  options.local = "middle";
  EXPECT_EQ(services::check_peers(spec, options),
            R"("middle" is external (http://127.0.0.1:9): it runs in its own process, not here)");
}

}  // namespace
}  // namespace tracebench::test
