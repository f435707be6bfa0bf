// The in-process run_graph: a graph built for one run only, so no configuration inherits
// another's pools, rings or warmed caches, with a counting exporter that encodes every span
// as OTLP/JSON and keeps the first requests for the compression figures. When the plan compares
// pipelines, the ground-truth ledger stands in front of the target and behind the exporter chain,
// and a "tail" configuration puts the tail-sampling collector before storage:
//   batch_processor -> [collector_tier] -> stored_traces -> null_exporter (storage: encodes, counts)

#include <chrono>
#include <memory>
#include <optional>
#include <utility>

#include "tracebench/collector/collector_tier.hpp"
#include "tracebench/experiment/pipeline_ledger.hpp"
#include "tracebench/experiment/run_graph.hpp"
#include "tracebench/experiment/service_graph_target.hpp"
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
  inprocess_graph(const services::scenario& s, services::graph_options options, const services::tracing_config& tracing,
                  const std::optional<collector::tail_collector_settings>& pipeline,
                  std::chrono::nanoseconds reshard_after)
      : reshard_after_(reshard_after),
        storage_(std::make_shared<tracer::null_exporter>(tracer::null_exporter::mode::encode_otlp_json,
                                                         kCompressionSampleBytes)),
        processor_(std::make_shared<tracer::batch_processor>(exporter_chain(tracing, pipeline))),
        graph_(s, with_instrumentation(std::move(options), tracing, processor_)),
        graph_target_(graph_) {
    if (pipeline) {
      slow_ = pipeline->slow;
      ledger_.emplace(graph_target_);
    }
  }

  load_target& target() override { return ledger_ ? static_cast<load_target&>(*ledger_) : graph_target_; }

  void settle() override {
    (void)graph_.wait_idle(kIdleTimeout);
    (void)processor_->force_flush(kFlushTimeout);
  }

  std::uint64_t spans_exported() override { return processor_->counts().exported; }

  std::function<std::chrono::nanoseconds()> cpu_off_path() override {
    return [processor = processor_] { return processor->worker_cpu_time(); };
  }

  void latency_phase_started() override {
    if (ledger_) ledger_->start_latency_phase();
    if (tier_) tier_->latency_phase_started(reshard_after_);
  }

  run_spans finish() override {
    (void)graph_.wait_idle(kIdleTimeout);
    graph_.stop();
    (void)processor_->force_flush(kFlushTimeout);
    if (tier_) tier_->finish();
    processor_->shutdown();
    if (tier_) stored_->shutdown();  // the tier leaves storage to us
    run_spans out;
    out.spans = processor_->counts();
    out.bytes_encoded = storage_->bytes_encoded();
    const std::vector<tracer::encoded_batch> samples = storage_->take_samples();
    if (!samples.empty()) out.compression = compress_samples(samples);
    if (ledger_) {
      std::optional<collector::tail_sampler_stats> collected;
      if (tier_) collected = tier_->stats();
      out.pipeline = make_pipeline_record(*ledger_, *stored_, slow_, std::move(collected));
      if (tier_) {
        out.pipeline->collectors = tier_->collectors();
        out.pipeline->split_traces = tier_->split_traces();
      }
    }
    return out;
  }

 private:
  std::shared_ptr<tracer::span_exporter> exporter_chain(
      const services::tracing_config& tracing, const std::optional<collector::tail_collector_settings>& pipeline) {
    if (!pipeline) return storage_;
    stored_ = std::make_shared<stored_traces>(storage_);
    if (!tracing.tail) return stored_;
    tier_ = std::make_unique<collector::collector_tier>(*pipeline, stored_);
    return tier_->entry();
  }

  static services::graph_options with_instrumentation(services::graph_options options,
                                                      const services::tracing_config& tracing,
                                                      std::shared_ptr<tracer::batch_processor> processor) {
    options.instrument = services::make_instrumentation_factory(tracing, std::move(processor));
    return options;
  }

  std::chrono::nanoseconds reshard_after_;
  // Declared before processor_: exporter_chain fills them while processor_ is built.
  std::shared_ptr<tracer::null_exporter> storage_;
  std::shared_ptr<stored_traces> stored_;
  std::unique_ptr<collector::collector_tier> tier_;
  // Outlives graph_, whose executor threads run its reply callbacks until they are joined.
  std::optional<request_ledger> ledger_;
  std::chrono::nanoseconds slow_{0};
  std::shared_ptr<tracer::batch_processor> processor_;
  services::service_graph graph_;
  service_graph_target graph_target_;
};

}  // namespace

graph_launcher inprocess_launcher(const services::scenario& s, const experiment_plan& plan, unsigned threads,
                                  double work_iterations_per_us) {
  return [&s, &plan, threads, work_iterations_per_us](const std::string& configuration,
                                                      unsigned round) -> std::unique_ptr<run_graph> {
    services::graph_options options;
    options.threads = threads;
    options.work_iterations_per_us = work_iterations_per_us;
    // The same draws for every configuration of a round, different ones across rounds.
    options.seed = plan.seed + round;
    if (plan.transport == transport_kind::loopback)
      options.make_transport = services::make_loopback_transport_factory();
    // A growing collector tier grows halfway through the latency phase's measured window.
    return std::make_unique<inprocess_graph>(s, std::move(options), services::tracing_config::parse(configuration),
                                             plan.pipeline, plan.warmup + plan.phase_duration / 2);
  };
}

}  // namespace tracebench::harness
