#include "fuzz_targets.hpp"

#include <cstdio>
#include <memory>
#include <string>
#include <string_view>

#include "tracebench/tracer/b3_propagator.hpp"
#include "tracebench/tracer/baggage.hpp"
#include "tracebench/tracer/composite_propagator.hpp"
#include "tracebench/tracer/header_carrier.hpp"
#include "tracebench/tracer/trace_state.hpp"
#include "tracebench/tracer/w3c_trace_context.hpp"

// Says which invariant broke before trapping: a bare SIGILL in a corpus replay says nothing.
#define FUZZ_CHECK(cond)                                                                      \
  do {                                                                                        \
    if (!(cond)) {                                                                            \
      std::fprintf(stderr, "fuzz invariant failed: %s (%s:%d)\n", #cond, __FILE__, __LINE__); \
      __builtin_trap();                                                                       \
    }                                                                                         \
  } while (0)

namespace tracebench::fuzz {
namespace {

using namespace tracebench::tracer;

std::string_view as_text(const std::uint8_t* data, std::size_t size) noexcept {
  return {reinterpret_cast<const char*>(data), size};
}

bool same_ids(const span_context& a, const span_context& b) noexcept {
  return a.trace == b.trace && a.span == b.span && a.flags == b.flags;
}

// B3 carries only the sampled bit, so across propagators only that much survives.
bool same_position(const span_context& a, const span_context& b) noexcept {
  return a.trace == b.trace && a.span == b.span && a.sampled() == b.sampled();
}

// `sub` lists some of `all`'s members, in the same order.
template <typename Seq, typename Eq>
bool is_subsequence(const Seq& sub, const Seq& all, Eq eq) {
  auto it = all.begin();
  for (const auto& x : sub) {
    while (it != all.end() && !eq(*it, x)) ++it;
    if (it == all.end()) return false;
    ++it;
  }
  return true;
}

bool valid_utf8(std::string_view s) noexcept {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t n = 0;
    unsigned char lo = 0x80;
    unsigned char hi = 0xBF;
    if (c < 0x80) {
      ++i;
      continue;
    }
    if (c >= 0xC2 && c <= 0xDF) {
      n = 1;
    } else if (c >= 0xE0 && c <= 0xEF) {
      n = 2;
      lo = c == 0xE0 ? 0xA0 : 0x80;
      hi = c == 0xED ? 0x9F : 0xBF;
    } else if (c >= 0xF0 && c <= 0xF4) {
      n = 3;
      lo = c == 0xF0 ? 0x90 : 0x80;
      hi = c == 0xF4 ? 0x8F : 0xBF;
    } else {
      return false;
    }
    if (i + n >= s.size()) return false;  // truncated sequence
    for (std::size_t k = 1; k <= n; ++k) {
      const auto d = static_cast<unsigned char>(s[i + k]);
      if (d < (k == 1 ? lo : 0x80) || d > (k == 1 ? hi : 0xBF)) return false;
    }
    i += n + 1;
  }
  return true;
}

// The traceparent rules written the slow, obvious way, on the scalar hex helpers of ids.cpp:
// an oracle for the vectorised parser.
bool reference_traceparent(std::string_view s, span_context& out) {
  const auto lower_hex = [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); };
  if (s.size() < kTraceparentLength) return false;
  if (s[2] != '-' || s[35] != '-' || s[52] != '-') return false;
  for (std::size_t i = 0; i < kTraceparentLength; ++i) {
    if (i != 2 && i != 35 && i != 52 && !lower_hex(s[i])) return false;
  }
  std::uint64_t version = 0;
  std::uint64_t flags = 0;
  if (!parse_hex_u64(s.substr(0, 2), version) || !parse_hex_u64(s.substr(53, 2), flags)) return false;
  if (version == 0xff) return false;
  if (version == 0 && s.size() != kTraceparentLength) return false;
  if (version != 0 && s.size() > kTraceparentLength && s[55] != '-') return false;
  const auto trace = trace_id::from_hex(s.substr(3, 32));
  const auto span = span_id::from_hex(s.substr(36, 16));
  if (!trace || !span) return false;
  out.trace = *trace;
  out.span = *span;
  out.flags = static_cast<std::uint8_t>(version == 0 ? flags : flags & (kSampledFlag | kRandomTraceIdFlag));
  return true;
}

void check_trace_state(const trace_state& s) {
  FUZZ_CHECK(s.size() <= trace_state::kMaxMembers);
  const auto members = s.members();
  for (std::size_t i = 0; i < members.size(); ++i) {
    FUZZ_CHECK(trace_state::valid_key(members[i].key));
    FUZZ_CHECK(trace_state::valid_value(members[i].value));
    for (std::size_t j = 0; j < i; ++j) FUZZ_CHECK(members[j].key != members[i].key);
    FUZZ_CHECK(s.get(members[i].key) == members[i].value);
  }
}

}  // namespace

