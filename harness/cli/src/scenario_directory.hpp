#pragma once
// Where the shipped scenarios live, and how a command argument names one: a path, or the
// bare name of a shipped scenario ("checkout" for <dir>/checkout.json).

#include <filesystem>
#include <string_view>
#include <system_error>
#include <vector>

namespace tracebench::harness {

// $TRACEBENCH_SCENARIOS when set and not empty, else the source tree's scenarios/ (baked in
// at build time, so the binary works from any working directory).
[[nodiscard]] std::filesystem::path scenario_directory();

// The argument itself when it names an existing file or has a directory or extension part;
// otherwise <scenario_directory()>/<arg>.json when that exists; otherwise the argument.
[[nodiscard]] std::filesystem::path resolve_scenario(std::string_view arg);

// The *.json files directly in `dir`, sorted by name.
[[nodiscard]] std::vector<std::filesystem::path> scenario_files(const std::filesystem::path& dir, std::error_code& ec);

}  // namespace tracebench::harness
