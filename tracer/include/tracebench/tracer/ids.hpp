#pragma once
// Trace and span identifiers: value types, lowercase hex on the wire.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tracebench::tracer {

// 16-byte trace id held as two big-endian halves; all-zero is invalid.
struct trace_id {
  std::uint64_t high = 0;
  std::uint64_t low = 0;

  static constexpr std::size_t kHexLength = 32;

  [[nodiscard]] constexpr bool valid() const noexcept { return (high | low) != 0; }
  // Writes exactly 32 lowercase hex characters; no terminator.
  void to_hex(char* out) const noexcept;
  [[nodiscard]] std::string hex() const;
  // Exactly 32 lowercase hex characters; the all-zero id is rejected.
  [[nodiscard]] static std::optional<trace_id> from_hex(std::string_view hex) noexcept;

  friend constexpr bool operator==(const trace_id&, const trace_id&) noexcept = default;
};

// 8-byte span id; zero is invalid.
struct span_id {
  std::uint64_t value = 0;

  static constexpr std::size_t kHexLength = 16;

  [[nodiscard]] constexpr bool valid() const noexcept { return value != 0; }
  void to_hex(char* out) const noexcept;
  [[nodiscard]] std::string hex() const;
  [[nodiscard]] static std::optional<span_id> from_hex(std::string_view hex) noexcept;

  friend constexpr bool operator==(const span_id&, const span_id&) noexcept = default;
};

namespace detail {
// Per-thread SplitMix64 state: a Weyl sequence through a bijective mixer, so one thread
// never repeats an id within 2^64 draws, and each thread starts from std::random_device.
struct id_state {
  std::uint64_t counter;
  bool seeded;
};
extern constinit thread_local id_state tls_ids;
void seed_ids(id_state& state) noexcept;

inline std::uint64_t next_random_u64() noexcept {
  id_state& st = tls_ids;
  if (!st.seeded) [[unlikely]]
    seed_ids(st);
  std::uint64_t z = (st.counter += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}
}  // namespace detail

// Fresh ids from the calling thread's generator. Never invalid (all-zero); lock-free,
// allocation-free, a handful of instructions.
[[nodiscard]] inline trace_id random_trace_id() noexcept {
  trace_id id{detail::next_random_u64(), detail::next_random_u64()};
  while (!id.valid()) [[unlikely]] id.low = detail::next_random_u64();
  return id;
}
[[nodiscard]] inline span_id random_span_id() noexcept {
  span_id id{detail::next_random_u64()};
  while (!id.valid()) [[unlikely]] id.value = detail::next_random_u64();
  return id;
}

// Hex helpers shared by the codecs. parse_hex_u64 accepts exactly `hex.size()` <= 16
// lowercase hex digits; uppercase is rejected because W3C Trace Context requires lowercase.
[[nodiscard]] bool parse_hex_u64(std::string_view hex, std::uint64_t& out) noexcept;
void write_hex_u64(std::uint64_t value, char* out) noexcept;  // 16 characters

}  // namespace tracebench::tracer
