#pragma once
// Typed, path-aware reads of scenario JSON that record a one-line error instead of
// throwing, so the loader can keep going and report every mistake in one pass.
// Internal to the loader; the public model never sees JSON.

#include <array>
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tracebench/services/scenario.hpp"

namespace tracebench::services::detail {

// ordered_json keeps file order, so errors and services come out in the order they were written.
using json = nlohmann::ordered_json;
using key_list = std::span<const std::string_view>;

// A JSON string literal for messages: quotes and escapes, never a raw newline.
[[nodiscard]] std::string quote(std::string_view s);
// A value as written, for "got ..." in messages.
[[nodiscard]] std::string shown(const json& v);

// Paths are strings; the root is "" and is shown as "top level". Plain keys join with
// dots (services.bank-api), others are quoted (resource["deployment.environment"]).
[[nodiscard]] std::string child(const std::string& base, std::string_view key);
[[nodiscard]] std::string element(const std::string& base, std::size_t i);

[[nodiscard]] std::size_t edit_distance(std::string_view a, std::string_view b);

// " (did you mean "x"?)" for a near miss (at most two edits, fewer than the word's length), else "".
template <typename Range>
[[nodiscard]] std::string suggestion(std::string_view word, const Range& candidates) {
  std::string_view best;
  std::size_t best_distance = 3;
  for (const auto& candidate : candidates) {
    const std::size_t d = edit_distance(word, candidate);
    if (d < best_distance && d < word.size()) {
      best = candidate;
      best_distance = d;
    }
  }
  return best.empty() ? std::string() : " (did you mean " + quote(best) + "?)";
}

// Each read checks type and range, records "<path>: <problem>" on failure and returns nullopt.
class json_checker {
 public:
  void fail(const std::string& path, std::string_view problem);
  void wrong_type(const std::string& path, std::string_view expected, const json& got);
  // Reports each key of `object` not in `allowed`.
  void known_keys(const json& object, const std::string& path, key_list allowed);
  void required_key(const json& object, const std::string& path, std::string_view key);

  bool is_object(const json& v, const std::string& path);
  std::optional<std::string> text(const json& v, const std::string& path, bool allow_empty = false);
  std::optional<bool> boolean(const json& v, const std::string& path);
  std::optional<double> number(const json& v, const std::string& path);
  std::optional<double> positive(const json& v, const std::string& path);
  std::optional<double> duration(const json& v, const std::string& path);  // >= 0
  std::optional<double> probability(const json& v, const std::string& path);
  std::optional<std::int64_t> integer(const json& v, const std::string& path, std::int64_t low, std::int64_t high);
  // A number (constant) or an object with exactly one of constant, uniform, exponential,
  // lognormal {median, p99}, empirical.
  std::optional<distribution> duration_distribution(const json& v, const std::string& path);
  // An object of string, number or boolean values.
  std::vector<attribute> attributes(const json& v, const std::string& path);
  // An array of non-empty strings.
  std::vector<std::string> names(const json& v, const std::string& path);
  std::optional<span_kind> kind(const json& v, const std::string& path);

  // A string that must be one of `options`' names.
  template <typename Enum, std::size_t N>
  std::optional<Enum> choice(const json& v, const std::string& path, std::string_view what,
                             const std::array<std::pair<std::string_view, Enum>, N>& options) {
    const std::optional<std::string> s = text(v, path, true);
    if (!s) return std::nullopt;
    std::string expected;
    for (std::size_t i = 0; i < N; ++i) {
      if (options[i].first == *s) return options[i].second;
      expected += (i == 0 ? "" : i + 1 == N ? " or " : ", ") + std::string(options[i].first);
    }
    fail(path, "unknown " + std::string(what) + " " + quote(*s) + " (expected " + expected + ")");
    return std::nullopt;
  }

  [[nodiscard]] const std::vector<std::string>& errors() const noexcept { return errors_; }
  [[nodiscard]] std::vector<std::string> take_errors() noexcept { return std::move(errors_); }

 private:
  std::vector<std::string> errors_;
};

// A parser callback that reports repeated keys with their object's path; nlohmann would
// otherwise keep the last value silently.
class duplicate_key_finder {
 public:
  explicit duplicate_key_finder(json_checker& check) : check_(&check) {}
  bool operator()(int depth, json::parse_event_t event, json& parsed);

 private:
  struct frame {
    bool array;
    std::size_t index;
    std::string key;
    std::vector<std::string> keys;
  };
  [[nodiscard]] std::string path() const;

  json_checker* check_;
  std::vector<frame> frames_;
};

// "line 3, column 5: invalid JSON: syntax error ..." from nlohmann's exception text.
[[nodiscard]] std::string describe_parse_error(const json::exception& e);

}  // namespace tracebench::services::detail
