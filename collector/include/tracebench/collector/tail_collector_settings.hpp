#pragma once
// The tail-sampling collector a "tail" configuration puts between exporter and storage: its
// buffer, its keep policies, and how many collectors share the traffic.

#include <chrono>
#include <cstddef>
#include <optional>

#include "tracebench/collector/tail_policy.hpp"

namespace tracebench::collector {

struct tail_collector_settings {
  std::chrono::nanoseconds decision_wait = std::chrono::seconds(1);
  std::size_t num_traces = 50'000;
  bool keep_errors = true;
  std::chrono::nanoseconds slow = std::chrono::milliseconds(100);  // also what "slow" means below
  double baseline = 0.1;                                           // 0: no probabilistic policy
  // Collectors behind a trace-id router; with reshard_to (more than collectors), grown to that many
  // halfway through each run's latency phase, so that traces in flight split between two.
  unsigned collectors = 1;
  std::optional<unsigned> reshard_to;

  [[nodiscard]] tail_policy policy() const;
};

}  // namespace tracebench::collector
