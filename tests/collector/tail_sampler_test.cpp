// The tail sampler on hand-made spans and a hand-driven clock: policies, decision timing,
// eviction under a planted overload, late spans, memory accounting, and that every span that
// arrives is accounted for.

#include <gtest/gtest.h>

#include <memory>
#include <random>
#include <set>
#include <vector>

#include "tracebench/collector/tail_sampler.hpp"
#include "tracebench/tracer/memory_exporter.hpp"

namespace {

using namespace tracebench::tracer;
using namespace tracebench::collector;
using namespace std::chrono_literals;

constexpr std::int64_t kMs = 1'000'000;

span_data make_span(std::uint64_t trace, std::uint64_t span, std::uint64_t parent, std::int64_t start_ms,
                    std::int64_t end_ms, status_code status = status_code::unset) {
  span_data s;
  s.context.trace = trace_id{0x1234, trace};
  s.context.span = span_id{span};
  s.parent = span_id{parent};
  s.name = "op" + std::to_string(span);
  s.start_unix_nanos = start_ms * kMs;
  s.end_unix_nanos = end_ms * kMs;
  s.status = status;
  return s;
}

struct fixture {
  std::int64_t clock = 0;
  std::shared_ptr<memory_exporter> kept = std::make_shared<memory_exporter>();
  std::unique_ptr<tail_sampler> sampler;

  explicit fixture(tail_policy policy, std::size_t num_traces = 1000, std::size_t cache = 1000) {
    tail_sampler_options o;
    o.decision_wait = 10ms;
    o.num_traces = num_traces;
    o.decision_cache_size = cache;
    o.policy = std::move(policy);
    o.now = [this] { return clock; };
    sampler = std::make_unique<tail_sampler>(kept, std::move(o));
  }

  void send(const std::vector<span_data>& spans) {
    std::vector<const span_data*> batch;
    for (const span_data& s : spans) batch.push_back(&s);
    ASSERT_EQ(sampler->export_spans(batch), export_result::success);
  }

