#include "tracebench/results/reweighting.hpp"

#include <cmath>

namespace tracebench::harness {
namespace {

interval_estimate around(double value, double variance, double z) {
  const double half = z * std::sqrt(std::max(variance, 0.0));
  return {value, value - half, value + half};
}

}  // namespace

population_estimate estimate_population(std::span<const weighted_trace> kept, double z) {
  population_estimate out;
  out.kept = kept.size();
  double requests = 0, errors = 0, naive_errors = 0;
  double requests_variance = 0, errors_variance = 0;
  for (const weighted_trace& t : kept) {
    const double w = t.adjusted_count;
    requests += w;
    requests_variance += w * (w - 1);
    if (t.error) {
      errors += w;
      errors_variance += w * (w - 1);
      naive_errors += 1;
    }
  }
  out.requests = around(requests, requests_variance, z);
  out.errors = around(errors, errors_variance, z);
  out.naive_requests = static_cast<double>(kept.size());
  if (requests > 0) {
    const double rate = errors / requests;
    // Linearised ratio: the variance of sum w (e - rate), over the estimated total squared.
    double rate_variance = 0;
    for (const weighted_trace& t : kept) {
      const double residual = (t.error ? 1.0 : 0.0) - rate;
      rate_variance += t.adjusted_count * (t.adjusted_count - 1) * residual * residual;
    }
    out.error_rate = around(rate, rate_variance / (requests * requests), z);
    out.naive_error_rate = naive_errors / static_cast<double>(kept.size());
  }
  return out;
}

}  // namespace tracebench::harness
