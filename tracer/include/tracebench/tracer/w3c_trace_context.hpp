#pragma once
// W3C Trace Context (Level 2): the traceparent codec and the traceparent/tracestate
// propagator. The codec allocates nothing and never builds a std::string.

#include <cstddef>
#include <string_view>

#include "tracebench/tracer/propagator.hpp"
#include "tracebench/tracer/span_context.hpp"

namespace tracebench::tracer {

inline constexpr std::size_t kTraceparentLength = 55;
inline constexpr std::string_view kTraceparentHeader = "traceparent";
inline constexpr std::string_view kTracestateHeader = "tracestate";

// Writes exactly 55 characters (no terminator): version 00, lowercase ids, ctx.flags.
void format_traceparent(const span_context& ctx, char* out) noexcept;

// Parses a traceparent value. On success sets out.trace, out.span, out.flags and
// out.remote = true (out.state is left alone); on failure `out` is unchanged. Version 00
// must be exactly 55 characters and keeps every flag bit; a higher version may be longer
// if the 56th character is '-', and keeps only the sampled and random-trace-id bits.
[[nodiscard]] bool parse_traceparent(std::string_view value, span_context& out) noexcept;

class w3c_trace_context_propagator final : public propagator {
 public:
  // Sets traceparent, and tracestate when the state is non-empty. Invalid context: nothing.
  void inject(const propagation_context& context, header_carrier& carrier) const override;
  // A single valid traceparent replaces context.span (tracestate included: combined
  // headers, or empty when absent or invalid). An absent, malformed or repeated
  // traceparent leaves context.span as it was: invalid for a fresh context, and an
  // earlier propagator's result in a composite survives.
  void extract(const header_carrier& carrier, propagation_context& context) const noexcept override;
};

}  // namespace tracebench::tracer
