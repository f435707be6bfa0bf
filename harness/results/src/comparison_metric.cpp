#include "tracebench/results/comparison_metric.hpp"

namespace tracebench::harness {

std::string_view metric_name(comparison_metric metric) noexcept {
  switch (metric) {
    case comparison_metric::throughput:
      return "throughput";
    case comparison_metric::cpu:
      return "cpu";
    case comparison_metric::latency_mean:
      return "latency.mean";
    case comparison_metric::latency_p50:
      return "latency.p50";
    case comparison_metric::latency_p99:
      return "latency.p99";
  }
  return "?";
}

bool higher_is_better(comparison_metric metric) noexcept { return metric == comparison_metric::throughput; }

}  // namespace tracebench::harness
