#include "tracebench/tracer/b3_propagator.hpp"

#include <optional>

namespace tracebench::tracer {
namespace {

// Result of reading a sampling field: absent (deferred), or a decision.
enum class sampling : std::uint8_t { deferred, deny, accept, debug };

// 16 or 32 lowercase hex; a 64-bit id goes in the low half, as Zipkin pads it.
std::optional<trace_id> parse_b3_trace_id(std::string_view hex) noexcept {
  trace_id id;
  if (hex.size() == 16) {
    if (!parse_hex_u64(hex, id.low)) return std::nullopt;
  } else if (hex.size() == 32) {
    if (!parse_hex_u64(hex.substr(0, 16), id.high) || !parse_hex_u64(hex.substr(16), id.low)) return std::nullopt;
  } else {
    return std::nullopt;
  }
  if (!id.valid()) return std::nullopt;
  return id;
}

// The header's value when it occurs exactly once, empty when absent; nullopt when repeated,
// since two copies of an id leave no way to know which one the caller meant.
std::optional<std::string_view> single_value(const header_carrier& carrier, std::string_view key) noexcept {
  std::string_view value;
  const std::size_t count = carrier.get_all(key, &value, 1);
  if (count > 1) return std::nullopt;
  return count == 1 ? value : std::string_view{};
}

std::uint8_t flags_for(sampling s) noexcept {
  return (s == sampling::accept || s == sampling::debug) ? kSampledFlag : std::uint8_t{0};
}

// b3: {trace}-{span}[-{sampling}[-{parent}]], or a lone sampling field ("0", "1", "d").
std::optional<span_context> parse_single(std::string_view value) noexcept {
  std::string_view fields[4];
  std::size_t n = 0;
  while (true) {
    if (n == 4) return std::nullopt;
    const std::size_t dash = value.find('-');
    fields[n++] = value.substr(0, dash);
    if (dash == std::string_view::npos) break;
    value.remove_prefix(dash + 1);
  }
  if (n < 2) return std::nullopt;  // sampling only, or garbage: no ids, no context
  span_context ctx;
  const auto trace = parse_b3_trace_id(fields[0]);
  const auto span = span_id::from_hex(fields[1]);
  if (!trace || !span) return std::nullopt;
  ctx.trace = *trace;
  ctx.span = *span;
  if (n >= 3) {
    if (fields[2] == "1" || fields[2] == "d") {
      ctx.flags = kSampledFlag;
    } else if (fields[2] != "0") {
      return std::nullopt;
    }
  }
  if (n == 4 && !span_id::from_hex(fields[3])) return std::nullopt;
  ctx.remote = true;
  return ctx;
}

std::optional<span_context> parse_multi(const header_carrier& carrier) noexcept {
  const auto trace_hex = single_value(carrier, kB3TraceIdHeader);
  const auto span_hex = single_value(carrier, kB3SpanIdHeader);
  const auto parent_hex = single_value(carrier, kB3ParentSpanIdHeader);
  const auto sampled = single_value(carrier, kB3SampledHeader);
  const auto flags = single_value(carrier, kB3FlagsHeader);
  if (!trace_hex || !span_hex || !parent_hex || !sampled || !flags) return std::nullopt;

  span_context ctx;
  const auto trace = parse_b3_trace_id(*trace_hex);
  const auto span = span_id::from_hex(*span_hex);
  if (!trace || !span) return std::nullopt;
  if (!parent_hex->empty() && !span_id::from_hex(*parent_hex)) return std::nullopt;
  ctx.trace = *trace;
  ctx.span = *span;

  sampling decision = sampling::deferred;
  if (*sampled == "1" || *sampled == "true") {
    decision = sampling::accept;
  } else if (*sampled == "0" || *sampled == "false") {
    decision = sampling::deny;
  } else if (!sampled->empty()) {
    return std::nullopt;
  }
  if (*flags == "1") {
    decision = sampling::debug;  // debug overrides any sampled value
  } else if (!flags->empty() && *flags != "0") {
    return std::nullopt;
  }
  ctx.flags = flags_for(decision);
  ctx.remote = true;
  return ctx;
}

}  // namespace

void b3_propagator::inject(const propagation_context& context, header_carrier& carrier) const {
  const span_context& ctx = context.span;
  if (!ctx.valid()) return;
  char trace[trace_id::kHexLength];
  char span[span_id::kHexLength];
  ctx.trace.to_hex(trace);
  ctx.span.to_hex(span);
  const char decision = ctx.sampled() ? '1' : '0';
  if (mode_ == mode::single_header) {
    constexpr std::size_t kLength = trace_id::kHexLength + 1 + span_id::kHexLength + 2;
    char buf[kLength];
    char* p = buf;
    for (char c : trace) *p++ = c;
    *p++ = '-';
    for (char c : span) *p++ = c;
    *p++ = '-';
    *p = decision;
    carrier.set(kB3Header, std::string_view(buf, kLength));
    return;
  }
  carrier.set(kB3TraceIdHeader, std::string_view(trace, sizeof trace));
  carrier.set(kB3SpanIdHeader, std::string_view(span, sizeof span));
  carrier.set(kB3SampledHeader, std::string_view(&decision, 1));
}

void b3_propagator::extract(const header_carrier& carrier, propagation_context& context) const noexcept {
  std::string_view single;
  const std::size_t count = carrier.get_all(kB3Header, &single, 1);
  std::optional<span_context> ctx;
  if (count == 1) ctx = parse_single(single);
  // A `b3` header that yields no context (bad, or sampling only) falls back to X-B3-*,
  // as Zipkin's and OpenTelemetry's B3 propagators do.
  if (!ctx) ctx = parse_multi(carrier);
  if (ctx) context.span = std::move(*ctx);
}

}  // namespace tracebench::tracer
