#pragma once
// The figures a load run reports for one latency histogram.

#include <cstdint>

#include "tracebench/load/latency_histogram.hpp"

namespace tracebench::harness {

struct latency_summary {  // nanoseconds; all 0 when nothing was recorded
  std::uint64_t count = 0;
  std::int64_t p50 = 0;
  std::int64_t p90 = 0;
  std::int64_t p99 = 0;
  std::int64_t p999 = 0;
  std::int64_t max = 0;
  double mean = 0.0;
};

[[nodiscard]] latency_summary summarize(const latency_histogram& histogram) noexcept;

}  // namespace tracebench::harness
