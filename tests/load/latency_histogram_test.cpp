// latency_histogram: precision over the whole range, percentiles against a sorted sample, merging,
// JSON, the overflow and the empty histogram.

#include "tracebench/load/latency_histogram.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <stdexcept>
#include <vector>

namespace tracebench::harness {
namespace {

using h = latency_histogram;

// Every power of two that overlaps [1 us, 100 s], sampled densely, plus both ends.
std::vector<std::int64_t> range_samples() {
  std::vector<std::int64_t> values = {h::kLowestTrackable, h::kHighestTrackable};
  constexpr int kPerPowerOfTwo = 1000;
  for (int k = 9; k <= 37; ++k) {
    const std::int64_t lo = std::int64_t{1} << k;
    for (int i = 0; i < kPerPowerOfTwo; ++i) {
      const std::int64_t v = lo + lo * i / kPerPowerOfTwo;
      if (v >= h::kLowestTrackable && v <= h::kHighestTrackable) values.push_back(v);
    }
    for (std::int64_t edge : {lo - 1, lo, lo + 1}) {
      if (edge >= h::kLowestTrackable && edge <= h::kHighestTrackable) values.push_back(edge);
    }
  }
  return values;
}

TEST(LatencyHistogram, EveryValueInRangeKeepsThreeSignificantDigits) {
  for (std::int64_t v : range_samples()) {
    const std::int64_t lo = h::lowest_equivalent_value(v);
    const std::int64_t hi = h::highest_equivalent_value(v);
    ASSERT_LE(lo, v);
    ASSERT_GE(hi, v);
    ASSERT_LE(static_cast<double>(hi - lo) / static_cast<double>(v), 0.001) << v;
    if (hi < h::kHighestTrackable) {
      ASSERT_EQ(h::lowest_equivalent_value(hi + 1), hi + 1) << "buckets must tile the range at " << v;
    }
  }
}

TEST(LatencyHistogram, RecordedValuesComeBackWithinPointOnePercent) {
  h hist;
  const std::vector<std::int64_t> values = range_samples();
  for (std::size_t i = 0; i < values.size(); i += 7) {
    hist.reset();
    hist.record(values[i]);
    const auto back = static_cast<double>(hist.value_at_percentile(50.0));
    ASSERT_NEAR(back, static_cast<double>(values[i]), 0.001 * static_cast<double>(values[i])) << values[i];
    ASSERT_EQ(hist.min(), values[i]);
    ASSERT_EQ(hist.max(), values[i]);
  }
}

TEST(LatencyHistogram, PercentilesMatchASortedSampleToBucketPrecision) {
  std::mt19937_64 rng(42);
  std::lognormal_distribution<double> latency(std::log(1e6), 1.2);  // median 1 ms, long tail
  std::vector<std::int64_t> values;
  h hist;
  for (int i = 0; i < 100'000; ++i) {
    const auto v = std::clamp(static_cast<std::int64_t>(latency(rng)), h::kLowestTrackable, h::kHighestTrackable);
    values.push_back(v);
    hist.record(v);
  }
  std::sort(values.begin(), values.end());
  for (double p : {0.001, 1.0, 10.0, 25.0, 50.0, 75.0, 90.0, 99.0, 99.9, 99.99, 100.0}) {
    // Nearest rank, which is what HdrHistogram reports up to the bucket's highest equivalent; the
    // epsilon keeps 99.9% of 100k at rank 99,900 despite 99.9 having no exact binary form.
    const auto rank = static_cast<std::size_t>(std::ceil(p / 100.0 * static_cast<double>(values.size()) - 1e-6));
    const std::int64_t expected = values[std::max<std::size_t>(rank, 1) - 1];
    EXPECT_EQ(hist.value_at_percentile(p), h::highest_equivalent_value(expected)) << p;
  }
  EXPECT_EQ(hist.count(), values.size());
  EXPECT_EQ(hist.min(), values.front());
  EXPECT_EQ(hist.max(), values.back());
  double sum = 0.0;
  for (std::int64_t v : values) sum += static_cast<double>(v);
  EXPECT_NEAR(hist.mean(), sum / static_cast<double>(values.size()), 1e-6 * hist.mean());
  EXPECT_EQ(hist.overflow_count(), 0U);
}

h filled(std::uint64_t seed, int n) {
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<std::int64_t> v(0, 2 * h::kHighestTrackable);
  h hist;
  for (int i = 0; i < n; ++i) hist.record(v(rng));
  return hist;
}

TEST(LatencyHistogram, MergeEqualsRecordingEverythingIntoOne) {
  h all;
  h merged;
  for (std::uint64_t thread = 0; thread < 4; ++thread) {
    std::mt19937_64 rng(thread);
    std::uniform_int_distribution<std::int64_t> v(0, 2 * h::kHighestTrackable);  // half overflows
    h mine;
    for (int i = 0; i < 5'000; ++i) {
      const std::int64_t x = v(rng);
      mine.record(x);
      all.record(x);
    }
    mine.record(1'234'567, 10);
    all.record(1'234'567, 10);
    merged.merge(mine);
  }
  merged.merge(h{});  // an idle thread changes nothing
  EXPECT_EQ(merged, all);
  EXPECT_EQ(merged.count(), 20'040U);
  EXPECT_EQ(merged.overflow_count(), all.overflow_count());
  EXPECT_GT(merged.overflow_count(), 0U);
  EXPECT_EQ(merged.value_at_percentile(99.0), all.value_at_percentile(99.0));
}

TEST(LatencyHistogram, RecordWithCountEqualsRepeatedRecords) {
  h once;
  h repeated;
  once.record(5'000'000, 3);
  once.record(7, 0);
  once.record(7, -2);
  for (int i = 0; i < 3; ++i) repeated.record(5'000'000);
  EXPECT_EQ(once, repeated);
  EXPECT_EQ(once.sum(), 15'000'000);
}

TEST(LatencyHistogram, JsonRoundTripsAndKeepsOnlyNonZeroBuckets) {
  const h hist = filled(7, 2'000);
  const std::string json = hist.to_json();
  EXPECT_EQ(h::from_json(json), hist);
  const auto parsed = nlohmann::json::parse(json);
  EXPECT_EQ(parsed.at("unit"), "ns");
  EXPECT_LE(parsed.at("buckets").size(), 2'000U);
  EXPECT_EQ(parsed.at("overflow").get<std::uint64_t>(), hist.overflow_count());
  EXPECT_EQ(h::from_json(h{}.to_json()), h{});
}

TEST(LatencyHistogram, MalformedJsonIsRejected) {
  EXPECT_THROW((void)h::from_json("not json"), std::invalid_argument);
  EXPECT_THROW((void)h::from_json(R"({"unit":"us","count":0,"min":0,"max":0,"sum":0,"overflow":0,"buckets":[]})"),
               std::invalid_argument);
  EXPECT_THROW((void)h::from_json(R"({"unit":"ns","count":5,"min":0,"max":0,"sum":0,"overflow":0,"buckets":[]})"),
               std::invalid_argument);
}

TEST(LatencyHistogram, ValuesAboveRangeAreCountedAsOverflow) {
  h hist;
  hist.record(h::kHighestTrackable);  // the top of the range is still in range
  hist.record(h::kHighestTrackable + 1);
  hist.record(3'600'000'000'000);  // an hour
  EXPECT_EQ(hist.count(), 3U);
  EXPECT_EQ(hist.overflow_count(), 2U);
  EXPECT_EQ(hist.max(), 3'600'000'000'000);
  EXPECT_EQ(hist.value_at_percentile(100.0), 3'600'000'000'000);
  EXPECT_EQ(hist.value_at_percentile(10.0), h::highest_equivalent_value(h::kHighestTrackable));
  EXPECT_EQ(hist.percentile_spectrum().back().value, 3'600'000'000'000);
}

TEST(LatencyHistogram, ValuesBelowRangeLandInTheLowestBucket) {
  h hist;
  hist.record(10);
  hist.record(-5);
  EXPECT_EQ(hist.value_at_percentile(100.0), h::kLowestTrackable);
  EXPECT_EQ(hist.min(), -5);  // exact, whatever the bucketing
  EXPECT_EQ(hist.overflow_count(), 0U);
}

TEST(LatencyHistogram, CountAtOrBelowCountsWholeBucketsEndingAtTheBound) {
  h hist;
  EXPECT_EQ(hist.count_at_or_below(h::kHighestTrackable), 0U);
  hist.record(-5);                           // the 1 us bucket, which ends at 1000 ns
  hist.record(100'000'000);                  // 100 ms
  hist.record(h::kHighestTrackable + 1, 4);  // overflow
  EXPECT_EQ(hist.count_at_or_below(999), 0U);
  EXPECT_EQ(hist.count_at_or_below(1'000), 1U);
  // 100 ms shares a bucket with values up to its highest equivalent: the bucket counts from there.
  const std::int64_t top = h::highest_equivalent_value(100'000'000);
  ASSERT_GT(top, 100'000'000);
  EXPECT_EQ(hist.count_at_or_below(100'000'000), 1U);
  EXPECT_EQ(hist.count_at_or_below(top - 1), 1U);
  EXPECT_EQ(hist.count_at_or_below(top), 2U);
  EXPECT_EQ(hist.count_at_or_below(std::numeric_limits<std::int64_t>::max()), 2U);  // never the overflow
  EXPECT_EQ(hist.count(), 6U);
}

TEST(LatencyHistogram, CountAtOrBelowIsExactToPointOnePercentOfTheBound) {
  std::mt19937_64 rng(11);
  std::lognormal_distribution<double> latency(std::log(2e6), 2.0);
  std::vector<std::int64_t> values;
  h hist;
  for (int i = 0; i < 50'000; ++i) {
    const auto v = std::clamp(static_cast<std::int64_t>(latency(rng)), h::kLowestTrackable, 2 * h::kHighestTrackable);
    values.push_back(v);
    hist.record(v);
  }
  std::sort(values.begin(), values.end());
  auto exact_at_or_below = [&](double bound) {
    return static_cast<std::uint64_t>(
        std::upper_bound(values.begin(), values.end(), bound,
                         [](double b, std::int64_t v) { return b < static_cast<double>(v); }) -
        values.begin());
  };
  std::uint64_t previous = 0;
  for (std::int64_t bound = 1'000; bound <= h::kHighestTrackable; bound = bound * 3 / 2 + 7) {
    const std::uint64_t got = hist.count_at_or_below(bound);
    ASSERT_LE(got, exact_at_or_below(static_cast<double>(bound))) << bound;
    ASSERT_GE(got, exact_at_or_below(static_cast<double>(bound) * 0.999)) << bound;
    ASSERT_GE(got, previous) << bound;
    previous = got;
  }
}

TEST(LatencyHistogram, EmptyHistogramReportsZeros) {
  const h hist;
  EXPECT_EQ(hist.count(), 0U);
  EXPECT_EQ(hist.value_at_percentile(50.0), 0);
  EXPECT_EQ(hist.value_at_percentile(100.0), 0);
  EXPECT_EQ(hist.min(), 0);
  EXPECT_EQ(hist.max(), 0);
  EXPECT_EQ(hist.mean(), 0.0);
  EXPECT_TRUE(hist.percentile_spectrum().empty());
}

TEST(LatencyHistogram, SpectrumFollowsHdrHistogramTicks) {
  h hist;
  for (std::int64_t us = 1; us <= 10'000; ++us) hist.record(us * 1'000);
  const std::vector<percentile_row> rows = hist.percentile_spectrum(5);
  ASSERT_GT(rows.size(), 20U);
  // Five rows per halving of the distance to 100%: 0, 10, ..., 50, then 55, 60, ...
  const std::vector<double> first = {0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.55, 0.6};
  for (std::size_t i = 0; i < first.size(); ++i) EXPECT_NEAR(rows[i].percentile, first[i], 1e-9) << i;
  EXPECT_EQ(rows[0].value, 1'000);
  EXPECT_NEAR(static_cast<double>(rows[5].value), 5'000'000.0, 0.001 * 5'000'000.0);
  EXPECT_GE(rows[5].total_count, 5'000U);  // the whole 4096 ns bucket that reaches 50%
  EXPECT_LE(rows[5].total_count, 5'005U);
  EXPECT_NEAR(rows[5].inverse_tail, 2.0, 1e-9);
  for (std::size_t i = 1; i < rows.size(); ++i) {
    EXPECT_GE(rows[i].value, rows[i - 1].value);
    EXPECT_GE(rows[i].percentile, rows[i - 1].percentile);
    EXPECT_GE(rows[i].total_count, rows[i - 1].total_count);
  }
  EXPECT_EQ(rows.back().percentile, 1.0);
  EXPECT_EQ(rows.back().total_count, 10'000U);
  EXPECT_EQ(rows.back().inverse_tail, std::numeric_limits<double>::infinity());
  EXPECT_EQ(rows.back().value, hist.value_at_percentile(100.0));
}

}  // namespace
}  // namespace tracebench::harness
