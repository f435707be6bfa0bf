#include "tracebench/tracer/ids.hpp"

#include <array>
#include <chrono>
#include <random>

namespace tracebench::tracer {
namespace {

constexpr std::array<std::int8_t, 256> make_hex_table() {
  std::array<std::int8_t, 256> table{};
  for (auto& v : table) v = -1;
  for (int c = '0'; c <= '9'; ++c) table[static_cast<std::size_t>(c)] = static_cast<std::int8_t>(c - '0');
  for (int c = 'a'; c <= 'f'; ++c) table[static_cast<std::size_t>(c)] = static_cast<std::int8_t>(c - 'a' + 10);
  return table;
}
constexpr auto kHexValue = make_hex_table();
constexpr char kHexDigits[] = "0123456789abcdef";

// xoshiro256++ (Blackman and Vigna): four words of state, a few cycles per draw.
// The state is trivially constructible so the thread_local needs no init guard.
struct xoshiro_state {
  std::uint64_t s[4];
  bool seeded;
};
thread_local xoshiro_state tls_rng{};

constexpr std::uint64_t rotl(std::uint64_t x, int k) noexcept { return (x << k) | (x >> (64 - k)); }

[[gnu::noinline]] void seed(xoshiro_state& st) noexcept {
  std::uint64_t words[4] = {0, 0, 0, 0};
  try {
    std::random_device device;
    for (auto& w : words) w = (std::uint64_t{device()} << 32) ^ device();
  } catch (...) {
    // No entropy source: fall back to the address of the state and the clock, still per thread.
    words[0] = reinterpret_cast<std::uintptr_t>(&st);
    words[1] = static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
  }
  // SplitMix64 spreads whatever we got so no word of the state is zero.
  std::uint64_t x = words[0] ^ rotl(words[1], 17) ^ rotl(words[2], 31) ^ rotl(words[3], 47);
  for (auto& w : st.s) {
    x += 0x9e3779b97f4a7c15ULL;
    std::uint64_t z = x;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    w = z ^ (z >> 31) ^ words[&w - st.s];
  }
  st.seeded = true;
}

inline std::uint64_t next_u64() noexcept {
  xoshiro_state& st = tls_rng;
  if (!st.seeded) [[unlikely]] seed(st);
  std::uint64_t* s = st.s;
  const std::uint64_t result = rotl(s[0] + s[3], 23) + s[0];
  const std::uint64_t t = s[1] << 17;
  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = rotl(s[3], 45);
  return result;
}

}  // namespace

bool parse_hex_u64(std::string_view hex, std::uint64_t& out) noexcept {
  if (hex.size() > 16) return false;
  std::uint64_t value = 0;
  for (char c : hex) {
    const std::int8_t digit = kHexValue[static_cast<unsigned char>(c)];
    if (digit < 0) return false;
    value = (value << 4) | static_cast<std::uint64_t>(digit);
  }
  out = value;
  return true;
}

void write_hex_u64(std::uint64_t value, char* out) noexcept {
  for (int i = 15; i >= 0; --i) {
    out[i] = kHexDigits[value & 0xf];
    value >>= 4;
  }
}

void trace_id::to_hex(char* out) const noexcept {
  write_hex_u64(high, out);
  write_hex_u64(low, out + 16);
}

std::string trace_id::hex() const {
  std::string s(kHexLength, '0');
  to_hex(s.data());
  return s;
}

std::optional<trace_id> trace_id::from_hex(std::string_view hex) noexcept {
  trace_id id;
  if (hex.size() != kHexLength || !parse_hex_u64(hex.substr(0, 16), id.high) ||
      !parse_hex_u64(hex.substr(16), id.low) || !id.valid()) {
    return std::nullopt;
  }
  return id;
}

void span_id::to_hex(char* out) const noexcept { write_hex_u64(value, out); }

std::string span_id::hex() const {
  std::string s(kHexLength, '0');
  to_hex(s.data());
  return s;
}

std::optional<span_id> span_id::from_hex(std::string_view hex) noexcept {
  span_id id;
  if (hex.size() != kHexLength || !parse_hex_u64(hex, id.value) || !id.valid()) return std::nullopt;
  return id;
}

trace_id random_trace_id() noexcept {
  trace_id id;
  do {
    id.high = next_u64();
    id.low = next_u64();
  } while (!id.valid());
  return id;
}

span_id random_span_id() noexcept {
  span_id id;
  do {
    id.value = next_u64();
  } while (!id.valid());
  return id;
}

}  // namespace tracebench::tracer
