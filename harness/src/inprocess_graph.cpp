// The in-process run_graph: a graph built for one run only, so no configuration inherits
// another's pools, rings or warmed caches, with a counting exporter that encodes every span
// as OTLP/JSON and keeps the first requests for the compression figures.

#include <chrono>
#include <memory>
#include <utility>

#include "tracebench/harness/run_graph.hpp"
#include "tracebench/harness/service_graph_target.hpp"
#include "tracebench/services/loopback_transport.hpp"
#include "tracebench/services/service_graph.hpp"
#include "tracebench/services/tracing_config.hpp"
#include "tracebench/tracer/batch_processor.hpp"
#include "tracebench/tracer/null_exporter.hpp"

namespace tracebench::harness {
namespace {

using namespace std::chrono_literals;

// Long enough for a scenario's slowest request; a graph still busy after it is stopped anyway.
constexpr std::chrono::milliseconds kIdleTimeout = 10s;
constexpr std::chrono::milliseconds kFlushTimeout = 10s;
// Export requests kept for compression: a few hundred KB is dozens of batches, enough for a
// stable ratio, and copying them costs the exporter thread little.
constexpr std::size_t kCompressionSampleBytes = 512 * 1024;

class inprocess_graph final : public run_graph {
 public:
  inprocess_graph(const services::scenario& s, services::graph_options options,
                  const services::tracing_config& tracing)
      : exporter_(std::make_shared<tracer::null_exporter>(tracer::null_exporter::mode::encode_otlp_json,
                                                          kCompressionSampleBytes)),
        processor_(std::make_shared<tracer::batch_processor>(exporter_)),
        graph_(s, with_instrumentation(std::move(options), tracing, processor_)),
        target_(graph_) {}

  load_target& target() override { return target_; }

  void settle() override {
    (void)graph_.wait_idle(kIdleTimeout);
    (void)processor_->force_flush(kFlushTimeout);
  }

  std::uint64_t spans_exported() override { return processor_->counts().exported; }

  run_spans finish() override {
    (void)graph_.wait_idle(kIdleTimeout);
    graph_.stop();
    (void)processor_->force_flush(kFlushTimeout);
    processor_->shutdown();
    run_spans out;
    out.spans = processor_->counts();
    out.bytes_encoded = exporter_->bytes_encoded();
    const std::vector<tracer::encoded_batch> samples = exporter_->take_samples();
    if (!samples.empty()) out.compression = compress_samples(samples);
    return out;
  }

 private:
  static services::graph_options with_instrumentation(services::graph_options options,
                                                      const services::tracing_config& tracing,
                                                      std::shared_ptr<tracer::batch_processor> processor) {
    options.instrument = services::make_instrumentation_factory(tracing, std::move(processor));
    return options;
  }

  std::shared_ptr<tracer::null_exporter> exporter_;
  std::shared_ptr<tracer::batch_processor> processor_;
  services::service_graph graph_;
  service_graph_target target_;
};

}  // namespace

graph_launcher inprocess_launcher(const services::scenario& s, const experiment_plan& plan, unsigned threads) {
  return [&s, &plan, threads](const std::string& configuration, unsigned round) -> std::unique_ptr<run_graph> {
    services::graph_options options;
    options.threads = threads;
    // The same draws for every configuration of a round, different ones across rounds.
    options.seed = plan.seed + round;
    if (plan.transport == transport_kind::loopback) options.make_transport = services::make_loopback_transport_factory();
    return std::make_unique<inprocess_graph>(s, std::move(options), services::tracing_config::parse(configuration));
  };
}

}  // namespace tracebench::harness
