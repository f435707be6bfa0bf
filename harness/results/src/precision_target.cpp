#include "tracebench/results/precision_target.hpp"

#include <algorithm>
#include <cstdio>
#include <stdexcept>

#include "tracebench/common/flag_values.hpp"
#include "tracebench/results/experiment_summary.hpp"

namespace tracebench::harness {
namespace {

constexpr std::string_view kPlusMinus = "\u00b1";

std::string quoted(std::string_view text) {
  std::string out(1, '"');
  out += text;
  out += '"';
  return out;
}

// The short names the issue and users reach for first, beside compare's dotted ones.
std::optional<comparison_metric> metric_named(std::string_view name) {
  for (const comparison_metric m : kComparisonMetrics) {
    const std::string_view full = metric_name(m);
    if (name == full || (full.starts_with("latency.") && name == full.substr(8))) return m;
  }
  return std::nullopt;
}

double half_width(const summary& s) { return (s.high - s.low) / 2.0; }

}  // namespace

precision_target parse_precision_target(std::string_view text) {
  const std::size_t equals = text.find('=');
  if (equals == std::string_view::npos) {
    throw std::invalid_argument("expected METRIC=\u00b1N%, such as cpu=\u00b11%, not " + quoted(text));
  }
  const std::string_view name = trim_blanks(text.substr(0, equals));
  const std::optional<comparison_metric> metric = metric_named(name);
  if (!metric) {
    throw std::invalid_argument("unknown metric " + quoted(name) + " in " + quoted(text) +
                                " (expected throughput, cpu, latency.mean, latency.p50 or latency.p99; mean, p50, p99 "
                                "for short)");
  }
  std::string_view width = trim_blanks(text.substr(equals + 1));
  if (width.starts_with(kPlusMinus)) {
    width.remove_prefix(kPlusMinus.size());
  } else if (width.starts_with("+-")) {
    width.remove_prefix(2);
  }
  if (!width.ends_with('%')) throw std::invalid_argument(quoted(text) + ": the width needs a %, as in \u00b11%");
  width.remove_suffix(1);
  double value = 0.0;
  // parse_finite takes "+1" and "-1" too: the sign was the prefix above, or there is none.
  const bool plain = !width.empty() && width.front() != '+' && width.front() != '-';
  if (!plain || !parse_finite(width, value) || !(value > 0.0)) {
    throw std::invalid_argument(quoted(text) + ": " + quoted(width) + " is not a number above 0");
  }
  return {*metric, value};
}

std::vector<precision_target> parse_precision_targets(std::span<const std::string> texts) {
  std::vector<precision_target> targets;
  for (const std::string& text : texts) {
    const precision_target t = parse_precision_target(text);
    for (const precision_target& seen : targets) {
      if (seen.metric == t.metric) {
        throw std::invalid_argument(std::string(metric_name(t.metric)) + " has two targets (\"" + describe(seen) +
                                    "\" and " + quoted(text) + ")");
      }
    }
    targets.push_back(t);
  }
  return targets;
}

std::string describe(const precision_target& target) {
  char width[32];
  std::snprintf(width, sizeof width, "%g%%", target.half_width_percent);
  std::string out(metric_name(target.metric));
  out += ' ';
  out += kPlusMinus;
  out += width;
  return out;
}

std::string half_width_text(double half_width_percent) {
  char buffer[48];
  const int decimals = half_width_percent >= 10.0 ? 0 : half_width_percent >= 1.0 ? 1 : 2;
  std::snprintf(buffer, sizeof buffer, "%.*f%%", decimals, half_width_percent);
  std::string out(kPlusMinus);
  out += buffer;
  return out;
}

bool precision_status::all_reached() const noexcept {
  return std::all_of(targets.begin(), targets.end(), [](const target_progress& t) { return t.reached; });
}

precision_status check_precision(const experiment_summary& summary, std::span<const precision_target> targets) {
  precision_status status;
  for (const precision_target& target : targets) {
    target_progress progress;
    progress.target = target;
    bool every_interval = true;
    bool every_mean = true;
    double worst = 0.0;
    double worst_mean = 0.0;
    for (const configuration_summary& row : summary.rows) {
      if (row.baseline) continue;
      ++progress.configurations;
      const metric_delta& delta = delta_of(row, target.metric);
      if (delta.geometric_mean) {
        worst_mean = std::max(worst_mean, (delta.geometric_mean->high - delta.geometric_mean->low) / 2.0);
      } else {
        every_mean = false;
      }
      if (!delta.stats) {
        if (every_interval) progress.worst_configuration = row.configuration;
        every_interval = false;
        continue;
      }
      const double width = half_width(*delta.stats);
      if (width <= target.half_width_percent) ++progress.within;
      if (every_interval && (progress.worst_configuration.empty() || width > worst)) {
        worst = width;
        progress.worst_configuration = row.configuration;
      }
    }
    if (every_interval) progress.worst_half_width = worst;
    if (every_mean && progress.configurations > 0) progress.worst_mean_half_width = worst_mean;
    progress.reached = every_interval && worst <= target.half_width_percent;
    status.targets.push_back(std::move(progress));
  }
  return status;
}

}  // namespace tracebench::harness