int fuzz_traceparent(const std::uint8_t* data, std::size_t size) {
  const std::string_view in = as_text(data, size);
  const std::size_t newline = in.find('\n');
  const std::string_view parent = in.substr(0, newline);
  const bool has_state = newline != std::string_view::npos;
  const std::string_view state = has_state ? in.substr(newline + 1) : std::string_view{};

  span_context ctx;
  const bool ok = parse_traceparent(parent, ctx);
  span_context expected;
  FUZZ_CHECK(ok == reference_traceparent(parent, expected));
  FUZZ_CHECK(!ok || same_ids(ctx, expected));
  FUZZ_CHECK(ok == ctx.valid());
  FUZZ_CHECK(ok == ctx.remote);
  if (ok) {
    char buf[kTraceparentLength];
    format_traceparent(ctx, buf);
    const std::string_view formatted(buf, kTraceparentLength);
    span_context again;
    FUZZ_CHECK(parse_traceparent(formatted, again));
    FUZZ_CHECK(same_ids(again, ctx));
    if (parent.substr(0, 2) == "00") {
      FUZZ_CHECK(formatted == parent);  // version 00 is canonical: we write back what we read
    } else {
      FUZZ_CHECK((ctx.flags & ~(kSampledFlag | kRandomTraceIdFlag)) == 0);
      FUZZ_CHECK(formatted.substr(2, 51) == parent.substr(2, 51));
    }
  }

  header_list carrier;
  carrier.add("traceparent", parent);
  if (has_state) carrier.add("tracestate", state);
  const w3c_trace_context_propagator propagator;
  propagation_context extracted;
  propagator.extract(carrier, extracted);
  FUZZ_CHECK(extracted.span.valid() == ok);
  if (!ok) {
    FUZZ_CHECK(extracted.span.state.empty());
    return 0;
  }
  FUZZ_CHECK(same_ids(extracted.span, ctx));
  const auto parsed_state = has_state ? trace_state::parse(state) : std::optional<trace_state>{};
  FUZZ_CHECK(extracted.span.state == (parsed_state ? *parsed_state : trace_state{}));
  check_trace_state(extracted.span.state);

  header_list hop;
  propagator.inject(extracted, hop);
  propagation_context next;
  propagator.extract(hop, next);
  FUZZ_CHECK(next.span.valid());
  FUZZ_CHECK(same_ids(next.span, extracted.span));
  FUZZ_CHECK(next.span.state == *trace_state::parse(extracted.span.state.to_header()));
  return 0;
}