  std::set<std::uint64_t> kept_traces() const {
    std::set<std::uint64_t> ids;
    for (const recorded_span& s : kept->spans()) ids.insert(s.context.trace.low);
    return ids;
  }
};

// Every span that arrived is in exactly one place.
void expect_accounted(const tail_sampler_stats& s) {
  EXPECT_EQ(s.spans_received,
            s.spans_forwarded + s.spans_export_failed + s.spans_dropped + s.spans_evicted + s.spans_held);
}

TEST(TailSampler, DecidesAfterTheWaitOnTheWholeTrace) {
  fixture f(tail_policy::status_error());
  f.send({make_span(1, 11, 0, 0, 50), make_span(2, 21, 0, 0, 50)});
  f.clock = 5 * kMs;
  // The error arrives after the trace's first span: the decision must wait for it.
  f.send({make_span(1, 12, 11, 1, 40, status_code::error), make_span(2, 22, 21, 1, 40)});
  EXPECT_EQ(f.kept->size(), 0U);
  EXPECT_EQ(f.sampler->stats().traces_held, 2U);
  f.clock = 9 * kMs;
  EXPECT_EQ(f.sampler->decide_due(), 0U);
  f.clock = 10 * kMs;
  EXPECT_EQ(f.sampler->decide_due(), 2U);
  EXPECT_EQ(f.kept_traces(), (std::set<std::uint64_t>{1}));
  EXPECT_EQ(f.kept->size(), 2U);
  const tail_sampler_stats s = f.sampler->stats();
  EXPECT_EQ(s.traces_kept, 1U);
  EXPECT_EQ(s.traces_dropped, 1U);
  EXPECT_EQ(s.spans_dropped, 2U);
  EXPECT_EQ(s.bytes_held, 0U);
  EXPECT_GT(s.peak_bytes_held, 4 * sizeof(span_data) - 1);
  expect_accounted(s);
}

TEST(TailSampler, RestartedPeaksCountOnlyWhatIsHeldFromThen) {
  fixture f(tail_policy::status_error());
  f.send({make_span(1, 11, 0, 0, 5), make_span(2, 21, 0, 0, 5), make_span(3, 31, 0, 0, 5)});
  f.clock = 10 * kMs;
  EXPECT_EQ(f.sampler->decide_due(), 3U);
  EXPECT_EQ(f.sampler->stats().peak_traces_held, 3U);
  f.sampler->restart_peaks();
  EXPECT_EQ(f.sampler->stats().peak_traces_held, 0U);
  EXPECT_EQ(f.sampler->stats().peak_bytes_held, 0U);
  f.send({make_span(4, 41, 0, 10, 15)});
  const tail_sampler_stats s = f.sampler->stats();
  EXPECT_EQ(s.peak_traces_held, 1U);
  EXPECT_EQ(s.peak_bytes_held, s.bytes_held);
  EXPECT_GT(s.bytes_held, 0U);
}

TEST(TailSampler, PoliciesAndComposites) {
  const std::vector<span_data> slow = {make_span(1, 1, 0, 0, 600), make_span(1, 2, 1, 10, 20)};
  std::vector<span_data> tagged = {make_span(2, 3, 0, 0, 5)};
  tagged[0].attributes.set("tenant", "gold");
  const std::vector<span_data> busy = {make_span(3, 4, 0, 0, 5), make_span(3, 5, 4, 1, 2), make_span(3, 6, 4, 2, 3)};
  const auto view = [](const std::vector<span_data>& spans) {
    std::vector<const span_data*> v;
    for (const span_data& s : spans) v.push_back(&s);
    return v;
  };
  const tail_policy latency = tail_policy::latency(500ms);
  EXPECT_TRUE(latency.keeps(view(slow)));
  EXPECT_FALSE(latency.keeps(view(busy)));
  const tail_policy gold = tail_policy::attribute("tenant", {"gold", "platinum"});
  EXPECT_TRUE(gold.keeps(view(tagged)));
  EXPECT_FALSE(gold.keeps(view(busy)));
  EXPECT_TRUE(tail_policy::span_count(3).keeps(view(busy)));
  EXPECT_FALSE(tail_policy::span_count(3).keeps(view(slow)));
  EXPECT_TRUE(tail_policy::any_of({latency, gold}).keeps(view(tagged)));
  EXPECT_FALSE(tail_policy::all_of({latency, gold}).keeps(view(tagged)));
  EXPECT_TRUE(tail_policy::all_of({latency, tail_policy::span_count(2)}).keeps(view(slow)));
  EXPECT_EQ(tail_policy::any_of({tail_policy::status_error(), tail_policy::latency(500ms)}).description(),
            "any_of(status_error, latency >= 500 ms)");
}

TEST(TailSampler, ProbabilisticDecisionsAreDeterministicAndNearTheirRate) {
  std::mt19937_64 draws(7);
  std::vector<span_data> spans;
  for (int i = 0; i < 10'000; ++i) spans.push_back(make_span(draws() | 1, 1, 0, 0, 1));
  std::set<std::uint64_t> first;
  for (int attempt = 0; attempt < 2; ++attempt) {
    fixture f(tail_policy::probabilistic(0.1), 20'000);
    f.send(spans);
    f.clock = 10 * kMs;
    EXPECT_EQ(f.sampler->decide_due(), 10'000U);
    if (attempt == 0) {
      first = f.kept_traces();
    } else {
      EXPECT_EQ(f.kept_traces(), first);  // the same traces, not just as many
    }
  }
  // Binomial(10,000, 0.1): sd 30, so +-150 is five of them.
  EXPECT_NEAR(static_cast<double>(first.size()), 1000.0, 150.0);
}

TEST(TailSampler, EvictionIsExactUnderAPlantedOverload) {
  fixture f(tail_policy::always(), 100);
  std::vector<span_data> spans;
  for (std::uint64_t t = 1; t <= 250; ++t) {
    spans.push_back(make_span(t, 2 * t, 0, 0, 1));
    spans.push_back(make_span(t, 2 * t + 1, 2 * t, 0, 1));
  }
  f.send(spans);
  tail_sampler_stats s = f.sampler->stats();
  EXPECT_EQ(s.traces_evicted, 150U);
  EXPECT_EQ(s.spans_evicted, 300U);  // each trace whole: its two spans came together
  EXPECT_EQ(s.traces_held, 100U);
  EXPECT_EQ(s.peak_traces_held, 100U);
  expect_accounted(s);
  f.clock = 10 * kMs;
  EXPECT_EQ(f.sampler->decide_due(), 100U);
  // The oldest went first: the newest 100 survive, each whole.
  const std::set<std::uint64_t> kept = f.kept_traces();
  EXPECT_EQ(kept.size(), 100U);
  EXPECT_EQ(*kept.begin(), 151U);
  EXPECT_EQ(*kept.rbegin(), 250U);
  s = f.sampler->stats();
  EXPECT_EQ(s.spans_forwarded, 200U);
  EXPECT_EQ(s.spans_held, 0U);
  expect_accounted(s);
}

TEST(TailSampler, LateSpansFollowTheCachedDecision) {
  fixture f(tail_policy::status_error(), 100, 2);
  f.send({make_span(1, 11, 0, 0, 5, status_code::error), make_span(2, 21, 0, 0, 5)});
  f.clock = 10 * kMs;
  ASSERT_EQ(f.sampler->decide_due(), 2U);
  // Late: trace 1 was kept, trace 2 dropped; both decisions are cached.
  f.send({make_span(1, 12, 11, 1, 2), make_span(2, 22, 21, 1, 2)});
  tail_sampler_stats s = f.sampler->stats();
  EXPECT_EQ(s.late_spans, 2U);
  EXPECT_EQ(s.late_spans_kept, 1U);
  EXPECT_EQ(f.kept->size(), 2U);
  EXPECT_EQ(s.traces_held, 0U);
  expect_accounted(s);
  // Two newer decisions push both out of the two-entry cache: a late span of trace 1 now starts
  // a fragment, which the policy judges on its own (no error in it: dropped).
  f.send({make_span(3, 31, 0, 10, 11), make_span(4, 41, 0, 10, 11)});
  f.clock = 20 * kMs;
  ASSERT_EQ(f.sampler->decide_due(), 2U);
  f.send({make_span(1, 13, 11, 3, 4)});
  s = f.sampler->stats();
  EXPECT_EQ(s.late_spans, 2U);
  EXPECT_EQ(s.traces_received, 5U);
  EXPECT_EQ(s.traces_held, 1U);
  f.clock = 30 * kMs;
  ASSERT_EQ(f.sampler->decide_due(), 1U);
  EXPECT_EQ(f.kept->size(), 2U);
  expect_accounted(f.sampler->stats());
}

TEST(TailSampler, FlushDecidesEverythingAndShutdownRefusesMore) {
  fixture f(tail_policy::always());
  f.send({make_span(1, 11, 0, 0, 5)});
  EXPECT_TRUE(f.sampler->force_flush(10ms));
  EXPECT_EQ(f.kept->size(), 1U);
  f.sampler->shutdown();
  const span_data late = make_span(2, 21, 0, 0, 5);
  const span_data* batch[] = {&late};
  EXPECT_EQ(f.sampler->export_spans(batch), export_result::failure);
}

}  // namespace
