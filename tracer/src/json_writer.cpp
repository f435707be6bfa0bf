#include "tracebench/tracer/json_writer.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>

namespace tracebench::tracer {
namespace {

// What the escaper must do with each byte: most bytes are copied as part of a run, so the
// common all-ASCII string costs one table lookup per byte and one copy.
enum byte_class : std::uint8_t { kCopy = 0, kEscape = 1, kMultibyte = 2 };

constexpr std::array<std::uint8_t, 256> make_byte_classes() {
  std::array<std::uint8_t, 256> table{};
  for (std::size_t c = 0; c < 0x20; ++c) table[c] = kEscape;
  table['"'] = kEscape;
  table['\\'] = kEscape;
  for (std::size_t c = 0x80; c < 0x100; ++c) table[c] = kMultibyte;
  return table;
}
constexpr auto kByteClass = make_byte_classes();
constexpr char kHexDigits[] = "0123456789abcdef";
constexpr std::string_view kReplacementCharacter = "\xEF\xBF\xBD";  // U+FFFD

// Room sized ahead per growth step: enough for a typical span, small enough that the
// zero-fill std::string::resize does costs little.
constexpr std::size_t kGrowthStep = 512;

constexpr bool continuation(unsigned char c) noexcept { return (c & 0xC0) == 0x80; }

// Length of the well-formed UTF-8 sequence starting at p (Unicode table 3-7), or 0 when
// it is ill-formed: overlong forms, surrogates and code points above U+10FFFF included.
std::size_t utf8_sequence_length(const unsigned char* p, const unsigned char* end) noexcept {
  const unsigned char c = p[0];
  const auto left = end - p;
  if (c >= 0xC2 && c <= 0xDF) return left >= 2 && continuation(p[1]) ? 2 : 0;
  if (c >= 0xE0 && c <= 0xEF) {
    if (left < 3 || !continuation(p[1]) || !continuation(p[2])) return 0;
    if (c == 0xE0 && p[1] < 0xA0) return 0;  // overlong
    if (c == 0xED && p[1] > 0x9F) return 0;  // UTF-16 surrogate
    return 3;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    if (left < 4 || !continuation(p[1]) || !continuation(p[2]) || !continuation(p[3])) return 0;
    if (c == 0xF0 && p[1] < 0x90) return 0;  // overlong
    if (c == 0xF4 && p[1] > 0x8F) return 0;  // above U+10FFFF
    return 4;
  }
  return 0;
}

// Writes the escape for an ASCII byte of class kEscape; returns the new end. Needs 6 bytes.
char* write_escape(char* out, unsigned char c) noexcept {
  *out++ = '\\';
  switch (c) {
    case '"':
      *out++ = '"';
      break;
    case '\\':
      *out++ = '\\';
      break;
    case '\b':
      *out++ = 'b';
      break;
    case '\f':
      *out++ = 'f';
      break;
    case '\n':
      *out++ = 'n';
      break;
    case '\r':
      *out++ = 'r';
      break;
    case '\t':
      *out++ = 't';
      break;
    default:
      *out++ = 'u';
      *out++ = '0';
      *out++ = '0';
      *out++ = kHexDigits[c >> 4];
      *out++ = kHexDigits[c & 0xF];
      break;
  }
  return out;
}

// Whether any byte is a control character, quote, backslash or non-ASCII (which then needs
// UTF-8 validation). Eight bytes at a time: the has-zero-byte trick can misfire only on a
// byte above one that truly matches, so the answer for the whole word is exact.
bool needs_escape_scan(std::string_view s) noexcept {
  constexpr std::uint64_t kOnes = 0x0101010101010101ULL;
  constexpr std::uint64_t kHighBits = 0x8080808080808080ULL;
  const auto word_hits = [](const char* at) noexcept {
    std::uint64_t x;
    std::memcpy(&x, at, 8);
    const std::uint64_t quote = x ^ (kOnes * '"');
    const std::uint64_t backslash = x ^ (kOnes * '\\');
    const std::uint64_t hits =
        ((x - kOnes * 0x20) & ~x) | ((quote - kOnes) & ~quote) | ((backslash - kOnes) & ~backslash) | x;
    return (hits & kHighBits) != 0;
  };
  const char* p = s.data();
  const std::size_t n = s.size();
  if (n < 8) {
    std::uint8_t special = 0;
    for (std::size_t i = 0; i < n; ++i) special |= kByteClass[static_cast<unsigned char>(p[i])];
    return special != kCopy;
  }
  for (std::size_t i = 0; i + 8 <= n; i += 8) {
    if (word_hits(p + i)) return true;
  }
  return (n % 8) != 0 && word_hits(p + n - 8);  // the tail, as a word overlapping the last one
}

}  // namespace

void json_writer::grow(std::size_t n) {
  const std::size_t used = size();
  std::size_t target = used + std::max(n, kGrowthStep);
  // Never reallocate while the capacity still fits the request: reused buffers stay put.
  if (used + n <= out_->capacity()) target = std::min(target, out_->capacity());
  // resize() keeps std::string's geometric growth when it has to reallocate.
  out_->resize(target);
  cur_ = out_->data() + used;
  end_ = out_->data() + out_->size();
}

void json_writer::string_fragment(std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const auto* const end = p + s.size();
  const auto* run = p;
  const auto flush_run = [&] {
    const auto length = static_cast<std::size_t>(p - run);
    if (length == 0) return;  // also keeps a null run pointer away from memcpy
    ensure(length);
    std::memcpy(cur_, run, length);
    cur_ += length;
  };
  while (p != end) {
    const std::uint8_t cls = kByteClass[*p];
    if (cls == kCopy) {
      ++p;
      continue;
    }
    if (cls == kMultibyte) {
      if (const std::size_t n = utf8_sequence_length(p, end); n != 0) {
        p += n;  // well-formed: stays part of the run
        continue;
      }
    }
    flush_run();
    ensure(6);
    if (cls == kEscape) {
      cur_ = write_escape(cur_, *p);
    } else {
      std::memcpy(cur_, kReplacementCharacter.data(), kReplacementCharacter.size());
      cur_ += kReplacementCharacter.size();
    }
    run = ++p;
  }
  flush_run();
}

void json_writer::string_value(std::string_view s) {
  // Most strings (names, routes, ids) need no escaping: one quick scan, then one copy.
  if (!needs_escape_scan(s)) {
    ensure(s.size() + 3);
    char* p = comma(cur_);
    *p++ = '"';
    if (!s.empty()) std::memcpy(p, s.data(), s.size());
    p += s.size();
    *p++ = '"';
    cur_ = p;
    first_ = false;
    return;
  }
  begin_string();
  string_fragment(s);
  end_string();
}

void json_writer::int_value(std::int64_t v) {
  ensure(24);
  cur_ = std::to_chars(comma(cur_), end_, v).ptr;
  first_ = false;
}

void json_writer::uint_value(std::uint64_t v) {
  ensure(24);
  cur_ = std::to_chars(comma(cur_), end_, v).ptr;
  first_ = false;
}

void json_writer::quoted_int_value(std::int64_t v) {
  ensure(26);
  char* p = comma(cur_);
  *p++ = '"';
  p = std::to_chars(p, end_, v).ptr;
  *p++ = '"';
  cur_ = p;
  first_ = false;
}

void json_writer::quoted_uint_value(std::uint64_t v) {
  ensure(26);
  char* p = comma(cur_);
  *p++ = '"';
  p = std::to_chars(p, end_, v).ptr;
  *p++ = '"';
  cur_ = p;
  first_ = false;
}

void json_writer::double_value(double v) {
  if (std::isnan(v)) {
    raw_value("\"NaN\"");
  } else if (std::isinf(v)) {
    raw_value(v > 0 ? std::string_view("\"Infinity\"") : std::string_view("\"-Infinity\""));
  } else {
    ensure(33);  // the longest shortest-round-trip double is 24 characters
    cur_ = std::to_chars(comma(cur_), end_, v).ptr;
    first_ = false;
  }
}

void append_json_string(std::string& out, std::string_view s) {
  json_writer w(out);
  w.string_value(s);
}

void append_json_double(std::string& out, double value) {
  json_writer w(out);
  w.double_value(value);
}

void append_json_int(std::string& out, std::int64_t value) {
  json_writer w(out);
  w.int_value(value);
}

void append_json_uint(std::string& out, std::uint64_t value) {
  json_writer w(out);
  w.uint_value(value);
}

void json_writer::id_value(const trace_id& id) {
  char buf[trace_id::kHexLength + 2];
  buf[0] = '"';
  id.to_hex(buf + 1);
  buf[sizeof buf - 1] = '"';
  raw_value(std::string_view(buf, sizeof buf));
}

void json_writer::id_value(const span_id& id) {
  char buf[span_id::kHexLength + 2];
  buf[0] = '"';
  id.to_hex(buf + 1);
  buf[sizeof buf - 1] = '"';
  raw_value(std::string_view(buf, sizeof buf));
}

}  // namespace tracebench::tracer
