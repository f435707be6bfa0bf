#include "tracebench/results/hot_path_costs.hpp"

#include "tracebench/services/scenario_summary.hpp"

namespace tracebench::harness {

overhead_prediction predict_overhead(const hot_path_costs& costs, double spans_per_request, double hops_per_request,
                                     double sampled_fraction, double baseline_cpu_ns_per_request) noexcept {
  const double f = sampled_fraction;
  // The propagator runs on every hop whatever the decision: unsampled traces still carry context.
  const double cpu =
      spans_per_request * (f * (costs.sampled_span_ns + costs.export_ns_per_span) + (1 - f) * costs.unsampled_span_ns) +
      hops_per_request * (costs.inject_ns + costs.extract_ns);
  overhead_prediction p;
  p.cpu_ns_per_request = cpu;
  const double total = baseline_cpu_ns_per_request + cpu;
  if (total > 0) p.throughput_change_percent = -cpu / total * 100;
  return p;
}

overhead_prediction predict_overhead(const hot_path_costs& costs, const services::tracing_config& config,
                                     double spans_per_request, double hops_per_request,
                                     double baseline_cpu_ns_per_request) noexcept {
  switch (config.tracing) {
    case services::tracing_config::mode::off:
      return {};
    case services::tracing_config::mode::never:
      return predict_overhead(costs, spans_per_request, hops_per_request, 0, baseline_cpu_ns_per_request);
    case services::tracing_config::mode::probability:
      break;
  }
  return predict_overhead(costs, spans_per_request, hops_per_request, config.probability, baseline_cpu_ns_per_request);
}

double calls_per_request(const services::scenario& s) {
  const services::scenario_summary summary = services::summarize(s);
  double calls = 0;
  for (std::size_t i = 0; i < s.services.size(); ++i) {
    double per_invocation = 0;
    for (const services::step& st : s.services[i].steps) {
      for (const services::call& c : st.calls) per_invocation += c.probability * c.repeat;
    }
    calls += summary.per_service[i].invocations * per_invocation;
  }
  return calls;
}

}  // namespace tracebench::harness
