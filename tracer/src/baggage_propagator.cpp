#include "tracebench/tracer/baggage_propagator.hpp"

#include <new>
#include <string>
#include <vector>

namespace tracebench::tracer {

void w3c_baggage_propagator::inject(const propagation_context& context, header_carrier& carrier) const {
  if (context.baggage.empty()) return;
  const std::string header = context.baggage.to_header();
  if (!header.empty()) carrier.set(kBaggageHeader, header);
}

void w3c_baggage_propagator::extract(const header_carrier& carrier, propagation_context& context) const noexcept {
  std::string_view first;
  const std::size_t count = carrier.get_all(kBaggageHeader, &first, 1);
  if (count == 0) return;
  if (count == 1) {
    context.baggage = baggage::parse(first);
    return;
  }
  try {
    std::vector<std::string_view> values(count);
    carrier.get_all(kBaggageHeader, values.data(), count);
    std::string combined;
    for (std::size_t i = 0; i < count; ++i) {
      if (i > 0) combined += ',';
      combined += values[i];
    }
    context.baggage = baggage::parse(combined);
  } catch (const std::bad_alloc&) {
    context.baggage = baggage{};  // baggage is best effort; the request goes on without it
  }
}

}  // namespace tracebench::tracer
