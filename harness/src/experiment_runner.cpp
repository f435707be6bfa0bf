#include "tracebench/harness/experiment_runner.hpp"

#include <algorithm>
#include <chrono>
#include <memory>
#include <stdexcept>
#include <utility>

#include "tracebench/harness/closed_loop.hpp"
#include "tracebench/harness/open_loop.hpp"
#include "tracebench/harness/service_graph_target.hpp"
#include "tracebench/services/service_graph.hpp"
#include "tracebench/services/tracing_config.hpp"
#include "tracebench/tracer/batch_processor.hpp"
#include "tracebench/tracer/null_exporter.hpp"

namespace tracebench::harness {
namespace {

using namespace std::chrono_literals;

// Long enough for a scenario's slowest request; a graph still busy after it is stopped anyway.
constexpr auto kIdleTimeout = 10s;
constexpr auto kFlushTimeout = 10s;

// Phase 1 then, when `offered_rate` is known, phase 2, on a graph built for this run only so no
// configuration inherits another's pools, rings or warmed caches.
run_record run_one(const services::scenario& s, const experiment_plan& plan, const std::string& configuration,
                   unsigned round, double offered_rate) {
  run_record record;
  record.configuration = configuration;
  record.round = round;

  auto exporter = std::make_shared<tracer::null_exporter>(tracer::null_exporter::mode::encode_otlp_json);
  auto processor = std::make_shared<tracer::batch_processor>(exporter);
  services::graph_options options;
  options.threads = graph_threads_for(plan);
  // The same draws for every configuration of a round, different ones across rounds.
  options.seed = plan.seed + round;
  options.instrument = services::make_instrumentation_factory(services::tracing_config::parse(configuration), processor);
  services::service_graph graph(s, std::move(options));
  service_graph_target target(graph);

  closed_loop_options closed;
  closed.concurrency = plan.concurrency;
  closed.warmup = plan.warmup;
  closed.duration = plan.warmup + plan.phase_duration;
  const closed_loop_result capacity = run_closed_loop(target, closed);
  record.throughput = capacity.throughput;
  record.throughput_valid = capacity.valid;
  record.throughput_invalid_reason = capacity.invalid_reason;
  if (capacity.completed == 0 && record.throughput_valid) {
    record.throughput_valid = false;
    record.throughput_invalid_reason = "no request completed";
  }
  // The open loop must not start behind the closed loop's stragglers.
  (void)graph.wait_idle(std::chrono::duration_cast<std::chrono::milliseconds>(kIdleTimeout));

  if (offered_rate <= 0) offered_rate = plan.load.rate_for(capacity.throughput);
  record.offered_rate = offered_rate;
  if (offered_rate > 0) {
    open_loop_options open;
    open.rate = offered_rate;
    open.warmup = plan.warmup;
    open.duration = plan.warmup + plan.phase_duration;
    open.lag_bound = plan.lag_bound;
    open.seed = plan.seed + round;
    const open_loop_result latency = run_open_loop(target, open);
    record.achieved_rate = latency.achieved_rate;
    record.latency = summarize(latency.latency);
    record.uncorrected_p99 = summarize(latency.uncorrected).p99;
    record.latency_valid = latency.valid;
    record.latency_invalid_reason = latency.invalid_reason;
    if (latency.completed == 0 && record.latency_valid) {
      record.latency_valid = false;
      record.latency_invalid_reason = "no request completed";
    }
  } else {
    record.latency_valid = false;
    record.latency_invalid_reason = "no offered rate: the off configuration's capacity was 0";
  }

  (void)graph.wait_idle(std::chrono::duration_cast<std::chrono::milliseconds>(kIdleTimeout));
  graph.stop();
  (void)processor->force_flush(std::chrono::duration_cast<std::chrono::milliseconds>(kFlushTimeout));
  processor->shutdown();
  record.spans = processor->counts();
  record.bytes_encoded = exporter->bytes_encoded();
  return record;
}

}  // namespace

experiment_result run_experiment(const services::scenario& s, const experiment_plan& plan,
                                 const progress_callback& progress) {
  validate(plan);
  experiment_result result;
  result.scenario_name = s.name;
  result.plan = plan;

  const std::vector<std::string>& names = plan.configurations;
  const std::size_t n = names.size();
  const auto off = static_cast<std::size_t>(std::find(names.begin(), names.end(), "off") - names.begin());
  if (plan.load.type == offered_load::kind::rate) result.offered_rate = plan.load.value;

  const std::size_t total = n * plan.rounds;
  result.runs.reserve(total);
  const auto orders = round_orders(n, plan.rounds);
  for (unsigned round = 0; round < plan.rounds; ++round) {
    for (std::size_t position = 0; position < n; ++position) {
      const std::size_t config = (off + orders[round][position]) % n;
      const bool is_baseline = config == off;
      // Round 0 starts with off: its capacity fixes the rate (rate 0 asks run_one to derive it).
      const double rate = result.offered_rate;
      run_record record = run_one(s, plan, names[config], round, rate);
      record.position = position;
      if (result.offered_rate <= 0 && is_baseline) {
        if (record.throughput <= 0) {
          throw std::runtime_error("experiment: the off configuration completed no request, so it has no capacity");
        }
        result.offered_rate = record.offered_rate;
      }
      result.runs.push_back(std::move(record));
      if (progress) progress(result.runs.back(), result.runs.size(), total);
    }
  }
  return result;
}

}  // namespace tracebench::harness
