#pragma once
// Population figures from sampled traces: each kept trace stands for its adjusted count
// (1 / its probability of being kept, from the ot th its spans carry after head and tail
// sampling) of the requests that were made. Horvitz-Thompson estimates with their 95% intervals,
// and the naive counts beside them, which are wrong by the sampling rates' ratio whenever the
// pipeline keeps some traces more readily than others (errors, slow ones).

#include <cstddef>
#include <span>

namespace tracebench::harness {

struct weighted_trace {
  double adjusted_count = 1;  // >= 1
  bool error = false;
};

struct interval_estimate {
  double value = 0;
  double low = 0;  // value -+ z x the estimated standard error
  double high = 0;
};

struct population_estimate {
  std::size_t kept = 0;
  interval_estimate requests;    // sum of adjusted counts
  interval_estimate errors;      // sum over errored traces
  interval_estimate error_rate;  // errors / requests, by linearisation
  double naive_requests = 0;     // kept traces, as if nothing had been sampled
  double naive_error_rate = 0;   // kept errors / kept
};

// Kept traces are assumed kept independently of each other (true for trace-id randomness), with
// probability 1 / adjusted_count; the variance estimate is sum w(w-1)y^2. z = 1.96 gives 95%.
[[nodiscard]] population_estimate estimate_population(std::span<const weighted_trace> kept, double z = 1.96);

}  // namespace tracebench::harness
