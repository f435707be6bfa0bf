#pragma once
// Reads a scenario from JSON text or a file and checks all of it. User mistakes never throw:
// they come back as one-line errors, every one found, in file order.

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tracebench/services/scenario.hpp"

namespace tracebench::services {

// Caps that keep a typo from asking for billions of spans per request.
inline constexpr std::int64_t kMaxRepeat = 10'000;
inline constexpr std::int64_t kMaxBatchSize = 10'000;

struct load_result {
  std::optional<scenario> value;  // set exactly when errors is empty
  // Each "<json.path>: <problem>" (or "line L, column C: invalid JSON: ..."); a caller
  // reporting them prefixes the file name. When unreadable, the single error is
  // "cannot read FILE: <reason>" and already names the file.
  std::vector<std::string> errors;
  bool unreadable = false;

  [[nodiscard]] bool ok() const noexcept { return errors.empty(); }
};

// Accepts strict JSON plus // and /* */ comments. Paths in errors look like
// services.payments.calls[1][0].to; keys that are not plain words are quoted: resource["a.b"].
[[nodiscard]] load_result parse_scenario(std::string_view text);
[[nodiscard]] load_result load_scenario_file(const std::filesystem::path& file);

}  // namespace tracebench::services
