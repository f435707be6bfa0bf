#pragma once
// Summaries of per-round deltas and comparisons of two sets of rounds. Distribution-free on
// purpose: a handful of rounds on a noisy machine is neither normal nor large.

#include <cstdint>
#include <optional>
#include <span>

namespace tracebench::harness {

// All functions throw std::invalid_argument on an empty sample; NaNs are the caller's problem.

// The middle value; the mean of the two middle values when the size is even.
[[nodiscard]] double median(std::span<const double> values);

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
  double u = 0.0;  // U of a: pairs with a > b, ties counting one half
  double p_value = 1.0;  // two-sided, normal approximation with tie and continuity corrections
  std::optional<double> exact_p_value;  // two-sided; only when both sizes <= 10 and nothing ties
  double effect_size = 0.5;  // common language: P(a > b) + P(a = b) / 2 = u / (n1 n2)
};

[[nodiscard]] mann_whitney_result mann_whitney_u(std::span<const double> a, std::span<const double> b);

}  // namespace tracebench::harness
