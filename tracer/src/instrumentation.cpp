#include "tracebench/tracer/instrumentation.hpp"

namespace tracebench::tracer {

tracer_instrumentation::tracer_instrumentation(std::shared_ptr<tracer> impl,
                                               std::shared_ptr<const propagator> codec) noexcept
    : tracer_(std::move(impl)), propagator_(std::move(codec)) {}

span_token tracer_instrumentation::start_span(std::string_view name, span_kind kind, const span_context& parent,
                                              std::span<const span_context> links) noexcept {
  return span_token{tracer_->start_span(name, kind, parent, links)};
}

void tracer_instrumentation::set_attribute(span_token& s, std::string_view key, const attribute_value& value) noexcept {
  s.native.set_attribute(key, value);
}

void tracer_instrumentation::add_event(span_token& s, std::string_view name) noexcept { s.native.add_event(name); }

void tracer_instrumentation::set_status(span_token& s, status_code code, std::string_view message) noexcept {
  s.native.set_status(code, message);
}

void tracer_instrumentation::end(span_token& s) noexcept { s.native.end(); }

span_context tracer_instrumentation::context_of(const span_token& s) const noexcept { return s.native.context(); }

void tracer_instrumentation::inject(const span_token& s, const tracebench::tracer::baggage& bag,
                                    header_carrier& carrier) noexcept {
  try {
    propagator_->inject(propagation_context{s.native.context(), bag}, carrier);
  } catch (...) {
    // A carrier that cannot take a header (out of memory) loses the hop's context, not the request.
  }
}

propagation_context tracer_instrumentation::extract(const header_carrier& carrier) noexcept {
  propagation_context context;
  propagator_->extract(carrier, context);
  return context;
}

}  // namespace tracebench::tracer
