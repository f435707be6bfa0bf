#include "tracebench/experiment/experiment_runner.hpp"
#include "tracebench/common/free_heap.hpp"
#include "tracebench/common/memory_meter.hpp"
#include "tracebench/experiment/hot_path_calibration.hpp"

#include <algorithm>
#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "tracebench/common/text_format.hpp"
#include "tracebench/load/closed_loop.hpp"
#include "tracebench/load/open_loop.hpp"
#include "tracebench/results/adaptive_rounds.hpp"
#include "tracebench/results/closed_loop_sizing.hpp"
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

// A probe's measured window: long enough for a few hundred requests of a fast graph and for ten
// request latencies (the last probe's) of a slow one, short enough that nine probes stay cheap.
std::chrono::nanoseconds probe_window(const experiment_plan& plan, std::chrono::nanoseconds latency) {
  return std::clamp<std::chrono::nanoseconds>(std::max(plan.phase_duration / 4, 10 * latency), 250ms, 3s);
}

// Doubles the closed loop's slots from kFirstConcurrency until throughput stops growing; a fixed
// plan.concurrency, or a remote graph (whose connections are opened before the run), skips it.
closed_loop_sizing size_concurrency(const experiment_plan& plan,
                                    const std::function<closed_loop_result(unsigned)>& probe_at) {
  if (plan.concurrency > 0 || plan.transport == transport_kind::remote) {
    closed_loop_sizing fixed;
    fixed.concurrency = plan.concurrency > 0 ? plan.concurrency : kFirstConcurrency;
    return fixed;
  }
  std::vector<concurrency_probe> probes;
  while (const std::optional<unsigned> next = next_probe(probes)) probes.push_back({*next, probe_at(*next).throughput});
  return choose_concurrency(probes);
}

std::string too_few(std::uint64_t completed, std::chrono::nanoseconds window) {
  return std::to_string(completed) + " requests completed in " +
         printf_string("%.2f s", std::chrono::duration<double>(window).count()) + ", fewer than " +
         std::to_string(kMinPhaseRequests) + ": a change would move in steps of 1/" + std::to_string(completed) +
         " (raise --duration)";
}

}  // namespace

std::string run_request::to_json() const {
  return nlohmann::json{{"configuration", configuration}, {"round", round},
                        {"offered_rate", offered_rate},   {"work_iterations_per_us", work_iterations_per_us},
                        {"work_scale", work_scale},       {"size_closed_loop", size_closed_loop},
                        {"concurrency", concurrency},     {"capacity_window_ns", capacity_window.count()}}
      .dump();
}

run_request run_request::from_json(std::string_view text) {
  run_request r;
  try {
    const nlohmann::json doc = nlohmann::json::parse(text);
    doc.at("configuration").get_to(r.configuration);
    doc.at("round").get_to(r.round);
    doc.at("offered_rate").get_to(r.offered_rate);
    doc.at("work_iterations_per_us").get_to(r.work_iterations_per_us);
    doc.at("work_scale").get_to(r.work_scale);
    doc.at("size_closed_loop").get_to(r.size_closed_loop);
    doc.at("concurrency").get_to(r.concurrency);
    r.capacity_window = std::chrono::nanoseconds(doc.at("capacity_window_ns").get<std::int64_t>());
  } catch (const nlohmann::json::exception& e) {
    throw std::invalid_argument(std::string("run request: ") + e.what());
  }
  return r;
}

