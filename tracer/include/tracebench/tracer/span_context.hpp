#pragma once
// The position in a trace that crosses process boundaries: ids, flags, tracestate.

#include <cstdint>

#include "tracebench/tracer/ids.hpp"
#include "tracebench/tracer/trace_state.hpp"

namespace tracebench::tracer {

inline constexpr std::uint8_t kSampledFlag = 0x01;
// Trace Context Level 2: the low 7 bytes of the trace id are random.
inline constexpr std::uint8_t kRandomTraceIdFlag = 0x02;

struct span_context {
  trace_id trace;
  span_id span;
  std::uint8_t flags = 0;
  bool remote = false;  // extracted from a carrier rather than created here
  trace_state state;

  [[nodiscard]] bool valid() const noexcept { return trace.valid() && span.valid(); }
  [[nodiscard]] bool sampled() const noexcept { return (flags & kSampledFlag) != 0; }
  [[nodiscard]] bool random_trace_id() const noexcept { return (flags & kRandomTraceIdFlag) != 0; }
};

}  // namespace tracebench::tracer
