#pragma once
// W3C Baggage propagation through the `baggage` header.

#include <string_view>

#include "tracebench/tracer/propagator.hpp"

namespace tracebench::tracer {

inline constexpr std::string_view kBaggageHeader = "baggage";

class w3c_baggage_propagator final : public propagator {
 public:
  // Sets `baggage` when the context carries any; members over the limits are dropped.
  void inject(const propagation_context& context, header_carrier& carrier) const override;
  // Replaces context.baggage when the header is present (several values joined with ',').
  // Bad baggage never fails extraction: malformed members are only dropped and counted.
  void extract(const header_carrier& carrier, propagation_context& context) const noexcept override;
};

}  // namespace tracebench::tracer
