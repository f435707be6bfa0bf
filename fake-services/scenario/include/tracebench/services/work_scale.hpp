#pragma once
// A scenario with more or less work per request (`tracebench run --work-scale`): the same graph,
// calls and errors, every service's cpu_us and wait_us (and its internal spans') multiplied by one
// factor, so the cost of tracing can be set against the cost of the request it rides on.

#include "tracebench/services/scenario.hpp"

namespace tracebench::services {

// `s` with every cpu_us and wait_us distribution scaled by `factor`: each draw is `factor` times
// the draw the original would give from the same random bits (constant, uniform bounds,
// exponential mean, lognormal median and p99, empirical values). Queue delays are the transport's,
// not the service's work, and stay. Precondition: factor > 0 and finite.
[[nodiscard]] scenario scale_work(scenario s, double factor);

}  // namespace tracebench::services
