#include "tracebench/results/statistics.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <numbers>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

namespace tracebench::harness {

namespace {

constexpr std::size_t kExactMannWhitneyMaxSize = 10;
// Coverage sums are inexact in the last bits; never let that decide between two intervals.
constexpr double kLevelTolerance = 1e-12;

void require_values(std::span<const double> values, const char* what) {
  if (values.empty()) throw std::invalid_argument(std::string(what) + ": no values");
}

std::vector<double> sorted_copy(std::span<const double> values) {
  std::vector<double> sorted(values.begin(), values.end());
  std::sort(sorted.begin(), sorted.end());
  return sorted;
}

double median_of_sorted(const std::vector<double>& sorted) {
  const std::size_t n = sorted.size();
  return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0;
}

// P(B <= k) for B ~ binomial(n, 1/2); in log space so that large n does not underflow.
double binomial_half_cdf(std::size_t n, std::size_t k) {
  const auto dn = static_cast<double>(n);
  const double log_norm = std::lgamma(dn + 1.0) - dn * std::numbers::ln2;
  double cdf = 0.0;
  for (std::size_t i = 0; i <= k && i <= n; ++i) {
    const auto di = static_cast<double>(i);
    cdf += std::exp(log_norm - std::lgamma(di + 1.0) - std::lgamma(dn - di + 1.0));
  }
  return std::min(cdf, 1.0);
}

// Coverage of [x(j), x(n+1-j)] (1-based) as an interval for the median.
double order_statistic_coverage(std::size_t n, std::size_t j) { return 1.0 - 2.0 * binomial_half_cdf(n, j - 1); }

// Counts of arrangements of n1 a's and n2 b's (no ties) by U of a, for u = 0..n1*n2.
std::vector<double> mann_whitney_null_counts(std::size_t n1, std::size_t n2) {
  const std::size_t max_u = n1 * n2;
  // f[i][j][u]: the largest of i + j values is either an a (beating all j b's) or a b.
  std::vector<std::vector<std::vector<double>>> f(
      n1 + 1, std::vector<std::vector<double>>(n2 + 1, std::vector<double>(max_u + 1, 0.0)));
  for (std::size_t i = 0; i <= n1; ++i) {
    for (std::size_t j = 0; j <= n2; ++j) {
      if (i == 0 || j == 0) {
        f[i][j][0] = 1.0;
        continue;
      }
      for (std::size_t u = 0; u <= i * j; ++u) {
        f[i][j][u] = f[i][j - 1][u] + (u >= j ? f[i - 1][j][u - j] : 0.0);
      }
    }
  }
  return f[n1][n2];
}

}  // namespace

double median(std::span<const double> values) {
  require_values(values, "median");
  return median_of_sorted(sorted_copy(values));
}

double median_or_zero(std::span<const double> values) { return values.empty() ? 0.0 : median(values); }

confidence_interval median_ci(std::span<const double> values, double level) {
  require_values(values, "median_ci");
  const std::vector<double> sorted = sorted_copy(values);
  const std::size_t n = sorted.size();
  std::size_t j = 1;
  double coverage = order_statistic_coverage(n, 1);
  if (coverage + kLevelTolerance < level) {
    return {sorted.front(), sorted.back(), coverage, false};
  }
  // Coverage only falls as j moves inwards.
  while (j + 1 <= n + 1 - (j + 1)) {
    const double inner = order_statistic_coverage(n, j + 1);
    if (inner + kLevelTolerance < level) break;
    ++j;
    coverage = inner;
  }
  return {sorted[j - 1], sorted[n - j], coverage, true};
}

confidence_interval bootstrap_median_ci(std::span<const double> values, double level, int iterations,
                                        std::uint64_t seed) {
  require_values(values, "bootstrap_median_ci");
  if (iterations < 1) throw std::invalid_argument("bootstrap_median_ci: iterations must be positive");
  const std::size_t n = values.size();
  std::mt19937_64 rng(seed);
  std::vector<double> resample(n);
  std::vector<double> medians;
  medians.reserve(static_cast<std::size_t>(iterations));
  for (int it = 0; it < iterations; ++it) {
    // Modulo rather than uniform_int_distribution: its algorithm differs between standard
    // libraries, and results files should not. The bias is ~n / 2^64.
    for (double& x : resample) x = values[rng() % n];
    medians.push_back(median_of_sorted((std::sort(resample.begin(), resample.end()), resample)));
  }
  std::sort(medians.begin(), medians.end());
  const auto tail = static_cast<std::size_t>(std::floor((1.0 - level) / 2.0 * static_cast<double>(iterations)));
  const std::size_t lo = std::min(tail, medians.size() - 1);
  return {medians[lo], medians[medians.size() - 1 - lo], level, true};
}

summary summarize(std::span<const double> deltas, double level) {
  const confidence_interval ci = median_ci(deltas, level);
  return {median(deltas), ci.low, ci.high, ci.achieved_level, ci.low <= 0.0 && 0.0 <= ci.high};
}

mann_whitney_result mann_whitney_u(std::span<const double> a, std::span<const double> b) {
  require_values(a, "mann_whitney_u");
  require_values(b, "mann_whitney_u");
  const std::size_t n1 = a.size();
  const std::size_t n2 = b.size();
  const std::size_t n = n1 + n2;

  struct tagged {
    double value;
    bool from_a;
  };
  std::vector<tagged> pooled;
  pooled.reserve(n);
  for (double x : a) pooled.push_back({x, true});
  for (double x : b) pooled.push_back({x, false});
  std::sort(pooled.begin(), pooled.end(), [](const tagged& l, const tagged& r) { return l.value < r.value; });

  // Midranks for ties; the tie term sum(t^3 - t) shrinks the variance.
  double rank_sum_a = 0.0;
  double tie_term = 0.0;
  for (std::size_t i = 0; i < n;) {
    std::size_t k = i;
    while (k < n && pooled[k].value == pooled[i].value) ++k;
    const double midrank = (static_cast<double>(i + 1) + static_cast<double>(k)) / 2.0;
    for (std::size_t m = i; m < k; ++m) {
      if (pooled[m].from_a) rank_sum_a += midrank;
    }
    const auto t = static_cast<double>(k - i);
    tie_term += t * t * t - t;
    i = k;
  }

  const auto d1 = static_cast<double>(n1);
  const auto d2 = static_cast<double>(n2);
  const auto dn = static_cast<double>(n);
  mann_whitney_result result;
  result.u = rank_sum_a - d1 * (d1 + 1.0) / 2.0;
  result.effect_size = result.u / (d1 * d2);

  const double mean_u = d1 * d2 / 2.0;
  const double variance = n > 1 ? d1 * d2 / 12.0 * ((dn + 1.0) - tie_term / (dn * (dn - 1.0))) : 0.0;
  if (variance > 0.0) {
    const double z = std::max(std::abs(result.u - mean_u) - 0.5, 0.0) / std::sqrt(variance);
    result.p_value = std::min(1.0, std::erfc(z / std::numbers::sqrt2));
  }

  if (n1 <= kExactMannWhitneyMaxSize && n2 <= kExactMannWhitneyMaxSize && tie_term == 0.0) {
    const std::vector<double> counts = mann_whitney_null_counts(n1, n2);
    const auto u = static_cast<std::size_t>(std::llround(result.u));
    double total = 0.0;
    double at_or_below = 0.0;
    double at_or_above = 0.0;
    for (std::size_t v = 0; v < counts.size(); ++v) {
      total += counts[v];
      if (v <= u) at_or_below += counts[v];
      if (v >= u) at_or_above += counts[v];
    }
    result.exact_p_value = std::min(1.0, 2.0 * std::min(at_or_below, at_or_above) / total);
  }
  return result;
}

double mann_whitney_smallest_p_value(std::size_t n1, std::size_t n2) {
  if (n1 == 0 || n2 == 0) return 1.0;
  const auto d1 = static_cast<double>(n1);
  const auto d2 = static_cast<double>(n2);
  const double log_arrangements = std::lgamma(d1 + d2 + 1.0) - std::lgamma(d1 + 1.0) - std::lgamma(d2 + 1.0);
  return std::min(1.0, 2.0 * std::exp(-log_arrangements));
}

shift_estimate hodges_lehmann_shift(std::span<const double> a, std::span<const double> b, double level) {
  require_values(a, "hodges_lehmann_shift");
  require_values(b, "hodges_lehmann_shift");
  const std::size_t n1 = a.size();
  const std::size_t n2 = b.size();
  std::vector<double> differences;
  differences.reserve(n1 * n2);
  for (const double x : a) {
    for (const double y : b) differences.push_back(x - y);
  }
  std::sort(differences.begin(), differences.end());
  const std::size_t pairs = differences.size();
  const double tail = (1.0 - level) / 2.0;

  // k: the largest with P(U <= k - 1) <= tail, so [D(k), D(pairs + 1 - k)] covers 1 - 2 P(U <= k - 1).
  std::size_t k = 0;
  double below = 0.0;  // P(U <= k - 1) for the k chosen
  if (n1 <= kExactMannWhitneyMaxSize && n2 <= kExactMannWhitneyMaxSize) {
    const std::vector<double> counts = mann_whitney_null_counts(n1, n2);
    double total = 0.0;
    for (const double c : counts) total += c;
    double cumulative = 0.0;  // P(U <= k - 1) for the next k
    while (k < (pairs + 1) / 2 && cumulative + counts[k] / total <= tail + kLevelTolerance) {
      cumulative += counts[k] / total;
      ++k;
      below = cumulative;
    }
    if (k == 0) below = counts[0] / total;
  } else {
    const auto d1 = static_cast<double>(n1);
    const auto d2 = static_cast<double>(n2);
    const double mean = d1 * d2 / 2.0;
    const double sd = std::sqrt(d1 * d2 * (d1 + d2 + 1.0) / 12.0);
    // P(U <= k - 1) ~ Phi((k - 1 + 1/2 - mean) / sd), with continuity correction.
    const auto phi = [&](double k_value) {
      return 0.5 * std::erfc(-((k_value - 0.5 - mean) / sd) / std::numbers::sqrt2);
    };
    const double largest = std::floor(mean + 0.5 + sd * normal_quantile(tail));
    k = largest >= 1.0 ? std::min(static_cast<std::size_t>(largest), (pairs + 1) / 2) : 0;
    below = phi(static_cast<double>(std::max<std::size_t>(k, 1)));
  }
  shift_estimate result;
  result.estimate = median_of_sorted(differences);
  const std::size_t j = std::max<std::size_t>(k, 1);
  result.interval = {differences[j - 1], differences[pairs - j], 1.0 - 2.0 * below, k >= 1};
  return result;
}

std::vector<double> holm_adjust(std::span<const double> p_values) {
  const std::size_t m = p_values.size();
  std::vector<std::size_t> order(m);
  for (std::size_t i = 0; i < m; ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](std::size_t l, std::size_t r) { return p_values[l] < p_values[r]; });
  std::vector<double> adjusted(m, 1.0);
  double running = 0.0;  // step-down: an adjusted p-value never falls below an earlier one
  for (std::size_t step = 0; step < m; ++step) {
    const double scaled = static_cast<double>(m - step) * p_values[order[step]];
    running = std::min(1.0, std::max(running, scaled));
    adjusted[order[step]] = running;
  }
  return adjusted;
}

