#pragma once
// W3C Baggage: application key/values (with optional properties) carried down the call path.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tracebench::tracer {

class baggage {
 public:
  struct entry {
    std::string key;         // decoded
    std::string value;       // percent-decoded
    std::string properties;  // raw text after the first ';', kept verbatim (may be empty)
    friend bool operator==(const entry&, const entry&) = default;
  };

  static constexpr std::size_t kMaxMembers = 64;
  static constexpr std::size_t kMaxBytes = 8192;

  // Parses a baggage header value. Malformed members are skipped, never the whole
  // header; members beyond 64 or past 8192 bytes are dropped whole. Never throws.
  [[nodiscard]] static baggage parse(std::string_view header) noexcept;
  // Header value with values percent-encoded; whole members beyond the limits are dropped.
  [[nodiscard]] std::string to_header() const;

  [[nodiscard]] bool empty() const noexcept { return entries_.empty(); }
  [[nodiscard]] std::size_t size() const noexcept { return entries_.size(); }
  [[nodiscard]] const std::vector<entry>& entries() const noexcept { return entries_; }
  // Value of `key`, or nullopt.
  [[nodiscard]] std::optional<std::string_view> get(std::string_view key) const noexcept;
  // Sets or replaces `key`.
  void set(std::string_view key, std::string_view value, std::string_view properties = {});
  // How many members the last parse dropped (malformed or over a limit).
  [[nodiscard]] std::size_t dropped() const noexcept { return dropped_; }

  friend bool operator==(const baggage& a, const baggage& b) noexcept { return a.entries_ == b.entries_; }

 private:
  std::vector<entry> entries_;
  std::size_t dropped_ = 0;
};

}  // namespace tracebench::tracer
