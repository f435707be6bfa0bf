// Predicted overhead: the arithmetic on hand-made costs, and calls per request on a small graph.

#include "tracebench/results/hot_path_costs.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "tracebench/services/scenario_loader.hpp"

namespace th = tracebench::harness;
namespace ts = tracebench::services;

namespace {

th::hot_path_costs hand_made() {
  th::hot_path_costs c;
  c.unsampled_span_ns = 10;
  c.sampled_span_ns = 100;
  c.export_ns_per_span = 400;
  c.inject_ns = 20;
  c.extract_ns = 30;
  return c;
}

}  // namespace

TEST(PredictOverhead, Arithmetic) {
  // 5 spans, 2 hops, f = 1/4: 5 x (0.25 x (100 + 400) + 0.75 x 10) + 2 x (20 + 30) = 762.5 ns.
  const th::overhead_prediction p = th::predict_overhead(hand_made(), 5, 2, 0.25, 10'000);
  EXPECT_DOUBLE_EQ(p.cpu_ns_per_request, 762.5);
  EXPECT_DOUBLE_EQ(p.throughput_change_percent, -762.5 / 10'762.5 * 100);
}

TEST(PredictOverhead, NeverSamplingPaysUnsampledSpansAndPropagation) {
  const th::overhead_prediction p = th::predict_overhead(hand_made(), 5, 2, 0, 1'000);
  EXPECT_DOUBLE_EQ(p.cpu_ns_per_request, 5 * 10 + 2 * 50);
  EXPECT_DOUBLE_EQ(p.throughput_change_percent, -150.0 / 1'150 * 100);

  const th::overhead_prediction never =
      th::predict_overhead(hand_made(), ts::tracing_config::parse("never"), 5, 2, 1'000);
  EXPECT_DOUBLE_EQ(never.cpu_ns_per_request, p.cpu_ns_per_request);
  const th::overhead_prediction off = th::predict_overhead(hand_made(), ts::tracing_config::parse("off"), 5, 2, 1'000);
  EXPECT_EQ(off.cpu_ns_per_request, 0);
  EXPECT_EQ(off.throughput_change_percent, 0);
  const th::overhead_prediction quarter =
      th::predict_overhead(hand_made(), ts::tracing_config::parse("1/4"), 5, 2, 10'000);
  EXPECT_DOUBLE_EQ(quarter.cpu_ns_per_request, 762.5);
}

TEST(PredictOverhead, MonotoneInTheSampledFraction) {
  double previous_cpu = -1;
  double previous_change = 1;
  for (const double f : {0.0, 1.0 / 1024, 1.0 / 16, 0.25, 0.5, 1.0}) {
    const th::overhead_prediction p = th::predict_overhead(hand_made(), 12, 4, f, 50'000);
    EXPECT_GT(p.cpu_ns_per_request, previous_cpu) << f;
    EXPECT_LT(p.throughput_change_percent, previous_change) << f;
    previous_cpu = p.cpu_ns_per_request;
    previous_change = p.throughput_change_percent;
  }
}

TEST(PredictOverhead, NoBaselineNoWork) {
  const th::overhead_prediction p = th::predict_overhead(hand_made(), 0, 0, 1, 0);
  EXPECT_EQ(p.cpu_ns_per_request, 0);
  EXPECT_EQ(p.throughput_change_percent, 0);  // not NaN
}

TEST(CallsPerRequest, ProbabilityRepeatAndBatchAmortisation) {
  const ts::load_result r = ts::parse_scenario(R"({"name": "hops", "entry": "a", "services": {
    "a": {"calls": [{"to": "b", "probability": 0.5, "repeat": 4}, {"to": "d", "via": "queue"},
                    {"to": "e", "via": "batch", "batch_size": 4}]},
    "b": {"calls": [{"to": "c", "repeat": 2}]},
    "c": {}, "d": {},
    "e": {"calls": [{"to": "f"}]},
    "f": {}}})");
  ASSERT_TRUE(r.ok()) << r.errors.front();
  // a: 0.5 x 4 = 2 to b, 1 to d, 1 message to e; b runs 2 times, 2 calls each: 4;
  // e runs once per 4 messages, so its call to f is 1/4 per request.
  EXPECT_DOUBLE_EQ(th::calls_per_request(*r.value), 2 + 1 + 1 + 4 + 0.25);
}

TEST(CallsPerRequest, SingleServiceHasNoHops) {
  const ts::load_result r = ts::parse_scenario(R"({"name": "one", "entry": "a", "services": {"a": {}}})");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(th::calls_per_request(*r.value), 0);
}
