#include "tracebench/harness/experiment_runner.hpp"

#include <algorithm>
#include <chrono>
#include <memory>
#include <stdexcept>
#include <utility>

#include "tracebench/harness/closed_loop.hpp"
#include "tracebench/harness/open_loop.hpp"
#include "tracebench/harness/service_graph_target.hpp"
#include "tracebench/services/loopback_transport.hpp"
#include "tracebench/services/scenario_summary.hpp"
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

bool stopping(const std::atomic<bool>* stop) noexcept { return stop != nullptr && stop->load(std::memory_order_relaxed); }

struct run_context {
  const services::scenario& scenario;
  const experiment_plan& plan;
  unsigned threads;
  const progress_callback& progress;
  const std::atomic<bool>* stop;
  std::size_t done;
  std::size_t total;

  void phase_started(const std::string& configuration, unsigned round, int phase) const {
    if (!progress) return;
    progress_event e;
    e.what = progress_event::kind::phase_started;
    e.configuration = configuration;
    e.round = round;
    e.phase = phase;
    e.done = done;
    e.total = total;
    progress(e);
  }
};

// Phase 1 then, when `offered_rate` is known, phase 2, on a graph built for this run only so no
// configuration inherits another's pools, rings or warmed caches.
run_record run_one(const run_context& ctx, const std::string& configuration, unsigned round, double offered_rate) {
  const experiment_plan& plan = ctx.plan;
  const machine_load_meter meter;
  run_record record;
  record.configuration = configuration;
  record.round = round;

  auto exporter = std::make_shared<tracer::null_exporter>(tracer::null_exporter::mode::encode_otlp_json,
                                                          kCompressionSampleBytes);
  auto processor = std::make_shared<tracer::batch_processor>(exporter);
  services::graph_options options;
  options.threads = ctx.threads;
  // The same draws for every configuration of a round, different ones across rounds.
  options.seed = plan.seed + round;
  options.instrument = services::make_instrumentation_factory(services::tracing_config::parse(configuration), processor);
  if (plan.transport == transport_kind::loopback) options.make_transport = services::make_loopback_transport_factory();
  services::service_graph graph(ctx.scenario, std::move(options));
  service_graph_target target(graph);

  ctx.phase_started(configuration, round, 1);
  closed_loop_options closed;
  closed.concurrency = plan.concurrency;
  closed.warmup = plan.warmup;
  closed.duration = plan.warmup + plan.phase_duration;
  closed.stop = ctx.stop;
  const closed_loop_result capacity = run_closed_loop(target, closed);
  record.throughput = capacity.throughput;
  record.cpu_ns_per_request = capacity.cpu_ns_per_request();
  record.throughput_valid = capacity.valid;
  record.throughput_invalid_reason = capacity.invalid_reason;
  if (capacity.completed == 0 && record.throughput_valid) {
    record.throughput_valid = false;
    record.throughput_invalid_reason = "no request completed";
  }
  // Stragglers replied and their spans exported (a graph still busy after kIdleTimeout, or an
  // exporter still behind after kFlushTimeout, is left as it is): the open loop must not start
  // behind the closed loop's stragglers, and its span rate counts only its own spans.
  const auto settle = [&] {
    (void)graph.wait_idle(kIdleTimeout);
    (void)processor->force_flush(kFlushTimeout);
  };
  settle();
  const std::uint64_t exported_before = processor->counts().exported;

  if (offered_rate <= 0) offered_rate = plan.load.rate_for(capacity.throughput);
  record.offered_rate = offered_rate;
  if (offered_rate > 0 && !stopping(ctx.stop)) {
    ctx.phase_started(configuration, round, 2);
    open_loop_options open;
    open.rate = offered_rate;
    open.warmup = plan.warmup;
    open.duration = plan.warmup + plan.phase_duration;
    open.lag_bound = plan.lag_bound;
    if (!plan.lag_bound_adapts) open.lag_share_of_latency = 0;
    open.seed = plan.seed + round;
    open.stop = ctx.stop;
    // A configuration near its capacity builds a backlog whose replies come seconds late: slow,
    // not lost, and its latency must count them.
    open.drain_timeout = kIdleTimeout;
    open_loop_result latency = run_open_loop(target, open);
    record.achieved_rate = latency.achieved_rate;
    record.latency = summarize(latency.latency);
    record.latency_distribution = std::move(latency.latency);
    record.uncorrected_p99 = summarize(latency.uncorrected).p99;
    record.send_lag = summarize(latency.send_lag);
    record.dropped_sends = latency.dropped_sends;
    record.lost = latency.lost;
    record.latency_valid = latency.valid;
    record.latency_invalid_reason = latency.invalid_reason;
    if (latency.completed == 0 && record.latency_valid) {
      record.latency_valid = false;
      record.latency_invalid_reason = "no request completed";
    }
    settle();
    record.spans_per_second = static_cast<double>(processor->counts().exported - exported_before) /
                              std::chrono::duration<double>(open.duration).count();
  } else {
    record.latency_valid = false;
    record.latency_invalid_reason =
        offered_rate > 0 ? "interrupted" : "no offered rate: the off configuration's capacity was 0";
  }

  (void)graph.wait_idle(kIdleTimeout);
  graph.stop();
  (void)processor->force_flush(kFlushTimeout);
  processor->shutdown();
  record.spans = processor->counts();
  record.bytes_encoded = exporter->bytes_encoded();
  const std::vector<tracer::encoded_batch> samples = exporter->take_samples();
  if (!samples.empty()) record.compression = compress_samples(samples);
  record.load = meter.read();
  return record;
}

}  // namespace

