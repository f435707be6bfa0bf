#pragma once
// The five figures every configuration is judged on, by the names the command line gives them
// (compare --threshold, run --precision).

#include <array>
#include <cstdint>
#include <string_view>

namespace tracebench::harness {

enum class comparison_metric : std::uint8_t { throughput, cpu, latency_mean, latency_p50, latency_p99 };
inline constexpr std::array<comparison_metric, 5> kComparisonMetrics{
    comparison_metric::throughput, comparison_metric::cpu, comparison_metric::latency_mean,
    comparison_metric::latency_p50, comparison_metric::latency_p99};

// "throughput", "cpu", "latency.mean", "latency.p50", "latency.p99": the names thresholds use.
[[nodiscard]] std::string_view metric_name(comparison_metric metric) noexcept;
// Whether a rise is the good direction: throughput's; CPU and latency should fall.
[[nodiscard]] bool higher_is_better(comparison_metric metric) noexcept;

}  // namespace tracebench::harness
