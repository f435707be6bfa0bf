#pragma once
// Tracers, processors and parent contexts shared by the span benchmarks, built once.

#include <memory>

#include "tracebench/tracer/batch_processor.hpp"
#include "tracebench/tracer/null_exporter.hpp"
#include "tracebench/tracer/simple_processor.hpp"
#include "tracebench/tracer/tracer.hpp"

namespace tracebench::bench {

struct bench_environment {
  std::shared_ptr<const tracer::resource> service = std::make_shared<tracer::resource>("bench-service");
  // The exporter only counts, so the benchmark measures the span path, not encoding.
  std::shared_ptr<tracer::null_exporter> exporter =
      std::make_shared<tracer::null_exporter>(tracer::null_exporter::mode::counting_only);
  std::shared_ptr<tracer::batch_processor> batch = std::make_shared<tracer::batch_processor>(exporter);
  std::shared_ptr<tracer::simple_processor> simple = std::make_shared<tracer::simple_processor>(
      std::make_shared<tracer::null_exporter>(tracer::null_exporter::mode::counting_only));

  tracer::tracer always_on{service, tracer::sampler::parent_based(tracer::sampler::always_on()), batch};
  tracer::tracer always_off{service, tracer::sampler::parent_based(tracer::sampler::always_off()), batch};
  tracer::tracer always_on_simple{service, tracer::sampler::parent_based(tracer::sampler::always_on()), simple};

  tracer::span_context sampled_parent = make_parent(true);
  tracer::span_context unsampled_parent = make_parent(false);

  static tracer::span_context make_parent(bool sampled) {
    tracer::span_context parent;
    parent.trace = tracer::random_trace_id();
    parent.span = tracer::random_span_id();
    parent.flags = static_cast<std::uint8_t>(tracer::kRandomTraceIdFlag | (sampled ? tracer::kSampledFlag : 0));
    return parent;
  }
};

inline bench_environment& environment() {
  static bench_environment env;
  return env;
}

}  // namespace tracebench::bench
