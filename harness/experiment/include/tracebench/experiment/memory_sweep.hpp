#pragma once
// How much a tail-sampling collector holds as its decision wait and the offered load change: a
// short open-loop run of the "tail" configuration per point, on a fresh in-process graph. By
// Little's law it should hold about rate x decision_wait traces; each point shows that beside
// what it held.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "tracebench/results/experiment_plan.hpp"
#include "tracebench/results/memory_sweep_point.hpp"
#include "tracebench/services/scenario.hpp"

namespace tracebench::harness {

struct memory_sweep_options {
  double offered_rate = 0;  // the experiment's; the load points are multiples of it
  unsigned threads = 1;     // the graph's executor threads
  // Multiples of plan.pipeline's decision wait, at offered_rate; then multiples of offered_rate, at
  // that wait.
  std::vector<double> wait_factors = {0.25, 0.5, 1, 2};
  std::vector<double> load_factors = {0.25, 0.5, 1, 1.5};
  // Each point runs this long, or twice its decision wait if longer: the collector is full after one.
  std::chrono::nanoseconds duration = std::chrono::seconds(2);
  const std::atomic<bool>* stop = nullptr;
};

// Requires plan.pipeline. Points in order: the decision waits, then the loads. Stops early (the
// points so far) when `stop` becomes true.
[[nodiscard]] std::vector<memory_sweep_point> sweep_collector_memory(const services::scenario& s,
                                                                     const experiment_plan& plan,
                                                                     const memory_sweep_options& options);

}  // namespace tracebench::harness
