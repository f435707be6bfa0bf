#pragma once
// The sentences and cells an experiment summary is reported with, shared by the terminal table
// and the report formats so every output words a figure the same way.

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "tracebench/results/experiment_summary.hpp"

namespace tracebench::harness {

// "+1.23%"
[[nodiscard]] std::string signed_percent(double value, int decimals = 2);
// "+1.23% [-0.50, +3.10] ~" (~ when the interval contains 0); "baseline" for off, "n/a" without data.
[[nodiscard]] std::string change_cell(const configuration_summary& row, const metric_delta& delta);
// The same for a delta of no particular row: "+1.23% [-0.50, +3.10] ~", or "n/a".
[[nodiscard]] std::string delta_cell(const metric_delta& delta);
// A difference in the metric's own unit, not percent: "+19.50 [+19.40, +19.60] ~"; "baseline" for
// off, "n/a" without data.
[[nodiscard]] std::string difference_cell(const configuration_summary& row, const metric_delta& delta);
// "8", or "8 (1 INVALID)" when some of the configuration's runs were left out.
[[nodiscard]] std::string runs_cell(const configuration_summary& row);
// The formatted value, or "-" when there is none.
[[nodiscard]] std::string optional_cell(const std::optional<double>& value, std::string (*format)(double));
// Spans, OTLP/JSON and zstd bytes per day at the configuration's sampled fraction; "-" each
// without a projection.
[[nodiscard]] std::vector<std::string> projection_cells(const configuration_summary& row);
// "3 rounds, 1 executor thread, in-process, open loop at 1,411/s", and ", work x0.5 (...)" when
// the scenario's work was scaled
[[nodiscard]] std::string experiment_setup_line(const experiment_summary& summary);
// Debug build, interrupted, loaded machine: each one sentence, none when all is well.
[[nodiscard]] std::vector<std::string> summary_warnings(const experiment_summary& summary);
// When some interval could not reach 95%, the sentence saying so; else empty.
[[nodiscard]] std::string interval_level_note(const experiment_summary& summary);
[[nodiscard]] std::string predicted_note(const experiment_summary& summary);
[[nodiscard]] std::string generator_health_line(const experiment_summary& summary);
[[nodiscard]] std::string validity_rule_line(const experiment_summary& summary);
// How to read the A/A row and the "~" it adds; empty when the plan had no A/A row.
[[nodiscard]] std::string noise_floor_note(const experiment_summary& summary);
inline constexpr const char* kNoiseFloorTitle = "Noise floor (A/A: off run again, against off)";
// Whether any configuration has memory figures (files written before them have none).
[[nodiscard]] bool has_memory(const experiment_summary& summary);
// How the memory table was measured and reads; empty without memory figures.
[[nodiscard]] std::string memory_note(const experiment_summary& summary);
inline constexpr const char* kMemoryTitle = "Memory";
// How an adaptive plan's rounds ended, then each precision target: "cpu ±1%: reached after 14
// rounds (worst ±0.82%, 1/1)", "throughput ±1%: not reached in 10m: ±1.7% worst (1/16), 5 of 7
// configurations within, after 22 rounds". Empty when the plan did not adapt.
[[nodiscard]] std::vector<std::string> precision_lines(const experiment_summary& summary);
inline constexpr const char* kPrecisionTitle = "Precision";
// "10m", "1h30m", "90s" -> "1m30s", "0.5s".
[[nodiscard]] std::string budget_text(std::chrono::nanoseconds budget);
// Spans and bytes per day at the scenario's production rate; empty without a production profile.
[[nodiscard]] std::string projection_line(const experiment_summary& summary);

inline constexpr const char* kDapperSource =
    "Dapper: Sigelman et al. 2010, Table 2 (error +-2.5% latency, +-0.15% throughput).";

}  // namespace tracebench::harness
