#pragma once
// The latency histograms of a run as OpenMetrics 1.0 text, one series per tracing configuration,
// with the trace ids of kept traces as exemplars so that a dashboard can jump from a slow bucket
// to a stored trace.

#include "tracebench/load/latency_histogram.hpp"
#include "tracebench/results/latency_exemplar.hpp"

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace tracebench::harness {

struct openmetrics_series {
  std::string configuration;  // label value, e.g. "1/16", "tail"; non-empty, unique in a family
  const latency_histogram* histogram = nullptr;
  std::vector<latency_exemplar> exemplars;  // any number, any order
};

// One histogram family `name` (its unit, seconds, must be its suffix: "..._seconds") with a
// series per configuration: cumulative _bucket lines at bounds_ns and +Inf, _count, _sum, then
// "# EOF". A bucket counts the values whose HDR bucket ends at or below its bound
// (latency_histogram::count_at_or_below); overflowed values are only in +Inf.
// Each exemplar goes on the bucket whose range (previous bound, bound] holds its value, at most
// one per bucket: the largest value (then the latest timestamp, then the smallest trace id).
// Throws std::invalid_argument, one line naming the problem, for a trace id that is not 32
// lowercase hex (or is all zero), a non-finite timestamp, empty, unsorted, repeated or
// non-positive bounds, a configuration that is empty, repeated or not valid UTF-8, a missing
// histogram, or a name that is not a metric name ending in "_seconds".
[[nodiscard]] std::string render_openmetrics(std::string_view name, std::span<const openmetrics_series> series,
                                             std::span<const std::int64_t> bounds_ns);

// OpenMetrics' canonical number: Go's %g of the shortest round-trip digits, ".0" appended when
// neither "." nor "e" is present (0.00025, 1.0, 100000.0, 1e+06, 1e-05). Exposed for tests.
[[nodiscard]] std::string openmetrics_canonical_number(double value);

}  // namespace tracebench::harness
