// --work-scale's scenario: every cpu_us and wait_us, internal spans' too, multiplied by the factor
// in every distribution shape, draw for draw; the graph, its calls and queue delays untouched.

#include "tracebench/services/work_scale.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>

#include "tracebench/services/scenario_loader.hpp"
#include "tracebench/services/scenario_summary.hpp"

namespace ts = tracebench::services;

namespace {

const std::string kEveryShape = R"({"name": "shapes", "entry": "gateway", "services": {
  "gateway": {"cpu_us": 50, "wait_us": {"lognormal": {"median": 200, "p99": 2000}},
              "calls": [{"to": "checkout"}, {"to": "orders", "via": "queue", "queue_delay_us": {"exponential": 500}}]},
  "checkout": {"cpu_us": {"uniform": [10, 90]}, "wait_us": {"exponential": 40},
               "internal_spans": [{"name": "SELECT", "kind": "client", "cpu_us": 5, "wait_us": {"empirical": [100, 300]}}]},
  "orders": {"wait_us": {"empirical": [120, 150, 900]}}}})";

ts::scenario load(const std::string& text) {
  ts::load_result loaded = ts::parse_scenario(text);
  EXPECT_TRUE(loaded.ok()) << (loaded.errors.empty() ? "" : loaded.errors.front());
  return loaded.ok() ? std::move(*loaded.value) : ts::scenario{};
}

// The same random bits through both: a scaled draw is the factor times the original draw.
void expect_draws_scaled(const ts::distribution& original, const ts::distribution& scaled, double factor) {
  std::mt19937_64 a(7);
  std::mt19937_64 b(7);
  for (int i = 0; i < 1000; ++i) {
    const double want = original.sample(a) * factor;
    EXPECT_NEAR(scaled.sample(b), want, 1e-9 * (1 + want)) << original.describe();
  }
}

}  // namespace

TEST(WorkScale, MultipliesEveryCpuAndWaitDrawInEveryShape) {
  const ts::scenario original = load(kEveryShape);
  constexpr double kFactor = 2.5;
  const ts::scenario scaled = ts::scale_work(original, kFactor);
  ASSERT_EQ(scaled.services.size(), original.services.size());
  for (std::size_t i = 0; i < original.services.size(); ++i) {
    const ts::service& was = original.services[i];
    const ts::service& now = scaled.services[i];
    SCOPED_TRACE(was.name);
    EXPECT_EQ(now.cpu_us.kind(), was.cpu_us.kind());
    EXPECT_EQ(now.wait_us.kind(), was.wait_us.kind());
    EXPECT_DOUBLE_EQ(now.cpu_us.mean(), was.cpu_us.mean() * kFactor);
    EXPECT_NEAR(now.wait_us.mean(), was.wait_us.mean() * kFactor, 1e-9 * now.wait_us.mean());
    expect_draws_scaled(was.cpu_us, now.cpu_us, kFactor);
    expect_draws_scaled(was.wait_us, now.wait_us, kFactor);
    ASSERT_EQ(now.internal_spans.size(), was.internal_spans.size());
    for (std::size_t j = 0; j < was.internal_spans.size(); ++j) {
      expect_draws_scaled(was.internal_spans[j].cpu_us, now.internal_spans[j].cpu_us, kFactor);
      expect_draws_scaled(was.internal_spans[j].wait_us, now.internal_spans[j].wait_us, kFactor);
    }
  }
  // The lognormal keeps its shape: both ends move together.
  EXPECT_DOUBLE_EQ(scaled.services[0].wait_us.first(), 500);
  EXPECT_DOUBLE_EQ(scaled.services[0].wait_us.second(), 5000);
}

TEST(WorkScale, LeavesTheGraphAndQueueDelaysAlone) {
  const ts::scenario original = load(kEveryShape);
  const ts::scenario scaled = ts::scale_work(original, 0.1);
  EXPECT_EQ(scaled.name, original.name);
  EXPECT_EQ(scaled.entry_index, original.entry_index);
  ASSERT_EQ(scaled.services[0].steps.size(), original.services[0].steps.size());
  const ts::call& queue = scaled.services[0].steps[1].calls[0];
  EXPECT_EQ(queue.to, "orders");
  EXPECT_EQ(queue.queue_delay_us, original.services[0].steps[1].calls[0].queue_delay_us);

  const ts::scenario_summary before = ts::summarize(original);
  const ts::scenario_summary after = ts::summarize(scaled);
  EXPECT_DOUBLE_EQ(after.spans_per_request, before.spans_per_request);
  EXPECT_NEAR(after.cpu_us_per_request, before.cpu_us_per_request * 0.1, 1e-9);
  EXPECT_NEAR(after.wait_us_per_request, before.wait_us_per_request * 0.1, 1e-9);
}

TEST(WorkScale, OneChangesNothing) {
  const ts::scenario original = load(kEveryShape);
  const ts::scenario same = ts::scale_work(original, 1);
  for (std::size_t i = 0; i < original.services.size(); ++i) {
    EXPECT_EQ(same.services[i].cpu_us, original.services[i].cpu_us);
    EXPECT_EQ(same.services[i].wait_us, original.services[i].wait_us);
  }
}
