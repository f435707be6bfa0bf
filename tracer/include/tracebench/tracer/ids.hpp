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

// Fresh ids from a per-thread xoshiro256++ generator seeded from std::random_device.
// Never returns an invalid (all-zero) id. Lock-free, allocation-free.
[[nodiscard]] trace_id random_trace_id() noexcept;
[[nodiscard]] span_id random_span_id() noexcept;

// Hex helpers shared by the codecs. parse_hex_u64 accepts exactly `hex.size()` <= 16
// lowercase hex digits; uppercase is rejected because W3C Trace Context requires lowercase.
[[nodiscard]] bool parse_hex_u64(std::string_view hex, std::uint64_t& out) noexcept;
void write_hex_u64(std::uint64_t value, char* out) noexcept;  // 16 characters

}  // namespace tracebench::tracer
