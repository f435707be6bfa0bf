// The per-request figures a scenario implies: spans, traces, work, depth and the
// critical-path estimate, on small graphs computed by hand.

#include "tracebench/services/scenario_summary.hpp"

#include <gtest/gtest.h>

#include <string>

#include "tracebench/services/scenario_loader.hpp"

namespace ts = tracebench::services;

namespace {

ts::scenario_summary summary_of(const std::string& text) {
  const ts::load_result r = ts::parse_scenario(text);
  if (!r.ok()) {
    ADD_FAILURE() << r.errors.front();
    return {};
  }
  return ts::summarize(*r.value);
}

}  // namespace

TEST(ScenarioSummary, SingleServiceIsOneSpanOneTrace) {
  const ts::scenario_summary sum =
      summary_of(R"({"name": "one", "entry": "a", "services": {"a": {"cpu_us": 10, "wait_us": 30}}})");
  EXPECT_EQ(sum.services, 1u);
  EXPECT_EQ(sum.depth, 1u);
  EXPECT_DOUBLE_EQ(sum.spans_per_request, 1);
  EXPECT_DOUBLE_EQ(sum.traces_per_request, 1);
  EXPECT_DOUBLE_EQ(sum.cpu_us_per_request, 10);
  EXPECT_DOUBLE_EQ(sum.wait_us_per_request, 30);
  EXPECT_DOUBLE_EQ(sum.critical_path_us, 40);
  EXPECT_FALSE(sum.projected_spans_per_second.has_value());
}

TEST(ScenarioSummary, ProbabilityAndRepeatScaleTheCallee) {
  // a calls b with p 0.5, 4 times when it fires; b has an internal span and calls c twice.
  const ts::scenario_summary sum = summary_of(R"({"name": "p", "entry": "a", "services": {
    "a": {"cpu_us": 10, "calls": [{"to": "b", "probability": 0.5, "repeat": 4}]},
    "b": {"cpu_us": 20, "internal_spans": [{"name": "q", "wait_us": 100}], "calls": [{"to": "c", "repeat": 2}]},
    "c": {"cpu_us": {"uniform": [0, 10]}}}})");
  // b runs 2 times per request, c 4 times.
  EXPECT_DOUBLE_EQ(sum.per_service[1].invocations, 2);
  EXPECT_DOUBLE_EQ(sum.per_service[2].invocations, 4);
  // a: 1 + 2 client; b: 2 x (1 + 1 internal + 2 client); c: 4
  EXPECT_DOUBLE_EQ(sum.spans_per_request, 3 + 8 + 4);
  EXPECT_DOUBLE_EQ(sum.cpu_us_per_request, 10 + 2 * 20 + 4 * 5);
  EXPECT_DOUBLE_EQ(sum.wait_us_per_request, 2 * 100);
  EXPECT_EQ(sum.depth, 3u);
  // a 10 + 0.5 x 4 x (b 120 + 2 x c 5)
  EXPECT_DOUBLE_EQ(sum.critical_path_us, 10 + 2 * (120 + 10));
}

TEST(ScenarioSummary, ParallelStepCountsItsSlowestCall) {
  const ts::scenario_summary sum = summary_of(R"({"name": "par", "entry": "a", "services": {
    "a": {"calls": [[{"to": "fast"}, {"to": "slow"}], {"to": "fast"}]},
    "fast": {"wait_us": 100}, "slow": {"wait_us": 700}}})");
  EXPECT_DOUBLE_EQ(sum.critical_path_us, 700 + 100);
  EXPECT_DOUBLE_EQ(sum.per_service[1].critical_path_us, 100);  // only its sequential call
  EXPECT_DOUBLE_EQ(sum.per_service[2].critical_path_us, 700);
  EXPECT_EQ(sum.largest_latency_contributor().name, "slow");
  EXPECT_DOUBLE_EQ(sum.wait_us_per_request, 900);  // totals of work, not latency
}

TEST(ScenarioSummary, DroppedContextStartsATraceForEveryOutgoingCall) {
  const ts::scenario_summary sum = summary_of(R"({"name": "drop", "entry": "a", "services": {
    "a": {"calls": [{"to": "b"}]},
    "b": {"propagates_context": false, "calls": [[{"to": "c"}, {"to": "d", "repeat": 2}]]},
    "c": {"calls": [{"to": "d"}]}, "d": {}}})");
  // b's calls to c (1) and d (2) each start a trace; c keeps its context when it calls d.
  EXPECT_DOUBLE_EQ(sum.traces_per_request, 1 + 3);
  EXPECT_DOUBLE_EQ(sum.spans_per_request, 2 + 4 + 2 + 3);  // a, b, c with client spans; d runs 3 times
}

