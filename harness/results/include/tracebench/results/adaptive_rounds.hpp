#pragma once
// When an experiment stops adding rounds. The plan's rounds are the minimum when it has precision
// targets: rounds go on until every target is reached (check_precision on the summary so far). A
// time budget (--max-time; kDefaultPrecisionBudget with targets and no --max-time) bounds every
// round but the first, planned ones included: no round starts that is predicted to end after
// it, the next round taken to last as long as the longest so far.

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "tracebench/results/experiment_plan.hpp"

namespace tracebench::harness {

struct experiment_result;

// Why the rounds stopped (an interrupted experiment says so apart: experiment_result::interrupted).
enum class rounds_end : std::uint8_t {
  planned,            // the plan's rounds ran, and it had no precision targets
  precision_reached,  // every target was reached
  time_budget,        // another round was predicted to end after the budget
  round_limit,        // kMaxRounds ran
};
// "planned", "precision_reached", "time_budget", "round_limit"
[[nodiscard]] std::string_view rounds_end_name(rounds_end end) noexcept;
[[nodiscard]] std::optional<rounds_end> rounds_end_named(std::string_view name) noexcept;

// With precision targets and no --max-time, so that a run always stops by itself: long enough for
// three times the default plan, short enough to leave running over lunch.
inline constexpr std::chrono::minutes kDefaultPrecisionBudget{30};
// At most this many rounds whatever the targets; a summary per round grows with their number.
inline constexpr unsigned kMaxRounds = 1000;

// plan.max_time; else kDefaultPrecisionBudget when the plan has precision targets; else none.
[[nodiscard]] std::optional<std::chrono::nanoseconds> time_budget(const experiment_plan& plan);
// Whether the number of rounds is decided while the experiment runs: targets or a time budget.
[[nodiscard]] bool adaptive(const experiment_plan& plan) noexcept;
// The most rounds the plan can run: plan.rounds, or with precision targets the larger of it and kMaxRounds.
[[nodiscard]] unsigned round_limit(const experiment_plan& plan) noexcept;

// Whether a round predicted to last as long as the longest of `past` ends within `budget`,
// `elapsed` into it. True before any round has run: there is nothing to predict from.
[[nodiscard]] bool round_fits(std::chrono::nanoseconds elapsed, std::span<const std::chrono::nanoseconds> past,
                              std::chrono::nanoseconds budget) noexcept;

struct round_decision {
  bool another = false;
  rounds_end end = rounds_end::planned;  // when not another
};

// Whether to start another round after `so_far.plan`'s rounds 0..rounds_done-1, with `elapsed`
// since the experiment started and `past` the duration of each round so far. Pure: the caller
// measures the time. The first round always starts.
[[nodiscard]] round_decision next_round(const experiment_result& so_far, unsigned rounds_done,
                                        std::chrono::nanoseconds elapsed,
                                        std::span<const std::chrono::nanoseconds> past);

}  // namespace tracebench::harness
