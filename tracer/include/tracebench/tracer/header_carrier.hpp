#pragma once
// Where propagators read and write headers: HTTP headers, message headers, a map.
// Keys compare case-insensitively (ASCII), as HTTP field names do.

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tracebench::tracer {

[[nodiscard]] bool iequals(std::string_view a, std::string_view b) noexcept;

class header_carrier {
 public:
  virtual ~header_carrier() = default;
  // Copies up to `max` values of `key` into `out` (views valid while the carrier lives
  // unmodified) and returns how many values the carrier holds in all, which may exceed
  // `max`: propagators need that to see duplicated headers.
  virtual std::size_t get_all(std::string_view key, std::string_view* out, std::size_t max) const noexcept = 0;
  // Replaces every value of `key` with `value`.
  virtual void set(std::string_view key, std::string_view value) = 0;

  // The single value of `key`, or empty when absent.
  [[nodiscard]] std::string_view get(std::string_view key) const noexcept {
    std::string_view v;
    return get_all(key, &v, 1) > 0 ? v : std::string_view{};
  }
};

// A small ordered list of headers; duplicates are kept, as on the wire.
class header_list final : public header_carrier {
 public:
  header_list() = default;
  header_list(std::initializer_list<std::pair<std::string, std::string>> init) : fields_(init) {}

  std::size_t get_all(std::string_view key, std::string_view* out, std::size_t max) const noexcept override;
  void set(std::string_view key, std::string_view value) override;
  // Appends without replacing, to model a request that repeats a header.
  void add(std::string_view key, std::string_view value);
  void clear() noexcept { fields_.clear(); }

  [[nodiscard]] const std::vector<std::pair<std::string, std::string>>& fields() const noexcept { return fields_; }

 private:
  std::vector<std::pair<std::string, std::string>> fields_;
};

}  // namespace tracebench::tracer
