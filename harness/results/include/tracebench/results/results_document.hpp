#pragma once
// The results file of `tracebench run` ("schema": "tracebench.results/1"): the machine and
// build it ran on, the plan, every raw run, and the summary, so a report can be redone later.

#include <nlohmann/json.hpp>

#include <string_view>

#include "tracebench/results/experiment_summary.hpp"
#include "tracebench/results/run_record.hpp"

namespace tracebench::harness {

inline constexpr const char* kResultsSchema = "tracebench.results/1";

// True when built without NDEBUG: its overhead figures do not describe a real deployment.
[[nodiscard]] constexpr bool debug_build() noexcept {
#ifdef NDEBUG
  return false;
#else
  return true;
#endif
}

// The key of a metric_delta's per-round figures: percent changes, or (kPerRoundDifference)
// differences in the metric's own unit.
inline constexpr const char* kPerRoundPercent = "per_round_percent";
inline constexpr const char* kPerRoundDifference = "per_round";

// {per_round_key, "rounds", "median", "low", "high", "achieved_level", "within_noise"}; median
// null when there was no valid pair of runs.
[[nodiscard]] nlohmann::ordered_json delta_document(const metric_delta& delta,
                                                    std::string_view per_round_key = kPerRoundPercent);

// cpu model, cores, kernel, compiler, build type; fields the host cannot tell are null.
[[nodiscard]] nlohmann::ordered_json environment_document();

// {"concurrency", "chosen", "wait_bound", "probes": [{"concurrency", "throughput"}], "capacity_window_s"}
[[nodiscard]] nlohmann::ordered_json closed_loop_document(const closed_loop_sizing& sizing);

// One raw run as the results file's "runs" lists it (its latency histogram and pipeline ledger left out).
[[nodiscard]] nlohmann::ordered_json run_document(const run_record& r);

[[nodiscard]] nlohmann::ordered_json results_document(const experiment_result& result,
                                                      const experiment_summary& summary);

}  // namespace tracebench::harness
