#pragma once
// Attribute values: a non-owning view for the API, an owning slot for records.

#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace tracebench::tracer {

enum class attribute_type : std::uint8_t { string, int64, float64, boolean };

// What callers pass in; strings are copied when recorded, so views may be temporary.
class attribute_value {
 public:
  attribute_value(std::string_view s) noexcept : type_(attribute_type::string), str_(s) {}
  attribute_value(const char* s) noexcept : type_(attribute_type::string), str_(s) {}
  attribute_value(const std::string& s) noexcept : type_(attribute_type::string), str_(s) {}
  attribute_value(bool b) noexcept : type_(attribute_type::boolean), b_(b) {}
  attribute_value(double d) noexcept : type_(attribute_type::float64), d_(d) {}
  template <typename T>
  requires(std::is_integral_v<T> && !std::is_same_v<T, bool>) attribute_value(T i)
  noexcept : type_(attribute_type::int64), i_(static_cast<std::int64_t>(i)) {}

  [[nodiscard]] attribute_type type() const noexcept { return type_; }
  [[nodiscard]] std::string_view as_string() const noexcept { return str_; }
  [[nodiscard]] std::int64_t as_int() const noexcept { return i_; }
  [[nodiscard]] double as_double() const noexcept { return d_; }
  [[nodiscard]] bool as_bool() const noexcept { return b_; }

 private:
  attribute_type type_;
  std::string_view str_{};
  union {
    std::int64_t i_ = 0;
    double d_;
    bool b_;
  };
};

// Equality of short texts without a libc call: attribute keys and span names are mostly
// under 16 bytes, where two overlapping word loads decide it.
[[nodiscard]] inline bool same_text(std::string_view a, std::string_view b) noexcept {
  const std::size_t n = a.size();
  if (n != b.size()) return false;
  const char* x = a.data();
  const char* y = b.data();
  auto load8 = [](const char* p) {
    std::uint64_t v;
    __builtin_memcpy(&v, p, 8);
    return v;
  };
  auto load4 = [](const char* p) {
    std::uint32_t v;
    __builtin_memcpy(&v, p, 4);
    return v;
  };
  if (n >= 8 && n <= 16) return load8(x) == load8(y) && load8(x + n - 8) == load8(y + n - 8);
  if (n >= 4 && n < 8) return load4(x) == load4(y) && load4(x + n - 4) == load4(y + n - 4);
  if (n < 4) {
    for (std::size_t i = 0; i < n; ++i) {
      if (x[i] != y[i]) return false;
    }
    return true;
  }
  return std::char_traits<char>::compare(x, y, n) == 0;
}

// Copies `from` into `to` unless they already hold the same text; keeps `to`'s capacity.
// A recycled record's slot usually holds the very text about to be written, since
// instrumentation sets the same attributes in the same order.
inline void assign_text(std::string& to, std::string_view from) noexcept {
  if (!same_text(to, from)) to.assign(from);
}

// An owned key/value. Slots are reused across spans, so assigning into one keeps the
// strings' capacity and a warmed-up record allocates nothing.
struct attribute {
  std::string key;
  std::string str;
  attribute_type type = attribute_type::int64;
  union {
    std::int64_t i = 0;
    double d;
    bool b;
  };

  void assign(std::string_view k, const attribute_value& v) noexcept;
  [[nodiscard]] attribute_value value() const noexcept;
};

// Attributes of a span, event or resource, with a count limit; what is over the limit is
// counted in dropped() and exported as droppedAttributesCount, never silently lost.
class attribute_list {
 public:
  static constexpr std::uint32_t kDefaultLimit = 128;  // OpenTelemetry's default

  // Sets or overwrites `key`. Empty keys are ignored (the spec forbids them).
  void set(std::string_view key, const attribute_value& value) noexcept;
  void clear() noexcept {
    size_ = 0;
    dropped_ = 0;
  }
  [[nodiscard]] std::size_t size() const noexcept { return size_; }
  [[nodiscard]] bool empty() const noexcept { return size_ == 0; }
  [[nodiscard]] std::uint32_t dropped() const noexcept { return dropped_; }
  [[nodiscard]] const attribute* begin() const noexcept { return slots_.data(); }
  [[nodiscard]] const attribute* end() const noexcept { return slots_.data() + size_; }
  [[nodiscard]] const attribute* find(std::string_view key) const noexcept;
  void set_limit(std::uint32_t limit) noexcept { limit_ = limit; }

 private:
  std::vector<attribute> slots_;  // slots_[0, size_) are live; the rest keep their capacity
  std::size_t size_ = 0;
  std::uint32_t dropped_ = 0;
  std::uint32_t limit_ = kDefaultLimit;
};

}  // namespace tracebench::tracer
