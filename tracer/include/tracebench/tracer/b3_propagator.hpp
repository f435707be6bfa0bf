#pragma once
// Zipkin B3 propagation: the single `b3` header or the X-B3-* header set.

#include <cstdint>
#include <string_view>

#include "tracebench/tracer/propagator.hpp"

namespace tracebench::tracer {

inline constexpr std::string_view kB3Header = "b3";
inline constexpr std::string_view kB3TraceIdHeader = "X-B3-TraceId";
inline constexpr std::string_view kB3SpanIdHeader = "X-B3-SpanId";
inline constexpr std::string_view kB3ParentSpanIdHeader = "X-B3-ParentSpanId";
inline constexpr std::string_view kB3SampledHeader = "X-B3-Sampled";
inline constexpr std::string_view kB3FlagsHeader = "X-B3-Flags";

class b3_propagator final : public propagator {
 public:
  // How inject writes; extract accepts both.
  enum class mode : std::uint8_t { single_header, multi_header };

  explicit b3_propagator(mode inject_mode = mode::single_header) noexcept : mode_(inject_mode) {}

  // single: `b3: {trace32}-{span16}-{1|0}`; multi: X-B3-TraceId (32 hex), X-B3-SpanId,
  // X-B3-Sampled. Invalid context: nothing.
  void inject(const propagation_context& context, header_carrier& carrier) const override;
  // Tries the `b3` header first, then the X-B3-* set. 64-bit trace ids are left-padded
  // to 128 bits; debug implies sampled; an absent decision reads as not sampled.
  // Ids must be lowercase hex, non-zero, and each header present once; anything else
  // (or sampling without ids) leaves context.span as it was. Tracestate is cleared.
  void extract(const header_carrier& carrier, propagation_context& context) const noexcept override;

  [[nodiscard]] mode inject_mode() const noexcept { return mode_; }

 private:
  mode mode_;
};

}  // namespace tracebench::tracer
