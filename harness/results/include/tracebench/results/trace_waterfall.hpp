#pragma once
// A recorded trace laid out for a waterfall: rows in tree order, and the spans on its critical
// path, the chain of work the trace's duration waited on.

#include <cstddef>
#include <vector>

#include "tracebench/results/recorded_trace.hpp"

namespace tracebench::harness {

// Per span of trace.spans, in that order: whether it lies on the critical path. Jaeger's
// backward walk from the root's end: the child that finished last before the cursor, recursively,
// then the cursor moves to that child's start. Children are clamped into their parent (clock
// skew); spans outside the root's tree (orphans) are never on it. Empty trace: empty result.
[[nodiscard]] std::vector<bool> on_critical_path(const recorded_trace& trace);

struct waterfall_row {
  std::size_t span = 0;   // index into trace.spans
  std::size_t depth = 0;  // 0 for the root and for spans whose parent is not in the trace
};

// Every span once: depth-first from the root with siblings by start time, then the subtrees of
// orphans (parent missing) in trace order.
[[nodiscard]] std::vector<waterfall_row> waterfall_order(const recorded_trace& trace);

}  // namespace tracebench::harness
