#pragma once
// Two hot-path instruction files (scripts/profile-hot-path --json) side by side, for `tracebench
// compare`: per operation the change in callgrind instructions from BASE to NEW, gated by one
// threshold on the rise. The counts repeat to a fraction of a percent on one build and CPU, so
// one figure a side is the whole sample: no interval and no significance test, unlike run files.

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tracebench::harness {

inline constexpr std::string_view kInstructionCountsSchema = "tracebench.hot-path-instructions/1";
// What a threshold names for these files: instructions=+3%.
inline constexpr std::string_view kInstructionsMetric = "instructions";

struct instruction_counts {
  std::string origin;
  std::vector<std::pair<std::string, double>> operations;  // in the file's order, every count > 0
};

// Throws results_file_error, one line naming the file and the JSON path: another schema, no
// "operations" object, a count that is not a positive number.
[[nodiscard]] instruction_counts parse_instruction_counts(const nlohmann::ordered_json& document,
                                                          std::string_view origin);

enum class instruction_verdict {
  regression,  // gated: risen beyond the threshold, or in BASE and not measured in NEW
  pass,        // gated: within the threshold (a fall included)
  reported,    // no threshold: nothing is gated
  not_gated,   // only in NEW: gated once BASE has it
};
[[nodiscard]] std::string_view verdict_name(instruction_verdict verdict) noexcept;

struct operation_change {
  std::string operation;
  std::optional<double> base_count;  // absent: only in NEW
  std::optional<double> new_count;   // absent: NEW did not measure it
  double change_percent = 0.0;       // (new / base - 1) x 100, when both are present
  instruction_verdict verdict = instruction_verdict::reported;
};

struct instruction_comparison {
  std::string base_origin;
  std::string new_origin;
  std::optional<double> threshold_percent;   // the allowed rise; none: report only
  std::vector<operation_change> operations;  // BASE's order, then those only in NEW

  [[nodiscard]] std::vector<const operation_change*> regressions() const;
  [[nodiscard]] bool passed() const { return regressions().empty(); }
};

// threshold_percent >= 0 when given.
[[nodiscard]] instruction_comparison compare_instruction_counts(const instruction_counts& base,
                                                                const instruction_counts& fresh,
                                                                std::optional<double> threshold_percent);

}  // namespace tracebench::harness
