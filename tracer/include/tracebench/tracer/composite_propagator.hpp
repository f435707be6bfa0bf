#pragma once
// Several propagators run as one, and the factory that builds them from a config string.

#include <cstddef>
#include <memory>
#include <string_view>
#include <vector>

#include "tracebench/tracer/propagator.hpp"

namespace tracebench::tracer {

class composite_propagator final : public propagator {
 public:
  // Null entries are ignored.
  explicit composite_propagator(std::vector<std::unique_ptr<propagator>> parts) noexcept;

  // Every part injects, in order.
  void inject(const propagation_context& context, header_carrier& carrier) const override;
  // Every part extracts, in order, into the same context: a later part that finds its
  // headers refines what an earlier one found.
  void extract(const header_carrier& carrier, propagation_context& context) const noexcept override;

  [[nodiscard]] std::size_t size() const noexcept { return parts_.size(); }

 private:
  std::vector<std::unique_ptr<propagator>> parts_;
};

// Builds from a comma list of `tracecontext`, `baggage`, `b3` (single header) and
// `b3multi`, with optional whitespace; "" or `default` means `tracecontext,baggage`.
// Throws std::invalid_argument (one line, naming the entry) on an unknown, empty or
// repeated entry.
[[nodiscard]] std::unique_ptr<propagator> make_propagator(std::string_view config);

}  // namespace tracebench::tracer
