// Reweighting through the real pipeline: head sampling at 1/4 (consistent, th in tracestate),
// then the tail sampler keeping every error and a 1/16 baseline of the rest (a baseline above
// the head's rate would keep everything the head kept: both read the same randomness). Over many seeds the
// Horvitz-Thompson intervals cover the true request count and error rate about as often as
// they say, with little bias; counting kept traces naively is far off.

#include <gtest/gtest.h>

#include <cstdio>
#include <memory>
#include <random>
#include <vector>

#include "tracebench/collector/tail_sampler.hpp"
#include "tracebench/results/reweighting.hpp"
#include "tracebench/tracer/memory_exporter.hpp"
#include "tracebench/tracer/sampler.hpp"

namespace {

namespace th = tracebench::harness;
namespace tt = tracebench::tracer;

constexpr int kRequests = 40'000;
constexpr double kErrorRate = 0.02;
constexpr int kSeeds = 200;

struct outcome {
  th::population_estimate estimate;
  int errors = 0;
};

outcome one_pipeline(std::uint64_t seed) {
  std::mt19937_64 draws(seed);
  std::bernoulli_distribution failing(kErrorRate);
  const std::uint64_t head_threshold = tt::threshold_for_probability(1.0 / 4);
  const tt::trace_state head_state = tt::trace_state{}.with("ot", "th:" + tt::encode_threshold(head_threshold));

  auto kept = std::make_shared<tt::memory_exporter>();
  tracebench::collector::tail_sampler_options options;
  options.decision_wait = std::chrono::nanoseconds(0);
  options.num_traces = kRequests;
  options.policy =
      tracebench::collector::tail_policy::any_of({tracebench::collector::tail_policy::status_error(),
                                                  tracebench::collector::tail_policy::probabilistic(1.0 / 16)});
  options.now = [] { return std::int64_t{0}; };
  tracebench::collector::tail_sampler sampler(kept, options);

  outcome out;
  std::vector<tt::span_data> head_sampled;
  for (int i = 0; i < kRequests; ++i) {
    tt::span_data span;
    span.context.trace = tt::trace_id{draws(), draws() | 1};
    span.context.span = tt::span_id{static_cast<std::uint64_t>(i) + 1};
    const bool error = failing(draws);
    out.errors += error ? 1 : 0;
    if (tt::randomness_of(span.context) < head_threshold) continue;  // the head did not sample it
    span.context.flags = tt::kSampledFlag;
    span.context.state = head_state;
    span.status = error ? tt::status_code::error : tt::status_code::unset;
    head_sampled.push_back(std::move(span));
  }
  std::vector<const tt::span_data*> batch;
  for (const tt::span_data& s : head_sampled) batch.push_back(&s);
  EXPECT_EQ(sampler.export_spans(batch), tt::export_result::success);
  EXPECT_TRUE(sampler.force_flush(std::chrono::milliseconds(0)));

  std::vector<th::weighted_trace> weighted;
  for (const tt::recorded_span& s : kept->spans()) {
    const std::optional<double> count = tt::adjusted_count(s.context);
    EXPECT_TRUE(count.has_value());
    weighted.push_back({count.value_or(1), s.status == tt::status_code::error});
  }
  out.estimate = th::estimate_population(weighted);
  return out;
}

TEST(Reweighting, IntervalsCoverTheTruthAndNaiveCountsDoNot) {
  int requests_covered = 0, rate_covered = 0, naive_rate_covered = 0;
  double relative_error_sum = 0, rate_error_sum = 0;
  for (int seed = 1; seed <= kSeeds; ++seed) {
    const outcome o = one_pipeline(static_cast<std::uint64_t>(seed));
    const th::population_estimate& e = o.estimate;
    const double true_rate = static_cast<double>(o.errors) / kRequests;
    requests_covered += e.requests.low <= kRequests && kRequests <= e.requests.high ? 1 : 0;
    rate_covered += e.error_rate.low <= true_rate && true_rate <= e.error_rate.high ? 1 : 0;
    naive_rate_covered += e.error_rate.low <= e.naive_error_rate && e.naive_error_rate <= e.error_rate.high ? 1 : 0;
    relative_error_sum += (e.requests.value - kRequests) / kRequests;
    rate_error_sum += (e.error_rate.value - true_rate) / true_rate;
    if (seed == 1) {
      // Errors are kept 4x as readily as the rest: naive counting sees about 4x the error rate.
      EXPECT_GT(e.naive_error_rate, 3 * true_rate);
      EXPECT_LT(e.naive_requests, kRequests / 10.0);
    }
  }
  std::printf(
      "coverage over %d seeds: requests %d, error rate %d, naive rate inside the interval %d; mean relative "
      "error: requests %+.2f%%, error rate %+.2f%%\n",
      kSeeds, requests_covered, rate_covered, naive_rate_covered, 100 * relative_error_sum / kSeeds,
      100 * rate_error_sum / kSeeds);
  // 95% intervals: over 200 seeds, at least 88% (the binomial sd of the coverage is 1.5 points,
  // and the normal approximation is a little short with ~50 errors kept per seed).
  EXPECT_GE(requests_covered, kSeeds * 88 / 100) << requests_covered;
  EXPECT_GE(rate_covered, kSeeds * 88 / 100) << rate_covered;
  EXPECT_EQ(naive_rate_covered, 0);
  // Unbiased: the mean relative error over seeds is near 0 (each seed's sd is about 6%).
  EXPECT_NEAR(relative_error_sum / kSeeds, 0.0, 0.02);
  EXPECT_NEAR(rate_error_sum / kSeeds, 0.0, 0.05);
}

TEST(Reweighting, EstimatesOfAKnownSample) {
  // Four traces at weight 16, one error: 64 requests, 16 errors, variance 4 x 16 x 15.
  const std::vector<th::weighted_trace> kept{{16, true}, {16, false}, {16, false}, {16, false}};
  const th::population_estimate e = th::estimate_population(kept);
  EXPECT_DOUBLE_EQ(e.requests.value, 64);
  EXPECT_NEAR(e.requests.high - e.requests.value, 1.96 * std::sqrt(960.0), 1e-9);
  EXPECT_DOUBLE_EQ(e.errors.value, 16);
  EXPECT_DOUBLE_EQ(e.error_rate.value, 0.25);
  EXPECT_DOUBLE_EQ(e.naive_requests, 4);
  EXPECT_DOUBLE_EQ(e.naive_error_rate, 0.25);
  // Nothing sampled away (weight 1): no uncertainty.
  const std::vector<th::weighted_trace> all{{1, true}, {1, false}};
  const th::population_estimate exact = th::estimate_population(all);
  EXPECT_DOUBLE_EQ(exact.requests.low, 2);
  EXPECT_DOUBLE_EQ(exact.error_rate.high, 0.5);
}

}  // namespace
