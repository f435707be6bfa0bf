#include "tracebench/experiment/memory_sweep.hpp"

#include <algorithm>
#include <stdexcept>

#include "tracebench/experiment/run_graph.hpp"
#include "tracebench/load/open_loop.hpp"

namespace tracebench::harness {
namespace {

using namespace std::chrono_literals;

memory_sweep_point measure(const services::scenario& s, experiment_plan plan, const memory_sweep_options& options,
                           std::chrono::nanoseconds wait, double rate) {
  plan.pipeline->decision_wait = wait;
  memory_sweep_point point;
  point.decision_wait = wait;
  point.offered_rate = rate;
  const std::unique_ptr<run_graph> graph = inprocess_launcher(s, plan, options.threads)("tail", 0);
  open_loop_options open;
  open.rate = rate;
  open.duration = std::max(options.duration, 2 * wait);
  open.seed = plan.seed;
  open.stop = options.stop;
  open.drain_timeout = 10s;
  const open_loop_result result = run_open_loop(graph->target(), open);
  point.achieved_rate = result.achieved_rate;
  const run_spans spans = graph->finish();
  if (spans.pipeline && spans.pipeline->collector) {
    point.peak_bytes = spans.pipeline->collector->peak_bytes_held;
    point.peak_traces = spans.pipeline->collector->peak_traces_held;
    point.traces_evicted = spans.pipeline->collector->traces_evicted;
  }
  return point;
}

bool stopping(const std::atomic<bool>* stop) { return stop != nullptr && stop->load(std::memory_order_relaxed); }

}  // namespace

std::vector<memory_sweep_point> sweep_collector_memory(const services::scenario& s, const experiment_plan& plan,
                                                       const memory_sweep_options& options) {
  if (!plan.pipeline) throw std::invalid_argument("memory sweep: the plan has no tail collector");
  if (!(options.offered_rate > 0)) throw std::invalid_argument("memory sweep: no offered rate");
  std::vector<memory_sweep_point> points;
  for (const double factor : options.wait_factors) {
    if (stopping(options.stop)) return points;
    const auto wait = std::chrono::duration_cast<std::chrono::nanoseconds>(
        std::chrono::duration<double>(plan.pipeline->decision_wait) * factor);
    points.push_back(measure(s, plan, options, wait, options.offered_rate));
    points.back().varied = "decision_wait";
  }
  for (const double factor : options.load_factors) {
    if (stopping(options.stop)) return points;
    points.push_back(measure(s, plan, options, plan.pipeline->decision_wait, options.offered_rate * factor));
    points.back().varied = "load";
  }
  return points;
}

}  // namespace tracebench::harness
