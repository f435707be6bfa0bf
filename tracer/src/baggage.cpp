#include "tracebench/tracer/baggage.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <new>
#include <string_view>

namespace tracebench::tracer {
namespace {

constexpr bool is_ows(char c) noexcept { return c == ' ' || c == '\t'; }

// RFC 7230 tchar.
constexpr bool tchar(unsigned char c) noexcept {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  for (char special : std::string_view("!#$%&'*+-.^_`|~")) {
    if (c == static_cast<unsigned char>(special)) return true;
  }
  return false;
}

// baggage-octet: US-ASCII without CTLs, whitespace, DQUOTE, ',', ';' and '\'.
constexpr bool baggage_octet(unsigned char c) noexcept {
  return c > 0x20 && c < 0x7f && c != '"' && c != ',' && c != ';' && c != '\\';
}

// What to_header writes literally. '%' must be escaped or decoding would not round-trip;
// '=' is legal but escaping it keeps naive key=value splitters downstream safe.
constexpr bool literal_in_value(unsigned char c) noexcept { return baggage_octet(c) && c != '%' && c != '='; }

// Character classes as one table lookup each: the per-character range tests dominated parsing.
enum : std::uint8_t { kTchar = 1, kBaggageOctet = 2, kLiteral = 4 };
constexpr std::array<std::uint8_t, 256> make_classes() {
  std::array<std::uint8_t, 256> table{};
  for (unsigned c = 0; c < 256; ++c) {
    const auto u = static_cast<unsigned char>(c);
    table[c] = static_cast<std::uint8_t>((tchar(u) ? kTchar : 0) | (baggage_octet(u) ? kBaggageOctet : 0) |
                                         (literal_in_value(u) ? kLiteral : 0));
  }
  return table;
}
constexpr auto kClasses = make_classes();

constexpr bool is_tchar(char c) noexcept { return (kClasses[static_cast<unsigned char>(c)] & kTchar) != 0; }
constexpr bool is_baggage_octet(char c) noexcept {
  return (kClasses[static_cast<unsigned char>(c)] & kBaggageOctet) != 0;
}
constexpr bool is_literal_in_value(char c) noexcept {
  return (kClasses[static_cast<unsigned char>(c)] & kLiteral) != 0;
}

bool is_token(std::string_view s) noexcept { return !s.empty() && std::all_of(s.begin(), s.end(), is_tchar); }

bool is_baggage_value(std::string_view s) noexcept { return std::all_of(s.begin(), s.end(), is_baggage_octet); }

std::string_view trim_ows(std::string_view s) noexcept {
  while (!s.empty() && is_ows(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_ows(s.back())) s.remove_suffix(1);
  return s;
}

// property = key OWS "=" OWS value / key OWS, separated by OWS ";" OWS.
bool valid_properties(std::string_view props) noexcept {
  while (true) {
    const std::size_t semi = props.find(';');
    const std::string_view prop = trim_ows(props.substr(0, semi));
    const std::size_t eq = prop.find('=');
    if (eq == std::string_view::npos) {
      if (!is_token(prop)) return false;
    } else if (!is_token(trim_ows(prop.substr(0, eq))) || !is_baggage_value(trim_ows(prop.substr(eq + 1)))) {
      return false;
    }
    if (semi == std::string_view::npos) return true;
    props.remove_prefix(semi + 1);
  }
}

int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Appends `bytes` with every ill-formed UTF-8 subsequence replaced by U+FFFD, one per
// maximal subpart (the Unicode/WHATWG convention), as the Baggage spec requires.
void append_utf8_sanitised(std::string_view bytes, std::string& out) {
  static constexpr std::string_view kReplacement = "\xEF\xBF\xBD";
  std::size_t i = 0;
  while (i < bytes.size()) {
    const auto lead = static_cast<unsigned char>(bytes[i]);
    if (lead < 0x80) {
      out += bytes[i++];
      continue;
    }
    std::size_t need = 0;
    unsigned char lo = 0x80;
    unsigned char hi = 0xBF;
    if (lead >= 0xC2 && lead <= 0xDF) {
      need = 1;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
      need = 2;
      if (lead == 0xE0) lo = 0xA0;  // no overlongs
      if (lead == 0xED) hi = 0x9F;  // no surrogates
    } else if (lead >= 0xF0 && lead <= 0xF4) {
      need = 3;
      if (lead == 0xF0) lo = 0x90;  // no overlongs
      if (lead == 0xF4) hi = 0x8F;  // nothing past U+10FFFF
    } else {
      out += kReplacement;
      ++i;
      continue;
    }
    std::size_t j = i + 1;
    bool ok = true;
    for (std::size_t k = 0; k < need; ++k, ++j) {
      if (j >= bytes.size()) {
        ok = false;
        break;
      }
      const auto c = static_cast<unsigned char>(bytes[j]);
      const unsigned char min = k == 0 ? lo : 0x80;
      const unsigned char max = k == 0 ? hi : 0xBF;
      if (c < min || c > max) {
        ok = false;
        break;
      }
    }
    if (ok) {
      out.append(bytes.substr(i, j - i));
    } else {
      out += kReplacement;
    }
    i = j;
  }
}

// A '%' not followed by two hex digits is kept literally: such a value is still made of
// baggage-octets, so it is legal, and dropping the member would lose data for no reason.
// Runs between escapes are appended in bulk: per-character appends were the parse's cost.
std::string percent_decode(std::string_view value) {
  std::string raw;
  raw.reserve(value.size());
  bool non_ascii = false;
  std::size_t pos = 0;
  while (true) {
    const std::size_t pct = value.find('%', pos);
    raw.append(value.substr(pos, pct == std::string_view::npos ? std::string_view::npos : pct - pos));
    if (pct == std::string_view::npos) break;
    const int h = pct + 2 < value.size() ? hex_value(value[pct + 1]) : -1;
    const int l = h >= 0 ? hex_value(value[pct + 2]) : -1;
    if (l >= 0) {
      const auto byte = static_cast<char>((h << 4) | l);
      non_ascii = non_ascii || (static_cast<unsigned char>(byte) & 0x80) != 0;
      raw += byte;
      pos = pct + 3;
    } else {
      raw += '%';
      pos = pct + 1;
    }
  }
  // Literal baggage-octets are ASCII, so only escaped bytes can break UTF-8.
  if (!non_ascii) return raw;
  std::string out;
  out.reserve(raw.size() + 8);
  append_utf8_sanitised(raw, out);
  return out;
}

void percent_encode(std::string_view value, std::string& out) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::size_t run = 0;  // start of the pending literal run
  for (std::size_t i = 0; i < value.size(); ++i) {
    if (is_literal_in_value(value[i])) continue;
    out.append(value.substr(run, i - run));
    const auto b = static_cast<unsigned char>(value[i]);
    const char escape[3] = {'%', kHex[b >> 4], kHex[b & 0xf]};
    out.append(escape, 3);
    run = i + 1;
  }
  out.append(value.substr(run));
}

}  // namespace

baggage baggage::parse(std::string_view header) noexcept {
  baggage result;
  try {
    std::size_t bytes = 0;  // of the members kept, as they appeared, plus separators
    while (true) {
      const std::size_t comma = header.find(',');
      const std::string_view raw = trim_ows(header.substr(0, comma));
      // An empty member carries nothing, so it is neither kept nor counted as dropped.
      if (!raw.empty()) {
        const std::size_t semi = raw.find(';');
        const std::string_view pair = raw.substr(0, semi);
        const std::string_view props = semi == std::string_view::npos ? std::string_view{} : raw.substr(semi + 1);
        const std::size_t eq = pair.find('=');
        const std::string_view key = eq == std::string_view::npos ? pair : trim_ows(pair.substr(0, eq));
        const std::string_view value =
            eq == std::string_view::npos ? std::string_view{} : trim_ows(pair.substr(eq + 1));
        const std::size_t cost = raw.size() + (result.entries_.empty() ? 0 : 1);
        if (eq == std::string_view::npos || !is_token(key) || !is_baggage_value(value) ||
            (semi != std::string_view::npos && !valid_properties(props))) {
          ++result.dropped_;
        } else if (result.entries_.size() >= kMaxMembers || bytes + cost > kMaxBytes) {
          ++result.dropped_;
        } else {
          bytes += cost;
          result.set(key, percent_decode(value), props);
        }
      }
      if (comma == std::string_view::npos) break;
      header.remove_prefix(comma + 1);
    }
  } catch (const std::bad_alloc&) {
    // Keep what was parsed: baggage is best effort and must never take the request down.
  }
  return result;
}

std::string baggage::to_header() const {
  std::string out;
  std::size_t members = 0;
  std::string member;
  for (const entry& e : entries_) {
    if (members == kMaxMembers) break;
    // An entry set by hand may be unsendable; skipping it beats a header peers reject.
    if (!is_token(e.key) || (!e.properties.empty() && !valid_properties(e.properties))) continue;
    member.assign(e.key);
    member += '=';
    percent_encode(e.value, member);
    if (!e.properties.empty()) {
      member += ';';
      member += e.properties;
    }
    const std::size_t cost = member.size() + (out.empty() ? 0 : 1);
    if (out.size() + cost > kMaxBytes) continue;  // a later, smaller member may still fit
    if (!out.empty()) out += ',';
    out += member;
    ++members;
  }
  return out;
}

std::optional<std::string_view> baggage::get(std::string_view key) const noexcept {
  for (const entry& e : entries_) {
    if (e.key == key) return std::string_view(e.value);
  }
  return std::nullopt;
}

void baggage::set(std::string_view key, std::string_view value, std::string_view properties) {
  for (entry& e : entries_) {
    if (e.key == key) {
      e.value.assign(value);
      e.properties.assign(properties);
      return;
    }
  }
  entries_.push_back(entry{std::string(key), std::string(value), std::string(properties)});
}

}  // namespace tracebench::tracer
