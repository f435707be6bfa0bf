#pragma once
// Predicted overhead: what tracing should cost per request, from the tracer's hot-path
// costs measured on this machine and the scenario's shape, to show beside the measured delta.

#include <cstddef>

#include "tracebench/services/scenario.hpp"
#include "tracebench/services/tracing_config.hpp"

namespace tracebench::harness {

// Nanoseconds of CPU per operation (thread CPU time, so a busy machine's preemptions do not
// count), each the median of the calibration's repetitions.
struct hot_path_costs {
  // Start a child of an unsampled parent, 3 attributes, end: the parent-based path every
  // ratio takes (never's always_off sampler decides per span instead, slightly dearer).
  double unsampled_span_ns = 0;
  double sampled_span_ns = 0;     // the same sampled: record filled, handed to a batch_processor
  double export_ns_per_span = 0;  // OTLP/JSON encoding on the exporter thread, per span
  double inject_ns = 0;           // tracecontext,baggage into a fresh header_list
  double extract_ns = 0;          // the same headers back into a propagation_context
};

struct overhead_prediction {
  double cpu_ns_per_request = 0;         // tracing's CPU per request
  double throughput_change_percent = 0;  // <= 0: capacity lost to that CPU
};

// cpu = spans x (f x (sampled + export) + (1 - f) x unsampled) + hops x (inject + extract);
// throughput change = -cpu / (baseline_cpu_ns_per_request + cpu) x 100.
// Assumes CPU-bound capacity with tracing's costs adding to the request's own CPU (the exporter
// thread's encoding competes for the same cores), and costs independent of load (no cache or lock contention).
[[nodiscard]] overhead_prediction predict_overhead(const hot_path_costs& costs, double spans_per_request,
                                                   double hops_per_request, double sampled_fraction,
                                                   double baseline_cpu_ns_per_request) noexcept;
// By configuration: off (no-op instrumentation) predicts 0; never is f = 0 with the tracer
// and propagator installed; a probability config is f = its probability.
[[nodiscard]] overhead_prediction predict_overhead(const hot_path_costs& costs, const services::tracing_config& config,
                                                   double spans_per_request, double hops_per_request,
                                                   double baseline_cpu_ns_per_request) noexcept;

// Expected rpc, queue and batch calls (messages, for batch) per request, each one hop: an
// inject by the caller and an extract by the callee. A caller that drops context skips the
// inject, so for it the prediction runs slightly high. Counted as scenario_summary counts
// invocations: probability x repeat, batch consumers amortised over batch_size.
// Precondition: `s` came from the loader.
[[nodiscard]] double calls_per_request(const services::scenario& s);

}  // namespace tracebench::harness
