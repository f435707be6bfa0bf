#include "tracebench/experiment/trace_capture.hpp"

#include <algorithm>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <utility>
#include <vector>

#include "tracebench/experiment/service_graph_target.hpp"
#include "tracebench/load/open_loop.hpp"
#include "tracebench/services/loopback_transport.hpp"
#include "tracebench/services/service_graph.hpp"
#include "tracebench/services/tracing_config.hpp"
#include "tracebench/tracer/batch_processor.hpp"

namespace tracebench::harness {
namespace {

using namespace std::chrono_literals;

constexpr auto kIdleTimeout = 10s;

// What the waterfall needs of a span, copied on the exporter thread: a few strings rather than
// the whole record, so a second of 1/1 traffic fits in a few megabytes.
struct kept_span {
  std::string trace_id;
  std::int64_t start = 0;
  std::int64_t end = 0;
  recorded_span span;
};

class keeping_exporter final : public tracer::span_exporter {
 public:
  tracer::export_result export_spans(std::span<const tracer::span_data* const> batch) noexcept override {
    try {
      std::vector<kept_span> copies;
      copies.reserve(batch.size());
      for (const tracer::span_data* d : batch) {
        kept_span k;
        k.trace_id = d->context.trace.hex();
        k.start = d->start_unix_nanos;
        k.end = d->end_unix_nanos;
        k.span.span_id = d->context.span.hex();
        if (d->parent.valid()) k.span.parent_span_id = d->parent.hex();
        if (d->owner != nullptr) k.span.service = std::string(d->owner->service_name());
        k.span.name = d->name;
        k.span.kind = std::string(tracer::to_string(d->kind));
        k.span.error = d->status == tracer::status_code::error;
        copies.push_back(std::move(k));
      }
      const std::lock_guard lock(mutex_);
      for (kept_span& k : copies) spans_.push_back(std::move(k));
      return tracer::export_result::success;
    } catch (...) {
      return tracer::export_result::failure;  // the processor counts the batch as dropped
    }
  }

  std::vector<kept_span> take() {
    const std::lock_guard lock(mutex_);
    return std::move(spans_);
  }

 private:
  std::mutex mutex_;
  std::vector<kept_span> spans_;
};

// Whole: one root, and every other span's parent is in the trace. A trace with a span dropped
// on the way would draw a waterfall with a hole and a wrong critical path.
std::optional<recorded_trace> whole_trace(std::vector<kept_span>& spans) {
  const kept_span* root = nullptr;
  std::unordered_map<std::string, const kept_span*> by_id;
  for (const kept_span& k : spans) {
    by_id.emplace(k.span.span_id, &k);
    if (k.span.parent_span_id.empty()) {
      if (root != nullptr) return std::nullopt;
      root = &k;
    }
  }
  if (root == nullptr) return std::nullopt;
  for (const kept_span& k : spans) {
    if (!k.span.parent_span_id.empty() && !by_id.contains(k.span.parent_span_id)) return std::nullopt;
  }
  std::int64_t first = root->start;
  for (const kept_span& k : spans) first = std::min(first, k.start);
  recorded_trace t;
  t.trace_id = root->trace_id;
  t.duration_ns = root->end - root->start;
  std::sort(spans.begin(), spans.end(), [root](const kept_span& a, const kept_span& b) {
    if ((&a == root) != (&b == root)) return &a == root;
    return a.start < b.start;
  });
  for (kept_span& k : spans) {
    k.span.start_ns = k.start - first;
    k.span.duration_ns = k.end - k.start;
    t.spans.push_back(std::move(k.span));
  }
  return t;
}

}  // namespace

std::optional<std::string> capture_configuration(const experiment_plan& plan) {
  std::optional<std::string> best;
  double best_probability = 0;
  for (const std::string& c : plan.configurations) {
    const services::tracing_config config = services::tracing_config::parse(c);
    // A tail configuration's collector would choose the trace; the capture wants the head's.
    if (config.tracing != services::tracing_config::mode::probability || config.tail) continue;
    if (config.probability > best_probability) {
      best_probability = config.probability;
      best = c;
    }
  }
  return best;
}

std::optional<recorded_trace> capture_slowest_trace(const services::scenario& s, const experiment_plan& plan,
                                                    const capture_options& options) {
  auto exporter = std::make_shared<keeping_exporter>();
  auto processor = std::make_shared<tracer::batch_processor>(exporter);
  services::graph_options graph_options;
  graph_options.threads = options.threads;
  graph_options.seed = options.seed;
  if (plan.transport == transport_kind::loopback)
    graph_options.make_transport = services::make_loopback_transport_factory();
  graph_options.instrument =
      services::make_instrumentation_factory(services::tracing_config::parse(options.configuration), processor);
  services::service_graph graph(s, std::move(graph_options));
  service_graph_target target(graph);

  open_loop_options open;
  open.rate = options.rate;
  open.duration = options.duration;
  open.lag_share_of_latency = 0;
  open.drain_timeout = kIdleTimeout;
  const open_loop_result sent = run_open_loop(target, open);
  (void)graph.wait_idle(kIdleTimeout);
  graph.stop();
  (void)processor->force_flush(kIdleTimeout);
  processor->shutdown();

  std::unordered_map<std::string, std::vector<kept_span>> traces;
  for (kept_span& k : exporter->take()) traces[k.trace_id].push_back(std::move(k));
  std::optional<recorded_trace> slowest;
  for (auto& [id, spans] : traces) {
    std::optional<recorded_trace> t = whole_trace(spans);
    if (t && (!slowest || t->duration_ns > slowest->duration_ns)) slowest = std::move(t);
  }
  if (slowest) {
    slowest->configuration = options.configuration;
    slowest->requests = sent.sent + sent.warmup_sent;
    slowest->offered_rate = options.rate;
  }
  return slowest;
}

}  // namespace tracebench::harness
