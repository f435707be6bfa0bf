#pragma once
// The tracer's hot-path costs measured on this machine (results/hot_path_costs.hpp), before an
// experiment's first run, for the predicted overhead.

#include <cstddef>

#include "tracebench/results/hot_path_costs.hpp"

namespace tracebench::harness {

struct calibration_options {
  // Totals over the timed repetitions; one more untimed repetition of each warms up first.
  std::size_t unsampled_spans = 200'000;
  std::size_t sampled_spans = 50'000;  // produced, and encoded meanwhile on the exporter thread
  std::size_t hops = 50'000;
  std::size_t repetitions = 5;  // >= 1
};

// Runs the tracer's real code through the instrumentation seam, built by the services'
// own make_instrumentation_factory, doing per span and per hop what a simulated service
// does. Takes some tens of milliseconds with the defaults, plus one exporter thread.
[[nodiscard]] hot_path_costs measure_hot_path_costs(const calibration_options& options = {});

}  // namespace tracebench::harness
