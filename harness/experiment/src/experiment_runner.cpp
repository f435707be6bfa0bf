#include "tracebench/experiment/experiment_runner.hpp"
#include "tracebench/common/free_heap.hpp"
#include "tracebench/experiment/hot_path_calibration.hpp"

#include <algorithm>
#include <chrono>
#include <memory>
#include <stdexcept>
#include <utility>
#include <vector>

#include "tracebench/load/closed_loop.hpp"
#include "tracebench/load/open_loop.hpp"
#include "tracebench/results/adaptive_rounds.hpp"
#include "tracebench/results/results_document.hpp"
#include "tracebench/services/scenario_summary.hpp"
#include "tracebench/services/work_kernel.hpp"

namespace tracebench::harness {
namespace {

using namespace std::chrono_literals;

// Replies later than this after a phase ended are lost; a backlog near capacity comes seconds late.
constexpr std::chrono::milliseconds kDrainTimeout = 10s;

bool stopping(const std::atomic<bool>* stop) noexcept {
  return stop != nullptr && stop->load(std::memory_order_relaxed);
}

struct run_context {
  const experiment_plan& plan;
  const graph_launcher& launch;
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

// Phase 1 then, when `offered_rate` is known, phase 2, on a graph set up for this run.
run_record run_one(const run_context& ctx, const std::string& configuration, unsigned round, double offered_rate) {
  const experiment_plan& plan = ctx.plan;
  const machine_load_meter meter;
  run_record record;
  record.configuration = configuration;
  record.round = round;
  release_free_heap();
  const std::unique_ptr<run_graph> graph = ctx.launch(configuration, round);
  load_target& target = graph->target();

  ctx.phase_started(configuration, round, 1);
  closed_loop_options closed;
  closed.concurrency = plan.concurrency;
  closed.warmup = plan.warmup;
  closed.duration = plan.warmup + plan.phase_duration;
  closed.stop = ctx.stop;
  closed.cpu_elsewhere = graph->cpu_elsewhere();
  closed.cpu_off_path = graph->cpu_off_path();
  const closed_loop_result capacity = run_closed_loop(target, closed);
  record.throughput = capacity.throughput;
  record.cpu_ns_per_request = capacity.cpu_ns_per_request();
  if (capacity.completed > 0) {
    record.off_path_cpu_ns_per_request =
        static_cast<double>(capacity.off_path_cpu.count()) / static_cast<double>(capacity.completed);
  }
  record.throughput_valid = capacity.valid;
  record.throughput_invalid_reason = capacity.invalid_reason;
  if (capacity.completed == 0 && record.throughput_valid) {
    record.throughput_valid = false;
    record.throughput_invalid_reason = "no request completed";
  }
  // The open loop must not start behind the closed loop's stragglers, and its span rate counts
  // only its own spans.
  graph->settle();
  const std::uint64_t exported_before = graph->spans_exported();
  graph->latency_phase_started();

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
    open.drain_timeout = kDrainTimeout;
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
    graph->settle();
    record.spans_per_second = static_cast<double>(graph->spans_exported() - exported_before) /
                              std::chrono::duration<double>(open.duration).count();
  } else {
    record.latency_valid = false;
    record.latency_invalid_reason =
        offered_rate > 0 ? "interrupted" : "no offered rate: the off configuration's capacity was 0";
  }

  run_spans spans = graph->finish();
  record.spans = spans.spans;
  record.bytes_encoded = spans.bytes_encoded;
  record.compression = std::move(spans.compression);
  record.pipeline = std::move(spans.pipeline);
  record.load = meter.read();
  if (record.load) record.load->other_cores = std::max(0.0, record.load->other_cores - spans.graph_cores_here);
  return record;
}

// The round loop's continuation, apart from its body: the plan's rounds, then more while a
// precision target is unmet, none started that the time budget predicts to overrun (next_round).
class round_continuation {
 public:
  explicit round_continuation(std::chrono::steady_clock::time_point started) : started_(started) {}

  // Before each round, with the rounds finished so far; on false, records why in `result`.
  bool another(unsigned rounds_done, experiment_result& result) {
    const auto now = std::chrono::steady_clock::now();
    if (rounds_done > 0) past_.push_back(now - round_started_);
    round_started_ = now;
    const round_decision decision = next_round(result, rounds_done, now - started_, past_);
    if (!decision.another) result.rounds_ended = decision.end;
    return decision.another;
  }

 private:
  std::chrono::steady_clock::time_point started_;
  std::chrono::steady_clock::time_point round_started_;
  std::vector<std::chrono::nanoseconds> past_;  // each finished round's duration
};

}  // namespace

experiment_result run_experiment(const services::scenario& s, const experiment_plan& plan,
                                 const progress_callback& progress, const std::atomic<bool>* stop,
                                 const graph_launcher& launch) {
  round_continuation rounds(std::chrono::steady_clock::now());  // the time budget counts calibration too
  validate(plan);
  experiment_result result;
  result.scenario_name = s.name;
  result.plan = plan;
  result.graph_threads = plan.transport == transport_kind::remote ? 0 : graph_threads_for(plan);
  result.debug_build = debug_build();
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
  if (s.work == services::work_model::compute && plan.transport != transport_kind::remote) {
    result.work = services::calibrate_work();
  }

  const auto off = static_cast<std::size_t>(std::find(names.begin(), names.end(), "off") - names.begin());
  if (plan.load.type == offered_load::kind::rate) result.offered_rate = plan.load.value;
  const graph_launcher inprocess =
      launch ? graph_launcher{}
             : inprocess_launcher(s, plan, result.graph_threads, result.work ? result.work->iterations_per_us : 0);
  run_context ctx{plan, launch ? launch : inprocess, progress, stop, 0, total};
  result.runs.reserve(total);
  const auto orders = round_orders(n, round_limit(plan));
  for (unsigned round = 0; rounds.another(round, result); ++round) {
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