int fuzz_tracestate(const std::uint8_t* data, std::size_t size) {
  const auto s = trace_state::parse(as_text(data, size));
  if (!s) return 0;
  check_trace_state(*s);

  const std::string header = s->to_header();
  FUZZ_CHECK(header.size() <= trace_state::kMaxHeaderLength);
  const auto back = trace_state::parse(header);
  FUZZ_CHECK(back.has_value());
  FUZZ_CHECK(back->to_header() == header);
  const auto member_eq = [](const trace_state::member& a, const trace_state::member& b) { return a == b; };
  const auto all = s->members();
  const auto kept = back->members();
  FUZZ_CHECK(is_subsequence(kept, all, member_eq));
  std::size_t full = 0;
  for (const auto& m : all) full += m.key.size() + m.value.size() + 2;
  if (full > 0 && full - 1 <= trace_state::kMaxHeaderLength) FUZZ_CHECK(*back == *s);

  if (!s->empty()) {
    const std::string key = all.back().key;
    const auto removed = s->without(key);
    FUZZ_CHECK(removed.size() == s->size() - 1);
    FUZZ_CHECK(removed.get(key).empty());
    const auto moved = s->with(key, "fuzz");
    FUZZ_CHECK(moved.size() == s->size());
    FUZZ_CHECK(moved.members()[0].key == key && moved.members()[0].value == "fuzz");
    check_trace_state(moved);
  }
  return 0;
}

int fuzz_baggage(const std::uint8_t* data, std::size_t size) {
  const baggage b = baggage::parse(as_text(data, size));
  FUZZ_CHECK(b.size() <= baggage::kMaxMembers);
  for (const auto& e : b.entries()) {
    FUZZ_CHECK(!e.key.empty());
    FUZZ_CHECK(valid_utf8(e.value));
    FUZZ_CHECK(b.get(e.key) == std::string_view(e.value));
  }

  const std::string header = b.to_header();
  FUZZ_CHECK(header.size() <= baggage::kMaxBytes);
  const baggage back = baggage::parse(header);
  FUZZ_CHECK(back.dropped() == 0);
  FUZZ_CHECK(back.to_header() == header);
  const auto entry_eq = [](const baggage::entry& x, const baggage::entry& y) { return x == y; };
  FUZZ_CHECK(is_subsequence(back.entries(), b.entries(), entry_eq));
  if (back.size() == b.size()) FUZZ_CHECK(back == b);
  return 0;
}

int fuzz_b3(const std::uint8_t* data, std::size_t size) {
  std::string_view in = as_text(data, size);
  header_list carrier;
  while (!in.empty()) {
    const std::size_t newline = in.find('\n');
    const std::string_view line = in.substr(0, newline);
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) {
      carrier.add("b3", line);
    } else {
      carrier.add(line.substr(0, colon), line.substr(colon + 1));
    }
    if (newline == std::string_view::npos) break;
    in.remove_prefix(newline + 1);
  }

  propagation_context extracted;
  b3_propagator{}.extract(carrier, extracted);
  propagation_context again;
  b3_propagator{b3_propagator::mode::multi_header}.extract(carrier, again);
  FUZZ_CHECK(extracted.span.valid() == again.span.valid());
  if (extracted.span.valid()) {
    FUZZ_CHECK(same_ids(extracted.span, again.span));
    FUZZ_CHECK(extracted.span.remote);
    FUZZ_CHECK((extracted.span.flags & ~kSampledFlag) == 0);
    for (const auto m : {b3_propagator::mode::single_header, b3_propagator::mode::multi_header}) {
      const b3_propagator p{m};
      header_list hop;
      p.inject(extracted, hop);
      propagation_context next;
      p.extract(hop, next);
      FUZZ_CHECK(same_ids(next.span, extracted.span));
    }
  }

  // Every propagator on the same hostile carrier: none may crash or throw.
  static const auto all = make_propagator("tracecontext,baggage,b3,b3multi");
  propagation_context any;
  all->extract(carrier, any);
  if (any.span.valid()) {
    header_list hop;
    all->inject(any, hop);
    propagation_context next;
    all->extract(hop, next);
    FUZZ_CHECK(same_position(next.span, any.span));
  }
  return 0;
}

}  // namespace tracebench::fuzz
