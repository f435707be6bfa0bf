#pragma once
// Summaries of per-round deltas and comparisons of two sets of rounds. Distribution-free on
// purpose: a handful of rounds on a noisy machine is neither normal nor large.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace tracebench::harness {

// All functions throw std::invalid_argument on an empty sample; NaNs are the caller's problem.

// The middle value; the mean of the two middle values when the size is even.
[[nodiscard]] double median(std::span<const double> values);
// The median, or 0 for an empty sample (a figure nothing measured); the one exception to the rule above.
[[nodiscard]] double median_or_zero(std::span<const double> values);

struct confidence_interval {
  double low = 0.0;
  double high = 0.0;
  double achieved_level = 0.0;  // exact coverage for order statistics; the nominal level for bootstrap
  bool exact_level_reached = true;
};

// [x(j), x(n+1-j)] for the largest j whose binomial(n, 1/2) coverage is still >= level. When even
// [min, max] falls short (n <= 5 at 95%), returns [min, max] with exact_level_reached = false.
[[nodiscard]] confidence_interval median_ci(std::span<const double> values, double level = 0.95);

// Percentile bootstrap of the median. Same seed, same values -> same interval (mt19937_64).
[[nodiscard]] confidence_interval bootstrap_median_ci(std::span<const double> values, double level = 0.95,
                                                      int iterations = 10'000, std::uint64_t seed = 1);

struct summary {
  double median = 0.0;
  double low = 0.0;
  double high = 0.0;
  double achieved_level = 0.0;
  bool within_noise = false;  // the interval contains 0
};

// Median with the exact order-statistic interval, for per-round deltas.
[[nodiscard]] summary summarize(std::span<const double> deltas, double level = 0.95);

struct mann_whitney_result {
  double u = 0.0;                       // U of a: pairs with a > b, ties counting one half
  double p_value = 1.0;                 // two-sided, normal approximation with tie and continuity corrections
  std::optional<double> exact_p_value;  // two-sided; only when both sizes <= 10 and nothing ties
  double effect_size = 0.5;             // common language: P(a > b) + P(a = b) / 2 = u / (n1 n2)
};

[[nodiscard]] mann_whitney_result mann_whitney_u(std::span<const double> a, std::span<const double> b);

// The smallest two-sided p-value Mann-Whitney can give n1 against n2 values: 2 / C(n1 + n2, n1),
// at most 1 (and 1 when either is 0). Below it no difference, however large, is significant.
[[nodiscard]] double mann_whitney_smallest_p_value(std::size_t n1, std::size_t n2);

struct shift_estimate {
  double estimate = 0.0;  // median of the n1 x n2 differences a_i - b_j
  confidence_interval interval;
};

// Hodges-Lehmann shift of a over b with its distribution-free interval [D(k), D(n1 n2 + 1 - k)]
// over the sorted pairwise differences, k from Mann-Whitney's null distribution (exact when both
// sizes <= 10, normal approximation otherwise). When even [min, max] falls short of `level`
// (3 vs 3 at 95%), returns it with exact_level_reached = false.
[[nodiscard]] shift_estimate hodges_lehmann_shift(std::span<const double> a, std::span<const double> b,
                                                  double level = 0.95);

// Holm-Bonferroni step-down adjusted p-values, in the input's order, at most 1: rejecting where
// adjusted <= alpha keeps the chance of any false rejection among them at most alpha.
[[nodiscard]] std::vector<double> holm_adjust(std::span<const double> p_values);

// The shift of a against b that Mann-Whitney would find significant at two-sided level `alpha`
// with probability `power`: sigma (z(1 - alpha/2) + z(power)) sqrt(1/n1 + 1/n2) sqrt(pi/3), sigma
// 1.4826 x the median absolute residual of both samples from their own medians, pi/3 the cost of
// ranks against a t-test under normal noise. An estimate: the noise is taken as normal.
[[nodiscard]] double minimum_detectable_shift(std::span<const double> a, std::span<const double> b, double alpha,
                                              double power = 0.8);

// The standard normal quantile: z with P(Z <= z) = p, for p in (0, 1); throws otherwise.
[[nodiscard]] double normal_quantile(double p);

// Student's t quantile with `degrees` of freedom (>= 1): t with P(T <= t) = p, for p in (0, 1);
// throws otherwise. Exact (the closed-form CDF for whole degrees of freedom), O(degrees) per step.
[[nodiscard]] double student_t_quantile(double p, unsigned degrees);

struct mean_interval {
  double estimate = 0.0;  // in the caller's unit
  double low = 0.0;
  double high = 0.0;
  double level = 0.0;  // nominal: the t-interval's coverage holds only as far as its model does
};

// The geometric mean of per-round ratios (1 + change / 100) with the t-interval of their logs,
// both as percent changes. Parametric, unlike summarize(): the logs are taken as normal around a
// fixed mean, which holds better the more rounds there are, and one outlying round widens it more
// than it widens the median's. Empty for fewer than two changes or a change at or below -100%.
[[nodiscard]] std::optional<mean_interval> geometric_mean_change(std::span<const double> percent_changes,
                                                                 double level = 0.95);

}  // namespace tracebench::harness
