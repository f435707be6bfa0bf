#include "tracebench/tracer/ids.hpp"

#include <array>
#include <chrono>
#include <cstring>
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

// Two characters per byte: half the iterations of a digit at a time, no shifts per digit.
constexpr std::array<char, 512> make_hex_pairs() {
  std::array<char, 512> pairs{};
  for (std::size_t i = 0; i < 256; ++i) {
    pairs[2 * i] = kHexDigits[i >> 4];
    pairs[2 * i + 1] = kHexDigits[i & 0xf];
  }
  return pairs;
}
constexpr auto kHexPairs = make_hex_pairs();

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
  for (int i = 7; i >= 0; --i) {
    std::memcpy(out + 2 * i, &kHexPairs[2 * (value & 0xff)], 2);
    value >>= 8;
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

namespace detail {

constinit thread_local id_state tls_ids{0, false};

void seed_ids(id_state& state) noexcept {
  std::uint64_t seed = 0;
  try {
    std::random_device device;
    seed = (std::uint64_t{device()} << 32) ^ device();
  } catch (...) {
    // No entropy source: the clock and this thread's address still differ per thread.
    seed = static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count()) ^
           reinterpret_cast<std::uintptr_t>(&state);
  }
  state.counter = seed;
  state.seeded = true;
}

}  // namespace detail

}  // namespace tracebench::tracer