double minimum_detectable_shift(std::span<const double> a, std::span<const double> b, double alpha, double power) {
  require_values(a, "minimum_detectable_shift");
  require_values(b, "minimum_detectable_shift");
  // The MAD, unlike a standard deviation, is not thrown by one bad round.
  constexpr double kMadToSigma = 1.4826;
  std::vector<double> residuals;
  for (const std::span<const double> sample : {a, b}) {
    const double middle = median(sample);
    for (const double x : sample) residuals.push_back(std::abs(x - middle));
  }
  const double sigma = kMadToSigma * median(residuals);
  const auto d1 = static_cast<double>(a.size());
  const auto d2 = static_cast<double>(b.size());
  return sigma * (normal_quantile(1.0 - alpha / 2.0) + normal_quantile(power)) * std::sqrt(1.0 / d1 + 1.0 / d2) *
         std::sqrt(std::numbers::pi / 3.0);
}

double normal_quantile(double p) {
  if (!(p > 0.0 && p < 1.0)) throw std::invalid_argument("normal_quantile: p must be in (0, 1)");
  // Upper half by symmetry, where 1 - p would lose the digits erfc keeps.
  if (p > 0.5) return -normal_quantile(1.0 - p);
  // Bisection on Phi(z) = erfc(-z / sqrt 2) / 2: slow by the standards of rational
  // approximations but exact to the last bits and never called in a loop that matters.
  double low = -40.0;
  double high = 0.0;
  for (int i = 0; i < 200 && high - low > 0.0; ++i) {
    const double mid = (low + high) / 2.0;
    if (mid <= low || mid >= high) break;
    (0.5 * std::erfc(-mid / std::numbers::sqrt2) < p ? low : high) = mid;
  }
  return (low + high) / 2.0;
}

