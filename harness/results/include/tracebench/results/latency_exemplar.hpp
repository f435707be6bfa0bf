#pragma once
// A kept trace that stands for a latency: the OpenMetrics exemplar a pipeline run records per
// latency bucket, so that a dashboard can jump from a slow bucket to a stored trace.

#include <cstdint>
#include <string>
#include <vector>

namespace tracebench::harness {

struct latency_exemplar {
  std::string trace_id;               // 32 lowercase hex digits, of a trace that storage kept
  std::int64_t value_ns = 0;          // that request's latency
  double timestamp_unix_seconds = 0;  // when it finished; 0: none written
};

// Bucket upper bounds in ns, ascending: 1-2.5-5 per decade from 100 us to 100 s. A run keeps one
// exemplar per bucket; OpenMetrics renders the same buckets.
[[nodiscard]] std::vector<std::int64_t> default_latency_bounds();

}  // namespace tracebench::harness
