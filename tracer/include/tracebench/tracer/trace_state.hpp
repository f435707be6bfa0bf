#pragma once
// W3C tracestate: an immutable, ordered list of vendor key=value members.
// Copies share one list; an empty trace_state holds nothing and copies for free.

#include <cstddef>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace tracebench::tracer {

class trace_state {
 public:
  struct member {
    std::string key;
    std::string value;
    friend bool operator==(const member&, const member&) = default;
  };

  static constexpr std::size_t kMaxMembers = 32;
  static constexpr std::size_t kMaxHeaderLength = 512;
  static constexpr std::size_t kLongMember = 128;  // dropped first when over kMaxHeaderLength

  trace_state() = default;

  // Parses one combined tracestate value (several headers joined with ','). Empty
  // list-members and optional whitespace are allowed; bad key or value grammar, more
  // than 32 members or a duplicate key give nullopt: the caller then drops tracestate.
  [[nodiscard]] static std::optional<trace_state> parse(std::string_view header) noexcept;

  // Key and value grammar of W3C Trace Context Level 2.
  [[nodiscard]] static bool valid_key(std::string_view key) noexcept;
  [[nodiscard]] static bool valid_value(std::string_view value) noexcept;

  [[nodiscard]] bool empty() const noexcept { return !members_ || members_->empty(); }
  [[nodiscard]] std::size_t size() const noexcept { return members_ ? members_->size() : 0; }
  [[nodiscard]] std::span<const member> members() const noexcept;
  // The value for `key`, or an empty view when absent.
  [[nodiscard]] std::string_view get(std::string_view key) const noexcept;

  // A copy with `key` set to `value` and moved to the front, as the spec wants for a
  // modified member. Drops the last member if that would exceed 32. Invalid input
  // returns an unchanged copy.
  [[nodiscard]] trace_state with(std::string_view key, std::string_view value) const;
  [[nodiscard]] trace_state without(std::string_view key) const;

  // Header value for inject: at most 512 characters; members over 128 characters are
  // dropped first, then members from the end, never part of one.
  [[nodiscard]] std::string to_header() const;

  friend bool operator==(const trace_state& a, const trace_state& b) noexcept;

 private:
  explicit trace_state(std::shared_ptr<const std::vector<member>> members) noexcept : members_(std::move(members)) {}
  std::shared_ptr<const std::vector<member>> members_;
};

}  // namespace tracebench::tracer
