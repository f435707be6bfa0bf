#include "tracebench/results/adaptive_rounds.hpp"

#include <algorithm>

#include "tracebench/results/experiment_summary.hpp"
#include "tracebench/results/precision_target.hpp"
#include "tracebench/results/run_record.hpp"

namespace tracebench::harness {

std::string_view rounds_end_name(rounds_end end) noexcept {
  switch (end) {
    case rounds_end::planned:
      return "planned";
    case rounds_end::precision_reached:
      return "precision_reached";
    case rounds_end::time_budget:
      return "time_budget";
    case rounds_end::round_limit:
      return "round_limit";
  }
  return "planned";
}

std::optional<rounds_end> rounds_end_named(std::string_view name) noexcept {
  for (const rounds_end end :
       {rounds_end::planned, rounds_end::precision_reached, rounds_end::time_budget, rounds_end::round_limit}) {
    if (rounds_end_name(end) == name) return end;
  }
  return std::nullopt;
}

std::optional<std::chrono::nanoseconds> time_budget(const experiment_plan& plan) {
  if (plan.max_time) return plan.max_time;
  if (!plan.precision.empty()) return std::chrono::nanoseconds(kDefaultPrecisionBudget);
  return std::nullopt;
}

bool adaptive(const experiment_plan& plan) noexcept { return !plan.precision.empty() || plan.max_time.has_value(); }

unsigned round_limit(const experiment_plan& plan) noexcept {
  return plan.precision.empty() ? plan.rounds : std::max(plan.rounds, kMaxRounds);
}

bool round_fits(std::chrono::nanoseconds elapsed, std::span<const std::chrono::nanoseconds> past,
                std::chrono::nanoseconds budget) noexcept {
  if (past.empty()) return true;
  return elapsed + *std::max_element(past.begin(), past.end()) <= budget;
}

round_decision next_round(const experiment_result& so_far, unsigned rounds_done, std::chrono::nanoseconds elapsed,
                          std::span<const std::chrono::nanoseconds> past) {
  const experiment_plan& plan = so_far.plan;
  if (rounds_done == 0) return {true, rounds_end::planned};
  if (rounds_done >= plan.rounds) {
    if (plan.precision.empty()) return {false, rounds_end::planned};
    // Checked before the budget: a run that got there says so even when out of time.
    if (check_precision(summarize_experiment(so_far), plan.precision).all_reached()) {
      return {false, rounds_end::precision_reached};
    }
    if (rounds_done >= round_limit(plan)) return {false, rounds_end::round_limit};
  }
  if (const auto budget = time_budget(plan); budget && !round_fits(elapsed, past, *budget)) {
    return {false, rounds_end::time_budget};
  }
  return {true, rounds_end::planned};
}

}  // namespace tracebench::harness