// Phase 1 then, when the offered rate is known, phase 2, on a graph set up for this run.
run_record run_here(const services::scenario& s, const experiment_plan& plan, const run_request& request,
                    const phase_callback& phase_started, const std::atomic<bool>* stop, const graph_launcher& launch) {
  const std::string& configuration = request.configuration;
  const unsigned round = request.round;
  double offered_rate = request.offered_rate;
  const machine_load_meter meter;
  run_record record;
  record.configuration = configuration;
  record.round = round;
  release_free_heap();
  memory_meter memory;  // after the heap is handed back: the peak is this run's own
  const std::unique_ptr<run_graph> graph =
      launch
          ? launch(configuration, round)
          : inprocess_launcher(s, plan, graph_threads_for(plan), request.work_iterations_per_us)(configuration, round);
  load_target& target = graph->target();

  if (phase_started) phase_started(1);
  closed_loop_options closed;
  closed.stop = stop;
  closed.cpu_elsewhere = graph->cpu_elsewhere();
  closed.cpu_off_path = graph->cpu_off_path();
  const auto closed_loop = [&](unsigned concurrency, std::chrono::nanoseconds warmup, std::chrono::nanoseconds window) {
    closed.concurrency = concurrency;
    closed.warmup = warmup;
    closed.duration = warmup + window;
    return run_closed_loop(target, closed);
  };
  closed_loop_sizing sizing;
  if (request.size_closed_loop) {
    std::chrono::nanoseconds latency{0};  // the last probe's mean
    sizing = size_concurrency(plan, [&](unsigned concurrency) {
      const std::chrono::nanoseconds probe = probe_window(plan, latency);
      closed_loop_result r = closed_loop(concurrency, std::max(probe / 2, 4 * latency), probe);
      latency = std::chrono::nanoseconds(static_cast<std::int64_t>(r.latency.mean()));
      return r;
    });
    sizing.capacity_window = plan.phase_duration;
  } else {
    sizing.concurrency = request.concurrency;
    sizing.capacity_window = request.capacity_window;
  }
  closed_loop_result capacity = closed_loop(sizing.concurrency, plan.warmup, sizing.capacity_window);
  if (request.size_closed_loop && capacity.completed < kMinPhaseRequests && !stopping(stop)) {
    sizing.capacity_window = phase_length(plan.phase_duration, capacity.throughput);
    if (sizing.capacity_window > plan.phase_duration) {
      capacity = closed_loop(sizing.concurrency, plan.warmup, sizing.capacity_window);
    }
  }
  record.concurrency = sizing.concurrency;
  record.capacity_window = sizing.capacity_window;
  if (request.size_closed_loop) record.sizing = sizing;
  record.throughput = capacity.throughput;
  record.cpu_ns_per_request = capacity.cpu_ns_per_request();
  if (capacity.completed > 0) {
    record.off_path_cpu_ns_per_request =
        static_cast<double>(capacity.off_path_cpu.count()) / static_cast<double>(capacity.completed);
  }
  record.throughput_valid = capacity.valid;
  record.throughput_invalid_reason = capacity.invalid_reason;
  if (capacity.completed < kMinPhaseRequests && record.throughput_valid && !stopping(stop)) {
    record.throughput_valid = false;
    record.throughput_invalid_reason = too_few(capacity.completed, sizing.capacity_window);
  }
  // The open loop must not start behind the closed loop's stragglers, and its span rate counts
  // only its own spans.
  graph->settle();
  const std::uint64_t exported_before = graph->spans_exported();
  graph->latency_phase_started();

  if (offered_rate <= 0) offered_rate = plan.load.rate_for(capacity.throughput);
  record.offered_rate = offered_rate;
  if (offered_rate > 0 && !stopping(stop)) {
    if (phase_started) phase_started(2);
    open_loop_options open;
    open.rate = offered_rate;
    record.latency_window = phase_length(plan.phase_duration, offered_rate);
    open.warmup = plan.warmup;
    open.duration = plan.warmup + record.latency_window;
    open.lag_bound = plan.lag_bound;
    if (!plan.lag_bound_adapts) open.lag_share_of_latency = 0;
    open.seed = plan.seed + round;
    open.stop = stop;
    // A configuration near its capacity builds a backlog whose replies come seconds late: slow,
    // not lost, and its latency must count them.
    open.drain_timeout = kDrainTimeout;
    memory.latency_phase_started();
    open_loop_result latency = run_open_loop(target, open);
    memory.latency_phase_ended(latency.warmup_sent + latency.sent);
    record.achieved_rate = latency.achieved_rate;
    record.latency = summarize(latency.latency);
    record.latency_distribution = std::move(latency.latency);
    record.uncorrected_p99 = summarize(latency.uncorrected).p99;
    record.send_lag = summarize(latency.send_lag);
    record.dropped_sends = latency.dropped_sends;
    record.lost = latency.lost;
    record.latency_valid = latency.valid;
    record.latency_invalid_reason = latency.invalid_reason;
    if (latency.completed < kMinPhaseRequests && record.latency_valid && !stopping(stop)) {
      record.latency_valid = false;
      record.latency_invalid_reason = too_few(latency.completed, record.latency_window);
    }
    graph->settle();
    record.spans_per_second =
        static_cast<double>(graph->spans_exported() - exported_before) /
        std::chrono::duration<double>(open.duration).count();  // warm-up included, as its spans are
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
  record.memory = memory.read();
  if (record.load) record.load->other_cores = std::max(0.0, record.load->other_cores - spans.graph_cores_here);
  return record;
}

namespace {

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
                                 const graph_launcher& launch, const run_executor& execute) {
  round_continuation rounds(std::chrono::steady_clock::now());  // the time budget counts calibration too
  validate(plan);
  experiment_result result;
  result.scenario_name = s.name;
  result.plan = plan;
  result.plan.isolation = execute ? isolation_kind::process : isolation_kind::none;
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
  const run_executor here = [&](const run_request& request, const phase_callback& phase) {
    return run_here(s, plan, request, phase, stop, launch);
  };
  const run_executor& run = execute ? execute : here;
  std::size_t done = 0;
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
      run_request request;
      request.configuration = names[config];
      request.round = round;
      // Round 0 starts with off: its capacity fixes the rate (rate 0 asks run_here to derive it).
      request.offered_rate = result.offered_rate;
      request.work_iterations_per_us = result.work ? result.work->iterations_per_us : 0;
      request.work_scale = plan.work_scale;
      request.size_closed_loop = !result.sizing;
      if (result.sizing) {
        request.concurrency = result.sizing->concurrency;
        request.capacity_window = result.sizing->capacity_window;
      }
      const auto phase = [&](int number) {
        if (!progress) return;
        progress_event e;
        e.what = progress_event::kind::phase_started;
        e.configuration = request.configuration;
        e.round = round;
        e.phase = number;
        e.done = done;
        e.total = total;
        progress(e);
      };
      run_record record = run(request, phase);
      if (stopping(stop)) {
        result.interrupted = true;  // cut short: its figures describe a shorter run than planned
        return result;
      }
      record.position = position;
      if (result.offered_rate <= 0 && is_baseline) {
        if (record.throughput <= 0) {
          const std::string why =
              record.throughput_invalid_reason.empty() ? "it completed no request" : record.throughput_invalid_reason;
          throw std::runtime_error("experiment: the off configuration's first run has no capacity: " + why);
        }
        result.offered_rate = record.offered_rate;
      }
      if (!result.sizing && record.sizing) result.sizing = record.sizing;
      result.runs.push_back(std::move(record));
      done = result.runs.size();
      if (progress) {
        progress_event finished;
        finished.what = progress_event::kind::run_finished;
        finished.configuration = result.runs.back().configuration;
        finished.round = round;
        finished.done = done;
        finished.total = total;
        finished.finished = &result.runs.back();
        progress(finished);
      }
    }
  }
  return result;
}

}  // namespace tracebench::harness
