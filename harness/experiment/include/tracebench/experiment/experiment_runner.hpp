#pragma once
// Carries out an experiment_plan against a scenario: every round runs every configuration on a
// service graph set up for it (fresh in-process, or a running one reconfigured), phase 1 (closed loop, capacity) then
// phase 2 (open loop, latency at a fixed offered rate), and keeps each run's raw figures for experiment_summary.

#include <atomic>
#include <cstddef>
#include <functional>
#include <string_view>
#include <vector>

#include "tracebench/experiment/run_graph.hpp"
#include "tracebench/results/experiment_plan.hpp"
#include "tracebench/results/run_record.hpp"
#include "tracebench/services/scenario.hpp"

namespace tracebench::harness {

struct progress_event {
  enum class kind : std::uint8_t { calibrating, phase_started, run_finished };
  kind what = kind::calibrating;
  std::string_view configuration;
  unsigned round = 0;    // 0-based
  int phase = 0;         // 1 closed loop, 2 open loop; phase_started only
  std::size_t done = 0;  // runs finished
  std::size_t total = 0;
  const run_record* finished = nullptr;  // run_finished only
};
using progress_callback = std::function<void(const progress_event&)>;

// Runs rounds x configurations, each taking about 2 x (warmup + phase_duration); with precision
// targets or a time budget, as many rounds as next_round() (adaptive_rounds) allows, and `total` in
// progress events counts the plan's rounds only. Round orders are
// round_orders() over the configurations rotated to start at "off", so round 0 measures off's
// capacity before any phase 2 needs it. When `stop` becomes true the run under way is cut short
// and dropped, and the result comes back marked interrupted. Throws std::invalid_argument for a
// plan validate() rejects, and std::runtime_error when the off configuration completes no
// request in round 0.
// Each run's graph comes from `launch`, built in this process when it is empty.
[[nodiscard]] experiment_result run_experiment(const services::scenario& s, const experiment_plan& plan,
                                               const progress_callback& progress = {},
                                               const std::atomic<bool>* stop = nullptr,
                                               const graph_launcher& launch = {});

}  // namespace tracebench::harness
