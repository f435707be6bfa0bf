#pragma once
// Flag values shared by the commands: whole numbers, seconds, rates, and the error a wrong one
// raises. Each problem is reported as "tracebench <command>: --flag: problem".

#include <chrono>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace tracebench::harness {

// A flag value the user got wrong; what() is "--flag: problem".
struct flag_error : std::invalid_argument {
  flag_error(std::string_view flag, const std::string& problem)
      : std::invalid_argument(std::string(flag) + ": " + problem) {}
};

// `text` without leading and trailing spaces and tabs.
[[nodiscard]] std::string_view trim_blanks(std::string_view text) noexcept;

// "a, b,c" -> {"a", "b", "c"}, blanks trimmed; throws flag_error naming `flag` for an empty item.
[[nodiscard]] std::vector<std::string> split_list(std::string_view flag, std::string_view text);

// The whole of `text` as a finite number; false for anything else (empty included).
[[nodiscard]] bool parse_finite(std::string_view text, double& value) noexcept;

// A whole number in [minimum, maximum]; throws flag_error naming `flag` otherwise.
[[nodiscard]] std::uint64_t parse_count(std::string_view flag, std::string_view text, std::uint64_t minimum,
                                        std::uint64_t maximum);

// Seconds as a decimal ("0.5", "10"), above 0 (or from 0 when zero_allowed), up to a day.
[[nodiscard]] std::chrono::nanoseconds parse_duration(std::string_view flag, std::string_view text, bool zero_allowed);

// A length of time with units, for budgets: "90s", "10m", "1h", "1m30s", or bare seconds ("600",
// "0.5"); above 0, up to a day.
[[nodiscard]] std::chrono::nanoseconds parse_time_with_units(std::string_view flag, std::string_view text);

// A rate in requests per second: "2000" or "2000/s", above 0 and at most 10^7.
[[nodiscard]] double parse_rate(std::string_view flag, std::string_view text);

}  // namespace tracebench::harness
