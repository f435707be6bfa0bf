#pragma once
// `tracebench run --precision`: how narrow a metric's interval must be before an experiment stops
// adding rounds, and how far a summary got. A target is reached when every configuration but off
// (the A/A row included) has a median's 95% interval whose half-width, (high - low) / 2 in
// percentage points of change, is at or below it.

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "tracebench/results/comparison_metric.hpp"

namespace tracebench::harness {

struct experiment_summary;

struct precision_target {
  comparison_metric metric = comparison_metric::cpu;
  double half_width_percent = 1.0;  // above 0
};

// "cpu=±1%", "cpu=1%" or "cpu=+-1%", the metric named as compare --threshold names it (throughput,
// cpu, latency.mean, latency.p50, latency.p99) or for short mean, p50, p99. Throws
// std::invalid_argument, one line quoting the text: no '=', an unknown metric, no '%', not a
// number above 0.
[[nodiscard]] precision_target parse_precision_target(std::string_view text);
// Each of `texts`, rejecting a metric named twice.
[[nodiscard]] std::vector<precision_target> parse_precision_targets(std::span<const std::string> texts);
// "cpu ±1%"
[[nodiscard]] std::string describe(const precision_target& target);
// "±0.82%": the half-width to two significant figures (a whole number from 10 up).
[[nodiscard]] std::string half_width_text(double half_width_percent);

// How far one target got.
struct target_progress {
  precision_target target;
  bool reached = false;
  // The widest half-width among the configurations judged; empty when one of them has no
  // interval (no valid pair of runs yet), which never counts as reached.
  std::optional<double> worst_half_width;
  std::string worst_configuration;  // the widest's, or the first without an interval
  std::size_t configurations = 0;   // judged: all but off
  std::size_t within = 0;           // of them, at or below the target
  // The widest half-width of the geometric mean's t-interval (metric_delta::geometric_mean) instead,
  // when every configuration judged has one: what the mean would have reached. Never decides.
  std::optional<double> worst_mean_half_width;
};

struct precision_status {
  std::vector<target_progress> targets;             // in the order given
  [[nodiscard]] bool all_reached() const noexcept;  // true without targets
};

// Pure: the summary's intervals against the targets.
[[nodiscard]] precision_status check_precision(const experiment_summary& summary,
                                               std::span<const precision_target> targets);

}  // namespace tracebench::harness
