#pragma once
// Carries out an experiment_plan against a scenario: every round runs every configuration on a
// service graph set up for it (fresh in-process, or a running one reconfigured), phase 1 (closed loop, capacity) then
// phase 2 (open loop, latency at a fixed offered rate), and keeps each run's raw figures for experiment_summary.

#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <string>
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

// One run of an experiment: what run_here needs beyond the scenario and the plan, and what the
// parent hands a child process that runs it.
struct run_request {
  std::string configuration;
  unsigned round = 0;
  double offered_rate = 0;            // phase 2's; 0 derives it from this run's capacity (round 0's off)
  double work_iterations_per_us = 0;  // the compute model's calibration; 0 for spin and remote graphs
  double work_scale = 1;              // the plan's: a child applies it to the scenario it loads
  // Round 1's off run sizes the closed loop for every run (closed_loop_sizing): it probes for the
  // concurrency unless the plan fixes it, and lengthens phase 1 when it completes too few requests.
  bool size_closed_loop = false;
  unsigned concurrency = 0;                     // otherwise, the sizing's
  std::chrono::nanoseconds capacity_window{0};  // likewise; 0: the plan's phase_duration
  [[nodiscard]] std::string to_json() const;
  // Throws std::invalid_argument naming the field.
  [[nodiscard]] static run_request from_json(std::string_view text);
};

// Called as each phase of a run starts (1 closed loop, 2 open loop).
using phase_callback = std::function<void(int phase)>;

// Phase 1 then phase 2 of one run, in this process, on a graph from `launch` (built here when it is
// empty). When `stop` becomes true the run is cut short; the caller drops it.
[[nodiscard]] run_record run_here(const services::scenario& s, const experiment_plan& plan, const run_request& request,
                                  const phase_callback& phase_started, const std::atomic<bool>* stop,
                                  const graph_launcher& launch = {});

// Carries out one run somewhere (this process, a child process) and returns its record. A run
// that could not finish comes back with both phases invalid and the reason; it never throws for
// that.
using run_executor = std::function<run_record(const run_request&, const phase_callback& phase_started)>;

// Runs rounds x configurations, each taking about 2 x (warmup + phase_duration); with precision
// targets or a time budget, as many rounds as next_round() (adaptive_rounds) allows, and `total` in
// progress events counts the plan's rounds only. Round orders are
// round_orders() over the configurations rotated to start at "off", so round 0 measures off's
// capacity before any phase 2 needs it. When `stop` becomes true the run under way is cut short
// and dropped, and the result comes back marked interrupted. Throws std::invalid_argument for a
// plan validate() rejects, and std::runtime_error when the off configuration completes no
// request in round 0.
// Each run is `execute`'s; when it is empty, run_here in this process on a graph from `launch`
// (built here when it is empty too).
[[nodiscard]] experiment_result run_experiment(const services::scenario& s, const experiment_plan& plan,
                                               const progress_callback& progress = {},
                                               const std::atomic<bool>* stop = nullptr,
                                               const graph_launcher& launch = {}, const run_executor& execute = {});

}  // namespace tracebench::harness