TEST(ScenarioSummary, QueueConsumersAreInTheTraceButNotOnTheCriticalPath) {
  const ts::scenario_summary sum = summary_of(R"({"name": "q", "entry": "a", "services": {
    "a": {"cpu_us": 5, "calls": [{"to": "worker", "via": "queue", "queue_delay_us": 1000}]},
    "worker": {"cpu_us": 50, "wait_us": 500}}})");
  EXPECT_DOUBLE_EQ(sum.spans_per_request, 3);  // a, producer, consumer
  EXPECT_DOUBLE_EQ(sum.traces_per_request, 1);
  EXPECT_DOUBLE_EQ(sum.critical_path_us, 5);
  EXPECT_DOUBLE_EQ(sum.cpu_us_per_request, 55);
  EXPECT_EQ(sum.depth, 2u);
}

TEST(ScenarioSummary, BatchConsumerIsAmortisedAndStartsItsOwnTrace) {
  const ts::scenario_summary sum = summary_of(R"({"name": "b", "entry": "a", "services": {
    "a": {"calls": [{"to": "loader", "via": "batch", "batch_size": 4}]},
    "loader": {"cpu_us": 400, "calls": [{"to": "db"}]}, "db": {"wait_us": 80}}})");
  EXPECT_DOUBLE_EQ(sum.per_service[1].invocations, 0.25);
  EXPECT_DOUBLE_EQ(sum.spans_per_request, 2 + (1 + 1 + 1) / 4.0);
  EXPECT_DOUBLE_EQ(sum.traces_per_request, 1.25);
  EXPECT_DOUBLE_EQ(sum.cpu_us_per_request, 100);
  EXPECT_DOUBLE_EQ(sum.wait_us_per_request, 20);
}

TEST(ScenarioSummary, ProjectsSpanVolumeToProductionSize) {
  const ts::scenario_summary sum = summary_of(R"({"name": "v", "entry": "a",
    "production": {"requests_per_second": 10000, "services": 20},
    "services": {"a": {"calls": [{"to": "b"}]}, "b": {}}})");
  // 3 spans from 2 services is 1.5 per service; 20 services at 10,000 req/s.
  ASSERT_TRUE(sum.projected_spans_per_second.has_value());
  EXPECT_DOUBLE_EQ(*sum.projected_spans_per_second, 10'000 * 1.5 * 20);
}

TEST(ScenarioSummary, DepthFollowsTheLongestChain) {
  const ts::scenario_summary sum = summary_of(R"({"name": "d", "entry": "a", "services": {
    "a": {"calls": [{"to": "b"}, {"to": "d"}]}, "b": {"calls": [{"to": "c"}]}, "c": {"calls": [{"to": "d"}]},
    "d": {}}})");
  EXPECT_EQ(sum.depth, 4u);
  EXPECT_DOUBLE_EQ(sum.per_service[3].invocations, 2);  // reached by two paths
}

TEST(ScenarioSummary, ExternalServiceCountsAsInstrumentedHttpWithUnknownWork) {
  // a -> ext -> b: ext records its server span and a client span per call it declares, as
  // OpenTelemetry's http instrumentation does; its work is its own process's and counts 0.
  const ts::scenario_summary sum = summary_of(R"({"name": "x", "entry": "a", "services": {
    "a": {"cpu_us": 10, "calls": [{"to": "ext", "repeat": 2}]},
    "ext": {"external": "http://127.0.0.1:9000", "calls": [{"to": "b"}]},
    "b": {"wait_us": 30}}})");
  EXPECT_EQ(sum.depth, 3u);
  EXPECT_DOUBLE_EQ(sum.spans_per_request, 1 + 2 * (1 + 1 + 1 + 1));
  EXPECT_DOUBLE_EQ(sum.per_service[1].spans, 2 * 2);
  EXPECT_DOUBLE_EQ(sum.per_service[1].cpu_us, 0);
  EXPECT_DOUBLE_EQ(sum.cpu_us_per_request, 10);
  EXPECT_DOUBLE_EQ(sum.critical_path_us, 10 + 2 * 30);
}
