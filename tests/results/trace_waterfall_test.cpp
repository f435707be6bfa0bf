// The waterfall's critical path and row order on small hand-drawn traces. Times are in ns; each
// case's comment draws the spans as [start, end].

#include "tracebench/results/trace_waterfall.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace th = tracebench::harness;

namespace {

th::recorded_span span(std::string id, std::string parent, std::int64_t start, std::int64_t end) {
  th::recorded_span s;
  s.span_id = std::move(id);
  s.parent_span_id = std::move(parent);
  s.service = "svc";
  s.name = "op";
  s.start_ns = start;
  s.duration_ns = end - start;
  return s;
}

th::recorded_trace trace_of(std::vector<th::recorded_span> spans) {
  th::recorded_trace t;
  t.spans = std::move(spans);
  return t;
}

// The rows as "id@depth", for one readable comparison.
std::vector<std::string> order_of(const th::recorded_trace& t) {
  std::vector<std::string> out;
  for (const th::waterfall_row& row : th::waterfall_order(t)) {
    out.push_back(t.spans[row.span].span_id + "@" + std::to_string(row.depth));
  }
  return out;
}

}  // namespace

TEST(WaterfallCriticalPath, EmptyTraceHasNoPath) {
  EXPECT_TRUE(th::on_critical_path(th::recorded_trace{}).empty());
  EXPECT_TRUE(th::waterfall_order(th::recorded_trace{}).empty());
}

TEST(WaterfallCriticalPath, SingleSpanIsThePath) {
  EXPECT_EQ(th::on_critical_path(trace_of({span("r", "", 0, 100)})), (std::vector<bool>{true}));
}

// r [0,100] > a [10,40], b [50,90] > c [55,85]: each waits on the one before, all are on it.
TEST(WaterfallCriticalPath, SequentialChainIsWhollyCritical) {
  const auto t =
      trace_of({span("r", "", 0, 100), span("a", "r", 10, 40), span("b", "r", 50, 90), span("c", "b", 55, 85)});
  EXPECT_EQ(th::on_critical_path(t), (std::vector<bool>{true, true, true, true}));
}

// r [0,100] > a [10,60], b [10,90], c [10,30] in parallel: only the longest branch counts.
TEST(WaterfallCriticalPath, ParallelFanOutKeepsOnlyTheLongestBranch) {
  const auto t =
      trace_of({span("r", "", 0, 100), span("a", "r", 10, 60), span("b", "r", 10, 90), span("c", "r", 10, 30)});
  EXPECT_EQ(th::on_critical_path(t), (std::vector<bool>{true, false, true, false}));
}

// r [0,100] > a [5,95] > (b [10,50] > b1 [15,45]), (c [20,80] > c1 [25,70], c2 [72,78]); d [96,99].
// d ends last; then a, which ended before d began; inside a, c; inside c, c2 then c1, which
// ended before c2 began. b overlaps c, so it is not waited on.
TEST(WaterfallCriticalPath, NestedWalkFollowsLastFinishingChildren) {
  const auto t =
      trace_of({span("r", "", 0, 100), span("a", "r", 5, 95), span("b", "a", 10, 50), span("b1", "b", 15, 45),
                span("c", "a", 20, 80), span("c1", "c", 25, 70), span("c2", "c", 72, 78), span("d", "r", 96, 99)});
  EXPECT_EQ(th::on_critical_path(t), (std::vector<bool>{true, true, false, false, true, true, true, true}));
}

// r [0,100] > a [10,60], b [50,130] (a skewed clock: clamped to [50,100]) > b1 [105,125] (starts
// after its clamped parent: out), and e [110,120] (starts after the root ended: out). Unclamped,
// b would end after the cursor and a would be taken instead.
TEST(WaterfallCriticalPath, SkewedChildIsClampedToItsParent) {
  const auto t = trace_of({span("r", "", 0, 100), span("a", "r", 10, 60), span("b", "r", 50, 130),
                           span("b1", "b", 105, 125), span("e", "r", 110, 120)});
  EXPECT_EQ(th::on_critical_path(t), (std::vector<bool>{true, false, true, false, false}));
}

// r [10,100] > s [0,40] (clamped to [10,40]), t [50,90]: both on the path.
TEST(WaterfallCriticalPath, ChildStartingBeforeItsParentIsClamped) {
  const auto t = trace_of({span("r", "", 10, 100), span("s", "r", 0, 40), span("t", "r", 50, 90)});
  EXPECT_EQ(th::on_critical_path(t), (std::vector<bool>{true, true, true}));
}

// r [0,100] > a [10,50]; o [60,99] names a parent the trace lacks: ignored, though it ends later.
TEST(WaterfallCriticalPath, OrphansAreIgnored) {
  const auto t =
      trace_of({span("r", "", 0, 100), span("a", "r", 10, 50), span("o", "ffff", 60, 99), span("o1", "o", 70, 98)});
  EXPECT_EQ(th::on_critical_path(t), (std::vector<bool>{true, true, false, false}));
}

// r [0,100] > a [50,100], z [50,50]: the zero-length z ends at a's start, so it is taken once.
TEST(WaterfallCriticalPath, ZeroLengthChildAtTheCursorIsTakenOnce) {
  const auto t = trace_of({span("r", "", 0, 100), span("a", "r", 50, 100), span("z", "r", 50, 50)});
  EXPECT_EQ(th::on_critical_path(t), (std::vector<bool>{true, true, true}));
}

// Without a parentless span the first span whose parent is missing is walked from.
TEST(WaterfallCriticalPath, TraceWithoutItsRootStartsAtTheFirstOrphan) {
  const auto t = trace_of({span("x", "gone", 0, 100), span("y", "x", 10, 90), span("w", "x", 20, 30)});
  EXPECT_EQ(th::on_critical_path(t), (std::vector<bool>{true, true, false}));
}

TEST(WaterfallOrder, DepthFirstWithSiblingsByStart) {
  // Listed out of start order on purpose: c2 before c1, d before a.
  const auto t = trace_of({span("r", "", 0, 100), span("d", "r", 96, 99), span("a", "r", 5, 95), span("c", "a", 20, 80),
                           span("c2", "c", 72, 78), span("c1", "c", 25, 70), span("b", "a", 10, 50)});
  EXPECT_EQ(order_of(t), (std::vector<std::string>{"r@0", "a@1", "b@2", "c@2", "c1@3", "c2@3", "d@1"}));
}

TEST(WaterfallOrder, OrphanSubtreesFollowTheRootsTree) {
  const auto t =
      trace_of({span("o", "ffff", 5, 99), span("r", "", 0, 100), span("o1", "o", 70, 98), span("a", "r", 10, 50)});
  EXPECT_EQ(order_of(t), (std::vector<std::string>{"r@0", "a@1", "o@0", "o1@1"}));
}

TEST(WaterfallOrder, ParentCyclesAreListedOnce) {
  const auto t =
      trace_of({span("r", "", 0, 100), span("p", "q", 10, 20), span("q", "p", 30, 40), span("s", "s", 50, 60)});
  EXPECT_EQ(order_of(t), (std::vector<std::string>{"r@0", "s@0", "p@0", "q@1"}));
}
