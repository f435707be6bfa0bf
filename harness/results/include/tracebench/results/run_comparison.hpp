#pragma once
// Two results files side by side, for `tracebench compare`: per configuration and metric the
// change from BASE to NEW with its interval and significance, gated by thresholds, and warnings
// where the rounds are too few to see a change as small as a threshold.
//
// Each metric's sample is one value per round: by default the tracing overhead, the ratio
// config / off of the same round (1 + per_round_percent / 100), so a change of machine mostly
// cancels; with the absolute basis, the raw figure of every valid run, off included. The change
// is the Hodges-Lehmann shift of log(value) from BASE to NEW, reported as exp(shift) - 1, with
// its distribution-free interval and Mann-Whitney's two-sided p-value.

#include <array>
#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tracebench/results/comparison_metric.hpp"
#include "tracebench/results/results_file.hpp"

namespace tracebench::harness {

// METRIC=+N% fails on a rise beyond N%, METRIC=-N% on a fall beyond N%.
struct comparison_threshold {
  comparison_metric metric = comparison_metric::throughput;
  bool rise_is_bad = true;
  double limit_percent = 0.0;  // N, >= 0 (and < 100 for a fall)
};

// METRIC=+N% or METRIC=-N% taken apart, the metric name not looked up (so other comparisons,
// such as instruction counts', can name their own). Throws as parse_threshold, bar the metric.
struct threshold_parts {
  std::string metric;
  bool rise_is_bad = true;
  double limit_percent = 0.0;
};
[[nodiscard]] threshold_parts split_threshold(std::string_view text);

// Throws std::invalid_argument, what() one line naming the problem: an unknown metric, no '=',
// no sign, not a number, no '%'. The list form also rejects a metric given twice.
[[nodiscard]] comparison_threshold parse_threshold(std::string_view text);
[[nodiscard]] std::vector<comparison_threshold> parse_thresholds(std::span<const std::string> texts);
// "latency.p99=+5%", as it would be written.
[[nodiscard]] std::string describe(const comparison_threshold& threshold);

enum class comparison_basis { overhead, absolute };

struct comparison_options {
  comparison_basis basis = comparison_basis::overhead;
  std::vector<comparison_threshold> thresholds;  // none: report only, nothing is gated
  std::vector<std::string> configurations;       // empty: every one in both files
  double alpha = 0.05;                           // family-wise, per Holm family
};

enum class comparison_verdict {
  regression,    // gated: beyond the threshold in the bad direction, and significant
  improved,      // significant, in the good direction
  worse,         // not gated: significant, in the bad direction
  pass,          // gated: significant in the bad direction, but within the threshold
  within_noise,  // not significant
  no_data,       // no valid round on one side
};
[[nodiscard]] std::string_view verdict_name(comparison_verdict verdict) noexcept;

struct metric_comparison {
  comparison_metric metric = comparison_metric::throughput;
  std::size_t base_rounds = 0;  // values in each sample
  std::size_t new_rounds = 0;
  // Medians of the samples: overhead in percent, or the raw figure (per second, ns).
  double base_median = 0.0;
  double new_median = 0.0;
  double change_percent = 0.0;  // exp(Hodges-Lehmann shift of the logs) - 1
  double low_percent = 0.0;
  double high_percent = 0.0;
  double interval_level = 0.0;    // achieved coverage of [low, high]
  double p_value = 1.0;           // Mann-Whitney two-sided, exact where it can be
  double adjusted_p_value = 1.0;  // Holm over its family: the gated tests, or the others
  std::optional<comparison_threshold> threshold;
  comparison_verdict verdict = comparison_verdict::no_data;
  // Gated only: why a change as small as the threshold could go unseen; empty when it could not.
  std::string detectability;
};

struct configuration_comparison {
  std::string configuration;
  std::vector<metric_comparison> metrics;  // in kComparisonMetrics order
};

struct comparison {
  std::string base_origin;
  std::string new_origin;
  std::string base_scenario;
  std::string new_scenario;
  unsigned base_rounds = 0;  // as each file's plan had them
  unsigned new_rounds = 0;
  comparison_basis basis = comparison_basis::overhead;
  double alpha = 0.05;
  std::vector<comparison_threshold> thresholds;
  std::vector<configuration_comparison> configurations;
  std::vector<std::string> only_in_base;
  std::vector<std::string> only_in_new;
  std::vector<std::string> compared_across;  // "cores 2 -> 4": environment fields that differ
  std::vector<std::string> warnings;         // files (scenario, incomplete, debug) and detectability
  std::size_t gated_tests = 0;               // with data on both sides: the Holm family thresholds decide on
  std::size_t ungated_tests = 0;             // reported only, adjusted as a family of their own

  // Configuration and metric of every regression, in table order.
  [[nodiscard]] std::vector<std::pair<std::string, const metric_comparison*>> regressions() const;
  [[nodiscard]] bool passed() const { return regressions().empty(); }
};

// Throws std::invalid_argument ("--configs: ...") for a configuration neither file has, or off
// under the overhead basis, where it is what the others are measured against.
[[nodiscard]] comparison compare_results(const results_file& base, const results_file& fresh,
                                         const comparison_options& options);

// Detectability of one gated test, alpha_needed the level the test must reach (alpha / m, the
// first Holm step, at worst). Empty when a change of the threshold's size is likely seen. Else
// (a) 2 / C(n1 + n2, n1) > alpha_needed: no change can be significant; or (b) the change
// detectable at 80% power on the logs (minimum_detectable_shift) is beyond the threshold.
[[nodiscard]] std::string detectability_warning(std::string_view configuration, const comparison_threshold& threshold,
                                                std::span<const double> base_logs, std::span<const double> new_logs,
                                                double alpha_needed);

}  // namespace tracebench::harness