experiment_result run_experiment(const services::scenario& s, const experiment_plan& plan,
                                 const progress_callback& progress, const std::atomic<bool>* stop) {
  validate(plan);
  experiment_result result;
  result.scenario_name = s.name;
  result.plan = plan;
  result.graph_threads = graph_threads_for(plan);
#ifdef NDEBUG
  result.debug_build = false;
#else
  result.debug_build = true;
#endif
  const services::scenario_summary shape = services::summarize(s);
  result.spans_per_request = shape.spans_per_request;
  result.hops_per_request = calls_per_request(s);
  result.projected_spans_per_second = shape.projected_spans_per_second;

  const std::vector<std::string>& names = plan.configurations;
  const std::size_t n = names.size();
  const std::size_t total = n * plan.rounds;
  if (progress) {
    progress_event calibrating;
    calibrating.total = total;
    progress(calibrating);
  }
  result.costs = measure_hot_path_costs();

  const auto off = static_cast<std::size_t>(std::find(names.begin(), names.end(), "off") - names.begin());
  if (plan.load.type == offered_load::kind::rate) result.offered_rate = plan.load.value;
  run_context ctx{s, plan, result.graph_threads, progress, stop, 0, total};
  result.runs.reserve(total);
  const auto orders = round_orders(n, plan.rounds);
  for (unsigned round = 0; round < plan.rounds; ++round) {
    for (std::size_t position = 0; position < n; ++position) {
      if (stopping(stop)) {
        result.interrupted = true;
        return result;
      }
      const std::size_t config = (off + orders[round][position]) % n;
      const bool is_baseline = config == off;
      // Round 0 starts with off: its capacity fixes the rate (rate 0 asks run_one to derive it).
      run_record record = run_one(ctx, names[config], round, result.offered_rate);
      if (stopping(stop)) {
        result.interrupted = true;  // cut short: its figures describe a shorter run than planned
        return result;
      }
      record.position = position;
      if (result.offered_rate <= 0 && is_baseline) {
        if (record.throughput <= 0) {
          throw std::runtime_error("experiment: the off configuration completed no request, so it has no capacity");
        }
        result.offered_rate = record.offered_rate;
      }
      result.runs.push_back(std::move(record));
      ctx.done = result.runs.size();
      if (progress) {
        progress_event finished;
        finished.what = progress_event::kind::run_finished;
        finished.configuration = result.runs.back().configuration;
        finished.round = round;
        finished.done = ctx.done;
        finished.total = total;
        finished.finished = &result.runs.back();
        progress(finished);
      }
    }
  }
  return result;
}

}  // namespace tracebench::harness
