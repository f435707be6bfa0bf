// The collector tier on hand-made spans: one collector or several behind the trace-id router,
// growing mid-run splits exactly the traces in flight that jump hashing moves, every span still
// reaches storage, and the tier never shuts the storage it shares.

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <random>
#include <thread>
#include <vector>

#include "tracebench/collector/collector_tier.hpp"
#include "tracebench/tracer/memory_exporter.hpp"

namespace {

using namespace tracebench;
using namespace std::chrono_literals;

collector::tail_collector_settings keep_everything(unsigned collectors, std::optional<unsigned> reshard_to) {
  collector::tail_collector_settings s;
  s.decision_wait = 1h;  // nothing is decided before finish: routing alone is under test
  s.baseline = 1.0;
  s.collectors = collectors;
  s.reshard_to = reshard_to;
  return s;
}

std::vector<tracer::trace_id> random_traces(std::size_t n, std::uint64_t seed) {
  std::mt19937_64 random(seed);
  std::vector<tracer::trace_id> ids;
  for (std::size_t i = 0; i < n; ++i) ids.push_back(tracer::trace_id{random(), random()});
  return ids;
}

void send(tracer::span_exporter& entry, const std::vector<tracer::trace_id>& traces, std::uint64_t span) {
  std::vector<tracer::span_data> spans(traces.size());
  std::vector<const tracer::span_data*> batch;
  for (std::size_t i = 0; i < traces.size(); ++i) {
    spans[i].context.trace = traces[i];
    spans[i].context.span = tracer::span_id{span * 1'000'000 + i + 1};
    spans[i].context.flags = tracer::kSampledFlag;
    spans[i].name = "op";
    batch.push_back(&spans[i]);
  }
  ASSERT_EQ(entry.export_spans(batch), tracer::export_result::success);
}

// Bounded: the resharding thread is asked to act at once; this waits for it, at most 10 s.
void wait_for_collectors(const collector::collector_tier& tier, unsigned count) {
  for (int i = 0; i < 1000 && tier.collectors() < count; ++i) std::this_thread::sleep_for(10ms);
  ASSERT_EQ(tier.collectors(), count);
}

TEST(CollectorTier, OneCollectorIsTheEntryItselfAndNeverSplits) {
  auto storage = std::make_shared<tracer::memory_exporter>();
  collector::collector_tier tier(keep_everything(1, std::nullopt), storage);
  const auto traces = random_traces(50, 1);
  send(*tier.entry(), traces, 1);
  tier.latency_phase_started(0ns);
  send(*tier.entry(), traces, 2);
  tier.finish();
  ASSERT_TRUE(tier.entry()->force_flush(1s));
  EXPECT_EQ(tier.collectors(), 1U);
  EXPECT_EQ(tier.split_traces(), 0U);
  EXPECT_EQ(storage->size(), 100U);
  EXPECT_EQ(tier.stats().spans_forwarded, 100U);
}

TEST(CollectorTier, GrowingSplitsExactlyTheTracesInFlightThatMove) {
  auto storage = std::make_shared<tracer::memory_exporter>();
  collector::collector_tier tier(keep_everything(2, 3U), storage);
  const auto in_flight = random_traces(3000, 2);
  send(*tier.entry(), in_flight, 1);  // first spans, routed among 2
  EXPECT_EQ(tier.stats().peak_traces_held, 3000U);
  tier.latency_phase_started(0ns);  // peaks restart; the tier grows to 3 at once
  wait_for_collectors(tier, 3);
  EXPECT_EQ(tier.stats().peak_traces_held, 3000U) << "restarted at what is held, not at 0";
  send(*tier.entry(), in_flight, 2);  // their second spans, routed among 3
  const auto fresh = random_traces(1000, 3);
  send(*tier.entry(), fresh, 1);  // traces that start after the growth never split
  tier.finish();

  std::uint64_t moved = 0;
  for (const auto& id : in_flight) moved += collector::shard_for(id, 3) != collector::shard_for(id, 2) ? 1U : 0U;
  EXPECT_EQ(tier.split_traces(), moved);
  EXPECT_NEAR(static_cast<double>(moved), 3000.0 / 3, 150);  // jump hashing moves a third, to the new one

  ASSERT_TRUE(tier.entry()->force_flush(1s));  // decides everything held, on every collector
  const collector::tail_sampler_stats s = tier.stats();
  EXPECT_EQ(s.spans_received, 7000U);
  EXPECT_EQ(s.spans_forwarded, 7000U);
  EXPECT_EQ(storage->size(), 7000U);
  // A split trace is two traces to the collectors: each decided its part.
  EXPECT_EQ(s.traces_received, 4000U + moved);
}

TEST(CollectorTier, ShuttingTheTierDownLeavesTheSharedStorageOpen) {
  auto storage = std::make_shared<tracer::memory_exporter>();
  collector::collector_tier tier(keep_everything(3, std::nullopt), storage);
  send(*tier.entry(), random_traces(30, 4), 1);
  tier.finish();
  tier.entry()->shutdown();  // every collector decides what it holds, then shuts its downstream
  EXPECT_EQ(storage->size(), 30U) << "the last collector's traces were stored too";
  send(*storage, random_traces(1, 5), 1);  // still open
  EXPECT_EQ(storage->size(), 31U);
}

TEST(CollectorTier, FinishBeforeTheGrowthIsDueCancelsIt) {
  collector::collector_tier tier(keep_everything(1, 4U), std::make_shared<tracer::memory_exporter>());
  tier.latency_phase_started(1h);
  tier.finish();  // returns at once rather than after an hour
  EXPECT_EQ(tier.collectors(), 1U);
}

}  // namespace
