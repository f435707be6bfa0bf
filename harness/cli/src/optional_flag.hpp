#pragma once
// An optional string flag of a command: its value, or none when it was not given.

#include <boost/program_options/variables_map.hpp>
#include <optional>
#include <string>

namespace tracebench::harness {

// For flags without a default value (one with a default is always given).
[[nodiscard]] inline std::optional<std::string> optional_flag(const boost::program_options::variables_map& values,
                                                              const char* name) {
  if (values.count(name) == 0) return std::nullopt;
  return values[name].as<std::string>();
}

}  // namespace tracebench::harness
