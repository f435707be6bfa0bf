#include "tracebench/load/latency_summary.hpp"

namespace tracebench::harness {

latency_summary summarize(const latency_histogram& histogram) noexcept {
  return latency_summary{.count = histogram.count(),
                         .p50 = histogram.value_at_percentile(50.0),
                         .p90 = histogram.value_at_percentile(90.0),
                         .p99 = histogram.value_at_percentile(99.0),
                         .p999 = histogram.value_at_percentile(99.9),
                         .max = histogram.max(),
                         .mean = histogram.mean()};
}

}  // namespace tracebench::harness
