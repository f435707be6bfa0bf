#include "tracebench/common/flag_values.hpp"

#include <charconv>
#include <cmath>

namespace tracebench::harness {

namespace {

constexpr double kMaxSeconds = 86'400;  // a day: no phase is meant to be longer
constexpr double kMaxRate = 1e7;        // far above what one generator thread can pace

}  // namespace

std::string_view trim_blanks(std::string_view text) noexcept {
  const auto first = text.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(" \t") - first + 1);
}

std::vector<std::string> split_list(std::string_view flag, std::string_view text) {
  std::vector<std::string> items;
  std::size_t start = 0;
  while (true) {
    const std::size_t comma = text.find(',', start);
    std::string entry(trim_blanks(text.substr(start, comma == std::string_view::npos ? comma : comma - start)));
    if (entry.empty()) {
      std::string problem = "an empty item in \"";
      problem += text;
      problem += '"';
      throw flag_error(flag, problem);
    }
    items.push_back(std::move(entry));
    if (comma == std::string_view::npos) return items;
    start = comma + 1;
  }
}

bool parse_finite(std::string_view text, double& value) noexcept {
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  return !text.empty() && ec == std::errc{} && ptr == text.data() + text.size() && std::isfinite(value);
}

std::uint64_t parse_count(std::string_view flag, std::string_view text, std::uint64_t minimum, std::uint64_t maximum) {
  const std::string_view body = trim_blanks(text);
  std::uint64_t value = 0;
  const auto [ptr, ec] = std::from_chars(body.data(), body.data() + body.size(), value);
  // from_chars on unsigned rejects a sign, so "-1" fails here rather than wrapping around.
  if (body.empty() || ec != std::errc{} || ptr != body.data() + body.size() || value < minimum || value > maximum) {
    throw flag_error(flag, "expected a whole number from " + std::to_string(minimum) + " to " +
                               std::to_string(maximum) + ", not \"" + std::string(text) + "\"");
  }
  return value;
}

std::chrono::nanoseconds parse_duration(std::string_view flag, std::string_view text, bool zero_allowed) {
  double value = 0;
  if (!parse_finite(trim_blanks(text), value) || value < 0 || (value == 0 && !zero_allowed) || value > kMaxSeconds) {
    throw flag_error(flag, std::string("expected seconds ") + (zero_allowed ? "from 0" : "above 0") +
                               " up to 86400, such as 0.5 or 10, not \"" + std::string(text) + "\"");
  }
  return std::chrono::round<std::chrono::nanoseconds>(std::chrono::duration<double>(value));
}

std::chrono::nanoseconds parse_time_with_units(std::string_view flag, std::string_view text) {
  const std::string_view body = trim_blanks(text);
  double seconds = 0;
  bool ok = parse_finite(body, seconds);
  if (!ok && !body.empty()) {
    // Number-unit pairs, as in 1h30m: each number plain (no sign, no exponent).
    ok = true;
    seconds = 0;  // from_chars above may have read a leading number
    std::size_t at = 0;
    while (ok && at < body.size()) {
      const std::size_t digits = body.find_first_not_of("0123456789.", at);
      double value = 0;
      if (digits == at || digits == std::string_view::npos || !parse_finite(body.substr(at, digits - at), value)) {
        ok = false;
        break;
      }
      const char unit = body[digits];
      const double scale = unit == 'h' ? 3600 : unit == 'm' ? 60 : unit == 's' ? 1 : 0;
      ok = scale > 0;
      seconds += value * scale;
      at = digits + 1;
    }
  }
  if (!ok || !(seconds > 0) || seconds > kMaxSeconds) {
    throw flag_error(
        flag, "expected a time above 0 up to a day, such as 600, 90s, 10m or 1h30m, not \"" + std::string(text) + "\"");
  }
  return std::chrono::round<std::chrono::nanoseconds>(std::chrono::duration<double>(seconds));
}

double parse_rate(std::string_view flag, std::string_view text) {
  std::string_view body = trim_blanks(text);
  if (body.ends_with("/s")) body.remove_suffix(2);
  double value = 0;
  if (!parse_finite(body, value) || !(value > 0) || value > kMaxRate) {
    throw flag_error(flag, "expected requests per second above 0 up to 10000000, such as 500 or 2000/s, not \"" +
                               std::string(text) + "\"");
  }
  return value;
}

}  // namespace tracebench::harness
