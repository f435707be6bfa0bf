#include "tracebench/tracer/w3c_trace_context.hpp"

#include <array>
#include <cstdint>
#include <cstring>
#include <new>
#include <string>
#include <vector>

#if defined(__SSE2__) && defined(__x86_64__)
#include <emmintrin.h>
#endif

namespace tracebench::tracer {
namespace {

constexpr std::uint8_t kBadNibble = 0xf0;

// Lowercase-only: the spec makes uppercase hex invalid, so 'A'-'F' map to kBadNibble.
constexpr std::array<std::uint8_t, 256> make_nibble_table() {
  std::array<std::uint8_t, 256> table{};
  for (auto& v : table) v = kBadNibble;
  for (int c = '0'; c <= '9'; ++c) table[static_cast<std::size_t>(c)] = static_cast<std::uint8_t>(c - '0');
  for (int c = 'a'; c <= 'f'; ++c) table[static_cast<std::size_t>(c)] = static_cast<std::uint8_t>(c - 'a' + 10);
  return table;
}
constexpr auto kNibble = make_nibble_table();

// Two characters per byte value, so formatting is one 16-bit copy per byte.
constexpr std::array<char, 512> make_byte_hex_table() {
  constexpr char digits[] = "0123456789abcdef";
  std::array<char, 512> table{};
  for (std::size_t b = 0; b < 256; ++b) {
    table[2 * b] = digits[b >> 4];
    table[2 * b + 1] = digits[b & 0xf];
  }
  return table;
}
constexpr auto kByteHex = make_byte_hex_table();

#if defined(__SSE2__) && defined(__x86_64__)
// Sixteen lowercase hex characters to their value with four SSE2 range compares instead of
// a table lookup per character: the parse went from ~450 to ~150 instructions and about 4x
// less time. Any other character makes `bad` non-zero. Signed compares reject bytes >= 0x80.
inline std::uint64_t decode_hex16(const char* p, std::uint64_t& bad) noexcept {
  const __m128i c = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
  const __m128i digit =
      _mm_and_si128(_mm_cmpgt_epi8(c, _mm_set1_epi8('0' - 1)), _mm_cmplt_epi8(c, _mm_set1_epi8('9' + 1)));
  const __m128i letter =
      _mm_and_si128(_mm_cmpgt_epi8(c, _mm_set1_epi8('a' - 1)), _mm_cmplt_epi8(c, _mm_set1_epi8('f' + 1)));
  bad |= static_cast<std::uint64_t>(_mm_movemask_epi8(_mm_or_si128(digit, letter)) ^ 0xffff);
  // c - '0' is a digit's value; a letter's is c - 'a' + 10, i.e. 39 less.
  const __m128i nibbles = _mm_sub_epi8(_mm_sub_epi8(c, _mm_set1_epi8('0')), _mm_and_si128(letter, _mm_set1_epi8(39)));
  // Each 16-bit lane holds two nibbles, first in the low byte: make it one byte, pack the
  // eight bytes, and read them as a big-endian number.
  const __m128i pairs =
      _mm_and_si128(_mm_or_si128(_mm_slli_epi16(nibbles, 4), _mm_srli_epi16(nibbles, 8)), _mm_set1_epi16(0x00ff));
  const auto bytes = static_cast<std::uint64_t>(_mm_cvtsi128_si64(_mm_packus_epi16(pairs, pairs)));
  return __builtin_bswap64(bytes);
}
#else
// Portable fallback: one table lookup per character, errors OR-ed so the loop has no branch.
inline std::uint64_t decode_hex16(const char* p, std::uint64_t& bad) noexcept {
  std::uint64_t v = 0;
  for (int i = 0; i < 16; ++i) {
    const std::uint8_t n = kNibble[static_cast<unsigned char>(p[i])];
    bad |= n & kBadNibble;
    v = (v << 4) | (n & 0x0f);
  }
  return v;
}
#endif

inline std::uint8_t decode_hex2(const char* p, std::uint64_t& bad) noexcept {
  const std::uint8_t h = kNibble[static_cast<unsigned char>(p[0])];
  const std::uint8_t l = kNibble[static_cast<unsigned char>(p[1])];
  bad |= static_cast<std::uint8_t>(h | l) & kBadNibble;
  return static_cast<std::uint8_t>(((h & 0x0f) << 4) | (l & 0x0f));
}

inline void encode_byte(std::uint8_t b, char* out) noexcept { std::memcpy(out, &kByteHex[2u * b], 2); }

// Two table bytes per id byte: measured faster than the SWAR mirror of decode_hex8 here,
// since the table stays in L1 and the stores do not depend on each other.
inline void encode_u64(std::uint64_t v, char* out) noexcept {
  for (int i = 7; i >= 0; --i) {
    encode_byte(static_cast<std::uint8_t>(v & 0xff), out + 2 * i);
    v >>= 8;
  }
}

// More tracestate headers than this on one request is abuse; beyond it we read them
// from a heap buffer rather than silently dropping some.
constexpr std::size_t kInlineTracestateHeaders = 8;

}  // namespace

void format_traceparent(const span_context& ctx, char* out) noexcept {
  out[0] = '0';
  out[1] = '0';
  out[2] = '-';
  encode_u64(ctx.trace.high, out + 3);
  encode_u64(ctx.trace.low, out + 19);
  out[35] = '-';
  encode_u64(ctx.span.value, out + 36);
  out[52] = '-';
  encode_byte(ctx.flags, out + 53);
}

bool parse_traceparent(std::string_view value, span_context& out) noexcept {
  if (value.size() < kTraceparentLength) return false;
  const char* p = value.data();
  std::uint64_t bad = 0;
  const std::uint8_t version = decode_hex2(p, bad);
  if (version == 0xff) return false;
  if (version == 0) {
    if (value.size() != kTraceparentLength) return false;
  } else if (value.size() > kTraceparentLength && p[55] != '-') {
    return false;  // a future version may only append fields after a '-'
  }
  if (p[2] != '-' || p[35] != '-' || p[52] != '-') return false;
  trace_id trace;
  trace.high = decode_hex16(p + 3, bad);
  trace.low = decode_hex16(p + 19, bad);
  const span_id span{decode_hex16(p + 36, bad)};
  std::uint8_t flags = decode_hex2(p + 53, bad);
  if (bad != 0 || !trace.valid() || !span.valid()) return false;
  // Bits a future version defines mean nothing to us, so they must not be passed on.
  if (version != 0) flags &= kSampledFlag | kRandomTraceIdFlag;
  out.trace = trace;
  out.span = span;
  out.flags = flags;
  out.remote = true;
  return true;
}

void w3c_trace_context_propagator::inject(const propagation_context& context, header_carrier& carrier) const {
  const span_context& ctx = context.span;
  if (!ctx.valid()) return;
  char buf[kTraceparentLength];
  format_traceparent(ctx, buf);
  carrier.set(kTraceparentHeader, std::string_view(buf, kTraceparentLength));
  if (!ctx.state.empty()) {
    const std::string state = ctx.state.to_header();
    if (!state.empty()) carrier.set(kTracestateHeader, state);
  }
}

void w3c_trace_context_propagator::extract(const header_carrier& carrier, propagation_context& context) const noexcept {
  std::string_view parent[2];
  // Two copies may disagree and we cannot tell which is right: restart the trace.
  if (carrier.get_all(kTraceparentHeader, parent, 2) != 1) return;
  span_context ctx;
  if (!parse_traceparent(parent[0], ctx)) return;

  // Tracestate is read only now: the spec forbids using it without a valid traceparent,
  // and a bad tracestate drops only itself.
  std::string_view inline_values[kInlineTracestateHeaders];
  const std::size_t count = carrier.get_all(kTracestateHeader, inline_values, kInlineTracestateHeaders);
  try {
    if (count == 1) {
      if (auto state = trace_state::parse(inline_values[0])) ctx.state = std::move(*state);
    } else if (count > 1) {
      std::vector<std::string_view> heap_values;
      const std::string_view* values = inline_values;
      if (count > kInlineTracestateHeaders) {
        heap_values.resize(count);
        carrier.get_all(kTracestateHeader, heap_values.data(), count);
        values = heap_values.data();
      }
      // RFC 7230 field combination: join in order with ','.
      std::string combined;
      for (std::size_t i = 0; i < count; ++i) {
        if (i > 0) combined += ',';
        combined += values[i];
      }
      if (auto state = trace_state::parse(combined)) ctx.state = std::move(*state);
    }
  } catch (const std::bad_alloc&) {
    ctx.state = trace_state{};  // dropping tracestate is allowed; losing the parent is not
  }
  context.span = std::move(ctx);
}

}  // namespace tracebench::tracer
