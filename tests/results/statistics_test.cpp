// statistics on synthetic rounds: exact median intervals against the binomial formula, planted
// shifts and null deltas, bootstrap determinism, and Mann-Whitney on hand-computed examples.

#include "tracebench/results/statistics.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <numeric>
#include <optional>
#include <stdexcept>
#include <vector>

namespace tracebench::harness {
namespace {

std::vector<double> one_to(int n) {
  std::vector<double> v(static_cast<std::size_t>(n));
  std::iota(v.begin(), v.end(), 1.0);
  return v;
}

// Coverage of [x(j), x(n+1-j)], computed independently in integers: 1 - 2 * sum_{i<j} C(n,i) / 2^n.
double coverage(int n, int j) {
  std::uint64_t tail = 0;
  std::uint64_t c = 1;  // C(n, i)
  for (int i = 0; i < j; ++i) {
    tail += c;
    c = c * static_cast<std::uint64_t>(n - i) / static_cast<std::uint64_t>(i + 1);
  }
  return 1.0 - 2.0 * static_cast<double>(tail) / std::ldexp(1.0, n);
}

TEST(Statistics, MedianOfOddAndEvenSamples) {
  EXPECT_EQ(median(std::vector<double>{3.0, 1.0, 2.0}), 2.0);
  EXPECT_EQ(median(std::vector<double>{4.0, 1.0, 3.0, 2.0}), 2.5);
  EXPECT_EQ(median(std::vector<double>{7.0}), 7.0);
  EXPECT_THROW((void)median(std::vector<double>{}), std::invalid_argument);
}

TEST(Statistics, FiveRoundsCannotReachNinetyFivePercent) {
  const confidence_interval ci = median_ci(std::vector<double>{5.0, 3.0, 1.0, 4.0, 2.0});
  EXPECT_EQ(ci.low, 1.0);
  EXPECT_EQ(ci.high, 5.0);
  EXPECT_FALSE(ci.exact_level_reached);
  EXPECT_DOUBLE_EQ(ci.achieved_level, 1.0 - 2.0 / 32.0);  // 0.9375
}

TEST(Statistics, SixRoundsReachItWithMinAndMax) {
  const confidence_interval ci = median_ci(one_to(6));
  EXPECT_EQ(ci.low, 1.0);
  EXPECT_EQ(ci.high, 6.0);
  EXPECT_TRUE(ci.exact_level_reached);
  EXPECT_DOUBLE_EQ(ci.achieved_level, 1.0 - 2.0 / 64.0);
}

TEST(Statistics, NineRoundsUseSecondAndEighthOrderStatistics) {
  const confidence_interval ci = median_ci(std::vector<double>{9, 2, 7, 4, 5, 6, 3, 8, 1});
  EXPECT_EQ(ci.low, 2.0);
  EXPECT_EQ(ci.high, 8.0);
  EXPECT_TRUE(ci.exact_level_reached);
  EXPECT_DOUBLE_EQ(ci.achieved_level, 1.0 - 2.0 * 10.0 / 512.0);  // 0.9609
}

TEST(Statistics, TwentyRoundsUseSixthAndFifteenth) {
  const confidence_interval ci = median_ci(one_to(20));
  EXPECT_EQ(ci.low, 6.0);
  EXPECT_EQ(ci.high, 15.0);
  EXPECT_NEAR(ci.achieved_level, 1.0 - 2.0 * 21'700.0 / 1'048'576.0, 1e-12);  // 0.9586
}

TEST(Statistics, OrderStatisticsMatchTheBinomialFormula) {
  for (int n = 6; n <= 60; ++n) {
    int j = 1;  // the innermost pair still covering 95%
    while (j + 1 <= n + 1 - (j + 1) && coverage(n, j + 1) >= 0.95) ++j;
    const confidence_interval ci = median_ci(one_to(n));
    EXPECT_EQ(ci.low, j) << n;
    EXPECT_EQ(ci.high, n + 1 - j) << n;
    EXPECT_NEAR(ci.achieved_level, coverage(n, j), 1e-9) << n;
    EXPECT_GE(ci.achieved_level, 0.95) << n;
  }
  // A lower level moves inwards: [x(3), x(7)] covers 1 - 2 * 46/512 = 0.820 for n = 9.
  const confidence_interval eighty = median_ci(one_to(9), 0.80);
  EXPECT_EQ(eighty.low, 3.0);
  EXPECT_EQ(eighty.high, 7.0);
  EXPECT_NEAR(eighty.achieved_level, 1.0 - 2.0 * 46.0 / 512.0, 1e-12);
}

// Deltas of nine rounds: +10% with +-1% noise.
const std::vector<double> kPlantedShift = {0.101, 0.095, 0.108, 0.099, 0.104, 0.092, 0.110, 0.097, 0.103};
// Symmetric noise around no change.
const std::vector<double> kNoChange = {-0.012, 0.008, 0.003, -0.004, 0.011, -0.007, 0.000, 0.006, -0.009};

TEST(Statistics, PlantedShiftIsOutsideTheNoise) {
  const summary s = summarize(kPlantedShift);
  EXPECT_DOUBLE_EQ(s.median, 0.101);
  EXPECT_GT(s.low, 0.0);
  EXPECT_FALSE(s.within_noise);
  EXPECT_DOUBLE_EQ(s.low, 0.095);
  EXPECT_DOUBLE_EQ(s.high, 0.108);
  const confidence_interval boot = bootstrap_median_ci(kPlantedShift, 0.95, 5'000, 3);
  EXPECT_GT(boot.low, 0.0);
}

TEST(Statistics, ZeroDeltaIsWithinTheNoise) {
  const summary s = summarize(kNoChange);
  EXPECT_TRUE(s.within_noise);
  EXPECT_LT(s.low, 0.0);
  EXPECT_GT(s.high, 0.0);
  const confidence_interval boot = bootstrap_median_ci(kNoChange, 0.95, 5'000, 3);
  EXPECT_LE(boot.low, 0.0);
  EXPECT_GE(boot.high, 0.0);
}

TEST(Statistics, BootstrapIsDeterministicForASeed) {
  const confidence_interval a = bootstrap_median_ci(kPlantedShift, 0.95, 2'000, 99);
  const confidence_interval b = bootstrap_median_ci(kPlantedShift, 0.95, 2'000, 99);
  EXPECT_EQ(a.low, b.low);
  EXPECT_EQ(a.high, b.high);
  EXPECT_EQ(a.achieved_level, 0.95);
  EXPECT_LE(a.low, median(kPlantedShift));
  EXPECT_GE(a.high, median(kPlantedShift));
  EXPECT_GE(a.low, 0.092);
  EXPECT_LE(a.high, 0.110);
  EXPECT_THROW((void)bootstrap_median_ci(kPlantedShift, 0.95, 0, 1), std::invalid_argument);
}

TEST(Statistics, MannWhitneyClassicTinyExample) {
  const std::vector<double> a = {1, 2, 3};
  const std::vector<double> b = {4, 5, 6};
  const mann_whitney_result r = mann_whitney_u(a, b);
  EXPECT_EQ(r.u, 0.0);
  ASSERT_TRUE(r.exact_p_value.has_value());
  EXPECT_NEAR(*r.exact_p_value, 0.1, 1e-12);  // 2 of the C(6,3) = 20 orderings are as extreme
  EXPECT_EQ(r.effect_size, 0.0);
  const mann_whitney_result reversed = mann_whitney_u(b, a);
  EXPECT_EQ(reversed.u, 9.0);
  EXPECT_NEAR(*reversed.exact_p_value, 0.1, 1e-12);
  EXPECT_EQ(reversed.effect_size, 1.0);
  EXPECT_NEAR(r.p_value, reversed.p_value, 1e-12);
}

TEST(Statistics, MannWhitneyExactMiddleOfTheDistribution) {
  // U = 3 for 3 vs 3; null counts for u = 0..9 are 1 1 2 3 3 3 3 2 1 1, so P(U <= 3) = 7/20.
  const mann_whitney_result r = mann_whitney_u(std::vector<double>{1, 3, 5}, std::vector<double>{2, 4, 6});
  EXPECT_EQ(r.u, 3.0);
  EXPECT_NEAR(*r.exact_p_value, 0.7, 1e-12);
}

TEST(Statistics, MannWhitneyIdenticalSamplesAreNotSignificant) {
  const std::vector<double> a = {1, 2, 3, 4, 5};
  const mann_whitney_result r = mann_whitney_u(a, a);
  EXPECT_EQ(r.u, 12.5);
  EXPECT_DOUBLE_EQ(r.p_value, 1.0);
  EXPECT_FALSE(r.exact_p_value.has_value());  // everything ties
  EXPECT_EQ(r.effect_size, 0.5);
  const std::vector<double> constant = {2, 2, 2};
  EXPECT_DOUBLE_EQ(mann_whitney_u(constant, constant).p_value, 1.0);
}

TEST(Statistics, MannWhitneyTieCorrection) {
  // Midranks 1, 3, 3, 5.5, 9 for a: U = 6.5; tie term 24 + 6 + 6 shrinks the variance to 29.18.
  const mann_whitney_result r =
      mann_whitney_u(std::vector<double>{1, 2, 2, 3, 5}, std::vector<double>{2, 3, 4, 4, 6, 7});
  EXPECT_EQ(r.u, 6.5);
  EXPECT_NEAR(r.p_value, 0.138626, 1e-5);
  EXPECT_FALSE(r.exact_p_value.has_value());
}

TEST(Statistics, MannWhitneySeparatedNineByNine) {
  const std::vector<double> off = {100, 101, 99, 102, 98, 100.5, 101.5, 99.5, 100.2};
  const std::vector<double> on = {110, 111, 109, 112, 108, 110.5, 111.5, 109.5, 110.2};
  const mann_whitney_result r = mann_whitney_u(on, off);
  EXPECT_EQ(r.u, 81.0);
  EXPECT_EQ(r.effect_size, 1.0);
  EXPECT_LT(r.p_value, 0.001);
  ASSERT_TRUE(r.exact_p_value.has_value());
  EXPECT_NEAR(*r.exact_p_value, 2.0 / 48'620.0, 1e-15);  // 2 / C(18, 9)
}

TEST(Statistics, MannWhitneyRejectsEmptySamples) {
  EXPECT_THROW((void)mann_whitney_u(std::vector<double>{}, std::vector<double>{1.0}), std::invalid_argument);
}

TEST(Statistics, SmallestMannWhitneyPValue) {
  EXPECT_NEAR(mann_whitney_smallest_p_value(3, 3), 0.1, 1e-12);  // 2 / C(6, 3)
  EXPECT_NEAR(mann_whitney_smallest_p_value(9, 9), 2.0 / 48'620.0, 1e-15);
  EXPECT_NEAR(mann_whitney_smallest_p_value(2, 5), 2.0 / 21.0, 1e-12);
  EXPECT_EQ(mann_whitney_smallest_p_value(1, 1), 1.0);
  EXPECT_EQ(mann_whitney_smallest_p_value(0, 5), 1.0);
  // It is what a perfectly separated sample gets.
  EXPECT_NEAR(*mann_whitney_u(std::vector<double>{4, 5, 6}, std::vector<double>{1, 2, 3}).exact_p_value,
              mann_whitney_smallest_p_value(3, 3), 1e-12);
}

TEST(Statistics, HodgesLehmannThreeByThreeFallsShortOfNinetyFive) {
  // Differences a - b: -5 -4 -4 -3 -3 -3 -2 -2 -1.
  const shift_estimate s = hodges_lehmann_shift(std::vector<double>{1, 2, 3}, std::vector<double>{4, 5, 6});
  EXPECT_EQ(s.estimate, -3.0);
  EXPECT_EQ(s.interval.low, -5.0);
  EXPECT_EQ(s.interval.high, -1.0);
  EXPECT_NEAR(s.interval.achieved_level, 0.9, 1e-12);  // 1 - 2 / C(6, 3)
  EXPECT_FALSE(s.interval.exact_level_reached);
}

TEST(Statistics, HodgesLehmannExactTenByTen) {
  // a = b + 100: differences 100 + (i - j), the value 100 + d occurring 10 - |d| times. The
  // tabled two-sided 5% critical U for 10 vs 10 is 23, so the interval is [D(24), D(77)]:
  // 1 + 2 + ... + 6 = 21 differences lie below 97, 7 at 97.
  const std::vector<double> b = one_to(10);
  std::vector<double> a = b;
  for (double& x : a) x += 100.0;
  const shift_estimate s = hodges_lehmann_shift(a, b);
  EXPECT_EQ(s.estimate, 100.0);
  EXPECT_EQ(s.interval.low, 97.0);
  EXPECT_EQ(s.interval.high, 103.0);
  EXPECT_TRUE(s.interval.exact_level_reached);
  EXPECT_GE(s.interval.achieved_level, 0.95);
  EXPECT_LT(s.interval.achieved_level, 0.96);
  // At 90% the tabled critical U is 27: [D(28), D(73)] is still [97, 103] (22..28 are 97); at
  // 80% (U 31: D(32)) it narrows to [98, 102].
  EXPECT_EQ(hodges_lehmann_shift(a, b, 0.80).interval.low, 98.0);
  EXPECT_EQ(hodges_lehmann_shift(a, b, 0.80).interval.high, 102.0);
}

TEST(Statistics, HodgesLehmannNormalApproximationElevenByEleven) {
  // Beyond the exact sizes. The tabled 5% critical U for 11 vs 11 is 30, which the normal
  // approximation also gives: [D(31), D(91)], with 1 + 2 + ... + 7 = 28 differences below 97.
  const std::vector<double> b = one_to(11);
  std::vector<double> a = b;
  for (double& x : a) x += 100.0;
  const shift_estimate s = hodges_lehmann_shift(a, b);
  EXPECT_EQ(s.estimate, 100.0);
  EXPECT_EQ(s.interval.low, 97.0);
  EXPECT_EQ(s.interval.high, 103.0);
  EXPECT_TRUE(s.interval.exact_level_reached);
  EXPECT_NEAR(s.interval.achieved_level, 0.95, 0.01);
  EXPECT_THROW((void)hodges_lehmann_shift(std::vector<double>{}, b), std::invalid_argument);
}

TEST(Statistics, HodgesLehmannIsTheMedianOfPairwiseDifferences) {
  // Differences 8 9 9 10 10 10 11 11 12 and, from the wild 1000, 998 999 1000: the median is
  // 10.5 where the difference of means is 257.25.
  const shift_estimate s = hodges_lehmann_shift(std::vector<double>{10, 11, 12, 1000}, std::vector<double>{0, 1, 2});
  EXPECT_EQ(s.estimate, 10.5);
}

TEST(Statistics, HolmAdjustsStepDown) {
  // Sorted 0.005 0.01 0.03 0.04 scaled by 4 3 2 1: 0.02 0.03 0.06 0.04 -> monotone 0.02 0.03 0.06 0.06.
  const std::vector<double> adjusted = holm_adjust(std::vector<double>{0.01, 0.04, 0.03, 0.005});
  ASSERT_EQ(adjusted.size(), 4U);
  EXPECT_NEAR(adjusted[0], 0.03, 1e-15);
  EXPECT_NEAR(adjusted[1], 0.06, 1e-15);
  EXPECT_NEAR(adjusted[2], 0.06, 1e-15);
  EXPECT_NEAR(adjusted[3], 0.02, 1e-15);
  EXPECT_EQ(holm_adjust(std::vector<double>{0.5, 0.6}), (std::vector<double>{1.0, 1.0}));  // capped
  EXPECT_EQ(holm_adjust(std::vector<double>{0.2}), (std::vector<double>{0.2}));
  EXPECT_TRUE(holm_adjust(std::vector<double>{}).empty());
}

TEST(Statistics, MinimumDetectableShift) {
  // Residuals from each sample's median: 0 1 1 2 2, twice, so the MAD is 1 and sigma 1.4826.
  const std::vector<double> a{0, 1, -1, 2, -2};
  const std::vector<double> b{10, 11, 9, 12, 8};  // a shift does not change the spread
  const double expected =
      1.4826 * (1.959963984540054 + 0.8416212335729143) * std::sqrt(2.0 / 5.0) * std::sqrt(std::acos(-1.0) / 3.0);
  EXPECT_NEAR(minimum_detectable_shift(a, b, 0.05), expected, 1e-9);
  EXPECT_NEAR(minimum_detectable_shift(a, b, 0.05), 2.6883, 1e-4);
  // Four times the rounds, half the shift; a stricter level, a larger one.
  std::vector<double> a4;
  std::vector<double> b4;
  for (int i = 0; i < 4; ++i) {
    a4.insert(a4.end(), a.begin(), a.end());
    b4.insert(b4.end(), b.begin(), b.end());
  }
  EXPECT_NEAR(minimum_detectable_shift(a4, b4, 0.05), expected / 2.0, 1e-9);
  EXPECT_GT(minimum_detectable_shift(a, b, 0.01), expected);
  EXPECT_EQ(minimum_detectable_shift(std::vector<double>{3, 3}, std::vector<double>{4, 4}, 0.05), 0.0);
}

TEST(Statistics, NormalQuantile) {
  EXPECT_NEAR(normal_quantile(0.975), 1.959963984540054, 1e-12);
  EXPECT_NEAR(normal_quantile(0.8), 0.8416212335729143, 1e-12);
  EXPECT_NEAR(normal_quantile(0.025), -1.959963984540054, 1e-12);
  EXPECT_NEAR(normal_quantile(1e-10), -6.361340902404056, 1e-9);
  EXPECT_NEAR(normal_quantile(0.5), 0.0, 1e-15);
  EXPECT_THROW((void)normal_quantile(0.0), std::invalid_argument);
  EXPECT_THROW((void)normal_quantile(1.0), std::invalid_argument);
}

TEST(Statistics, StudentTQuantileMatchesTheTables) {
  EXPECT_NEAR(student_t_quantile(0.975, 1), 12.706204736174707, 1e-9);
  EXPECT_NEAR(student_t_quantile(0.975, 2), 4.302652729749464, 1e-9);
  EXPECT_NEAR(student_t_quantile(0.975, 3), 3.182446305284263, 1e-9);
  EXPECT_NEAR(student_t_quantile(0.975, 9), 2.262157162798205, 1e-9);
  EXPECT_NEAR(student_t_quantile(0.975, 19), 2.093024054408263, 1e-9);
  EXPECT_NEAR(student_t_quantile(0.975, 100), 1.983971518523552, 1e-9);
  EXPECT_NEAR(student_t_quantile(0.95, 4), 2.131846786326649, 1e-9);
  EXPECT_NEAR(student_t_quantile(0.9, 7), 1.414923927650496, 1e-9);
  EXPECT_NEAR(student_t_quantile(0.025, 9), -2.262157162798205, 1e-9);
  EXPECT_NEAR(student_t_quantile(0.5, 5), 0.0, 1e-12);
  // Many degrees of freedom: the normal quantile.
  EXPECT_NEAR(student_t_quantile(0.975, 100'000), 1.959963984540054, 1e-4);
  EXPECT_THROW((void)student_t_quantile(1.0, 3), std::invalid_argument);
  EXPECT_THROW((void)student_t_quantile(0.9, 0), std::invalid_argument);
}

TEST(Statistics, GeometricMeanChangeIsTheTIntervalOfTheLogRatios) {
  // Log ratios 0.1, -0.1, 0.3, -0.3: mean 0, standard error sqrt(0.2 / 3) / 2.
  std::vector<double> changes;
  for (const double log_ratio : {0.1, -0.1, 0.3, -0.3}) changes.push_back(std::expm1(log_ratio) * 100);
  const std::optional<mean_interval> m = geometric_mean_change(changes);
  ASSERT_TRUE(m);
  const double half = 3.182446305284263 * std::sqrt(0.2 / 3.0) / 2.0;
  EXPECT_NEAR(m->estimate, 0.0, 1e-9);
  EXPECT_NEAR(m->low, std::expm1(-half) * 100, 1e-7);
  EXPECT_NEAR(m->high, std::expm1(half) * 100, 1e-7);
  EXPECT_DOUBLE_EQ(m->level, 0.95);

  const std::optional<mean_interval> constant = geometric_mean_change(std::vector<double>{10, 10, 10});
  ASSERT_TRUE(constant);
  EXPECT_NEAR(constant->estimate, 10.0, 1e-9);
  EXPECT_NEAR(constant->high - constant->low, 0.0, 1e-9);
  EXPECT_FALSE(geometric_mean_change(std::vector<double>{5}));
  EXPECT_FALSE(geometric_mean_change(std::vector<double>{5, -100}));  // a ratio of 0 has no log
}

}  // namespace
}  // namespace tracebench::harness
