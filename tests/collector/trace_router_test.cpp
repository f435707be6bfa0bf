// Routing spans to tail-sampling shards by trace id: equal shares, few moves when the shard
// count changes, every span of a trace on one shard, and split traces counted.

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <random>
#include <vector>

#include "tracebench/collector/trace_router.hpp"
#include "tracebench/tracer/memory_exporter.hpp"

namespace {

using namespace tracebench::tracer;
using namespace tracebench::collector;

std::vector<trace_id> random_ids(std::size_t n, std::uint64_t seed) {
  std::mt19937_64 draws(seed);
  std::vector<trace_id> ids(n);
  for (trace_id& id : ids) id = trace_id{draws(), draws() | 1};
  return ids;
}

TEST(TraceRouter, EightShardsGetSharesWithinFivePercent) {
  const auto ids = random_ids(200'000, 3);
  std::vector<std::size_t> per_shard(8, 0);
  for (const trace_id& id : ids) ++per_shard[shard_for(id, 8)];
  const double mean = 200'000.0 / 8;
  for (std::size_t count : per_shard) EXPECT_LT(std::abs(static_cast<double>(count) - mean) / mean, 0.05) << count;
}

TEST(TraceRouter, GrowingByOneShardMovesAboutOneInNPlusOne) {
  const auto ids = random_ids(100'000, 4);
  std::size_t moved = 0;
  for (const trace_id& id : ids) {
    const std::uint32_t before = shard_for(id, 8);
    const std::uint32_t after = shard_for(id, 9);
    if (before != after) {
      ++moved;
      EXPECT_EQ(after, 8U);  // a trace only ever moves to the new shard
    }
  }
  // 1/9 = 11.1%; binomial sd at 100,000 is 0.1 points.
  EXPECT_NEAR(static_cast<double>(moved) / 100'000, 1.0 / 9, 0.005);
}

TEST(TraceRouter, SpansOfATraceReachOneShardAndSplitsAreCounted) {
  std::vector<std::shared_ptr<memory_exporter>> exporters;
  std::vector<std::shared_ptr<span_exporter>> shards;
  for (int i = 0; i < 9; ++i) {
    exporters.push_back(std::make_shared<memory_exporter>());
    shards.push_back(exporters.back());
  }
  trace_router router({shards.begin(), shards.begin() + 8});
  const auto ids = random_ids(2'000, 5);
  std::vector<span_data> spans(ids.size());
  std::vector<const span_data*> batch;
  for (std::size_t i = 0; i < ids.size(); ++i) {
    spans[i].context.trace = ids[i];
    spans[i].context.span = span_id{i + 1};
    batch.push_back(&spans[i]);
  }
  ASSERT_EQ(router.export_spans(batch), export_result::success);
  ASSERT_EQ(router.export_spans(batch), export_result::success);  // second spans of the same traces
  EXPECT_EQ(router.stats().split_traces, 0U);
  for (std::size_t s = 0; s < 8; ++s) {
    for (const recorded_span& r : exporters[s]->spans()) EXPECT_EQ(shard_for(r.context.trace, 8), s);
  }

  // A ninth shard mid-run: the traces it takes from now on were started elsewhere.
  std::size_t expected_splits = 0;
  for (const trace_id& id : ids) expected_splits += shard_for(id, 9) == 8 ? 1U : 0U;
  router.set_shards(shards);
  ASSERT_EQ(router.export_spans(batch), export_result::success);
  ASSERT_EQ(router.export_spans(batch), export_result::success);  // counted once per trace
  const trace_router_stats stats = router.stats();
  EXPECT_EQ(stats.split_traces, expected_splits);
  EXPECT_GT(expected_splits, 100U);
  EXPECT_EQ(stats.spans_routed, 4 * ids.size());
  EXPECT_EQ(stats.resizes, 1U);
  EXPECT_EQ(exporters[8]->size(), 2 * expected_splits);
}

TEST(TraceRouter, AShardThatFailsCountsOnlyItsOwnSpans) {
  auto good = std::make_shared<memory_exporter>();
  auto bad = std::make_shared<memory_exporter>();
  bad->shutdown();  // refuses everything from now on
  trace_router router({good, bad});
  const auto ids = random_ids(1'000, 6);
  std::vector<span_data> spans(ids.size());
  std::vector<const span_data*> batch;
  std::size_t to_bad = 0;
  for (std::size_t i = 0; i < ids.size(); ++i) {
    spans[i].context.trace = ids[i];
    batch.push_back(&spans[i]);
    to_bad += shard_for(ids[i], 2) == 1 ? 1U : 0U;
  }
  EXPECT_EQ(router.export_spans(batch), export_result::success);
  EXPECT_EQ(router.stats().spans_failed, to_bad);
  EXPECT_EQ(good->size(), ids.size() - to_bad);
}

}  // namespace
