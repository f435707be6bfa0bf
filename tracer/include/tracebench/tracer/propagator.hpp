#pragma once
// Injects and extracts what crosses a hop: the span context and the baggage.

#include <string_view>

#include "tracebench/tracer/baggage.hpp"
#include "tracebench/tracer/header_carrier.hpp"
#include "tracebench/tracer/span_context.hpp"

namespace tracebench::tracer {

// What a hop carries. An invalid `span` means "no usable parent: start a new trace".
struct propagation_context {
  span_context span;
  tracebench::tracer::baggage baggage;
};

class propagator {
 public:
  virtual ~propagator() = default;
  // Writes the fields this propagator owns. Never throws on bad input; an invalid span
  // context writes nothing for the trace fields.
  virtual void inject(const propagation_context& context, header_carrier& carrier) const = 0;
  // Reads the fields this propagator owns into `context`, leaving the rest as they are.
  // Malformed or duplicated headers never throw: the span context is left invalid.
  virtual void extract(const header_carrier& carrier, propagation_context& context) const noexcept = 0;
};

}  // namespace tracebench::tracer
