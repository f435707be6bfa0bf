#pragma once
// One sampled trace kept whole for a report's waterfall: its spans with times relative to the
// trace's first span. Recorded in a capture run of its own, so keeping it costs no measured run.

#include <cstdint>
#include <string>
#include <vector>

namespace tracebench::harness {

struct recorded_span {
  std::string span_id;         // 16 hex digits
  std::string parent_span_id;  // empty for the trace's root
  std::string service;         // the resource's service.name
  std::string name;
  std::string kind;           // "server", "client", "internal", ...
  std::int64_t start_ns = 0;  // from the trace's earliest start
  std::int64_t duration_ns = 0;
  bool error = false;
};

struct recorded_trace {
  std::string configuration;         // the tracing configuration it was captured under, e.g. "1/1"
  std::uint64_t requests = 0;        // requests sent in the capture run: it is the slowest of these
  double offered_rate = 0;           // of the capture run, per second
  std::string trace_id;              // 32 hex digits
  std::int64_t duration_ns = 0;      // the root span's
  std::vector<recorded_span> spans;  // in start order, the root first
};

}  // namespace tracebench::harness