namespace {

// P(|T| <= t) for t >= 0 with whole `degrees` of freedom (Abramowitz and Stegun 26.7.3-4): a
// finite series in cos(theta), theta = atan(t / sqrt(degrees)).
double student_t_central(double t, unsigned degrees) {
  const double theta = std::atan(t / std::sqrt(static_cast<double>(degrees)));
  const double c2 = std::cos(theta) * std::cos(theta);
  const double s = std::sin(theta);
  if (degrees % 2 == 0) {
    double term = 1.0;
    double sum = 1.0;
    for (unsigned k = 2; k + 2 <= degrees; k += 2) {
      term *= c2 * static_cast<double>(k - 1) / static_cast<double>(k);
      sum += term;
    }
    return std::min(1.0, s * sum);
  }
  if (degrees == 1) return 2.0 * theta / std::numbers::pi;
  double term = std::cos(theta);
  double sum = term;
  for (unsigned k = 3; k + 2 <= degrees; k += 2) {
    term *= c2 * static_cast<double>(k - 1) / static_cast<double>(k);
    sum += term;
  }
  return std::min(1.0, 2.0 / std::numbers::pi * (theta + s * sum));
}

}  // namespace

double student_t_quantile(double p, unsigned degrees) {
  if (!(p > 0.0 && p < 1.0)) throw std::invalid_argument("student_t_quantile: p must be in (0, 1)");
  if (degrees == 0) throw std::invalid_argument("student_t_quantile: degrees of freedom must be at least 1");
  if (p < 0.5) return -student_t_quantile(1.0 - p, degrees);
  const double central = 2.0 * p - 1.0;  // P(|T| <= t) at the quantile sought
  double low = 0.0;
  double high = 1.0;
  while (student_t_central(high, degrees) < central && high < 1e300) high *= 2.0;
  // Bisection, as normal_quantile: exact to the last bits and never in a loop that matters.
  for (int i = 0; i < 200 && high - low > 0.0; ++i) {
    const double mid = (low + high) / 2.0;
    if (mid <= low || mid >= high) break;
    (student_t_central(mid, degrees) < central ? low : high) = mid;
  }
  return (low + high) / 2.0;
}

std::optional<mean_interval> geometric_mean_change(std::span<const double> percent_changes, double level) {
  const std::size_t n = percent_changes.size();
  if (n < 2) return std::nullopt;
  std::vector<double> logs;
  logs.reserve(n);
  for (const double change : percent_changes) {
    const double ratio = 1.0 + change / 100.0;
    if (!(ratio > 0.0) || !std::isfinite(ratio)) return std::nullopt;
    logs.push_back(std::log(ratio));
  }
  const auto dn = static_cast<double>(n);
  double mean = 0.0;
  for (const double x : logs) mean += x;
  mean /= dn;
  double squares = 0.0;
  for (const double x : logs) squares += (x - mean) * (x - mean);
  const double standard_error = std::sqrt(squares / (dn - 1.0) / dn);
  const double half = student_t_quantile(1.0 - (1.0 - level) / 2.0, static_cast<unsigned>(n - 1)) * standard_error;
  const auto percent = [](double log_ratio) { return std::expm1(log_ratio) * 100.0; };
  return mean_interval{percent(mean), percent(mean - half), percent(mean + half), level};
}

}  // namespace tracebench::harness
