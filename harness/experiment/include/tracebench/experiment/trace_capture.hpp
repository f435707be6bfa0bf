#pragma once
// The slowest sampled trace for a report's waterfall, from a capture run of its own after the
// experiment: keeping whole traces during a measured run would put its cost into the figures.

#include <chrono>
#include <optional>
#include <string>

#include "tracebench/results/experiment_plan.hpp"
#include "tracebench/results/recorded_trace.hpp"
#include "tracebench/services/scenario.hpp"

namespace tracebench::harness {

struct capture_options {
  std::string configuration;  // a sampling rate, e.g. "1/1"
  double rate = 0;            // open-loop requests per second; > 0
  std::chrono::nanoseconds duration = std::chrono::seconds(1);
  unsigned threads = 1;  // the graph's executor threads
  std::uint64_t seed = 1;
};

// Runs the scenario open-loop on a fresh in-process graph (plan.transport between services)
// and returns the slowest trace whose every span reached the exporter and hangs off its root;
// empty when no request's trace was sampled whole.
[[nodiscard]] std::optional<recorded_trace> capture_slowest_trace(const services::scenario& s,
                                                                  const experiment_plan& plan,
                                                                  const capture_options& options);

// The plan's configuration with the highest sampling probability (never and off have none);
// empty when the plan has no sampling rate.
[[nodiscard]] std::optional<std::string> capture_configuration(const experiment_plan& plan);

}  // namespace tracebench::harness
