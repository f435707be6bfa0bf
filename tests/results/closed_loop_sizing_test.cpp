// The closed loop's sizing on synthetic probes: doubling stops where throughput stops growing,
// a graph still growing at the bound is wait-bound (and says so above the table), and a phase
// too short for 200 requests is lengthened, within its bound.

#include "tracebench/results/closed_loop_sizing.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <vector>

#include "tracebench/report/overhead_table.hpp"
#include "tracebench/results/experiment_summary.hpp"

namespace tracebench::test {
namespace {

using namespace std::chrono_literals;
using harness::concurrency_probe;

TEST(ClosedLoopSizing, DoublesFromSixteenWhileThroughputGrows) {
  std::vector<concurrency_probe> probes;
  EXPECT_EQ(harness::next_probe(probes), 16U);
  probes.push_back({16, 130});
  EXPECT_EQ(harness::next_probe(probes), 32U);
  probes.push_back({32, 260});
  EXPECT_EQ(harness::next_probe(probes), 64U);
  probes.push_back({64, 270});  // +3.8%: saturated
  EXPECT_EQ(harness::next_probe(probes), std::nullopt);
  const harness::closed_loop_sizing sizing = harness::choose_concurrency(probes);
  EXPECT_EQ(sizing.concurrency, 32U) << "64 bought under 5% more: 32 saturates already";
  EXPECT_TRUE(sizing.chosen);
  EXPECT_FALSE(sizing.wait_bound);
  EXPECT_EQ(sizing.probes.size(), 3U);
}

TEST(ClosedLoopSizing, ADropIsSaturationToo) {
  const std::vector<concurrency_probe> probes{{16, 4000}, {32, 3700}};
  EXPECT_EQ(harness::next_probe(probes), std::nullopt);
  EXPECT_EQ(harness::choose_concurrency(probes).concurrency, 16U);
}

TEST(ClosedLoopSizing, StillGrowingAtTheBoundIsWaitBound) {
  std::vector<concurrency_probe> probes;
  double throughput = 100;
  while (const auto next = harness::next_probe(probes)) {
    probes.push_back({*next, throughput});
    throughput *= 1.9;
  }
  ASSERT_EQ(probes.back().concurrency, harness::kMaxConcurrency);
  EXPECT_EQ(probes.size(), 9U);  // 16 ... 4096
  const harness::closed_loop_sizing sizing = harness::choose_concurrency(probes);
  EXPECT_EQ(sizing.concurrency, harness::kMaxConcurrency);
  EXPECT_TRUE(sizing.wait_bound);

  harness::experiment_summary summary;
  summary.sizing = sizing;
  summary.rows.push_back({});
  summary.rows.back().configuration = "off";
  summary.rows.back().baseline = true;
  const std::string table = harness::render_overhead_table(summary, harness::table_style::text);
  EXPECT_NE(table.find("Wait-bound: the closed loop's throughput still grew at 4096 requests in flight"),
            std::string::npos)
      << table;
}

TEST(ClosedLoopSizing, AShortPhaseIsLengthenedToTwoHundredRequestsWithinItsBound) {
  EXPECT_EQ(harness::phase_length(1s, 1000), 1s) << "1,000 requests already";
  EXPECT_EQ(harness::phase_length(1s, 50), 5s) << "200 x 1.25 / 50";
  EXPECT_EQ(harness::phase_length(1s, 1), 10s) << "at most 10x";
  EXPECT_EQ(harness::phase_length(1s, 0), 1s);
}

}  // namespace
}  // namespace tracebench::test
