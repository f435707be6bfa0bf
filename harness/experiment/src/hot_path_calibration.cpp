#include "tracebench/experiment/hot_path_calibration.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include <time.h>

#include "tracebench/tracer/batch_processor.hpp"
#include "tracebench/tracer/header_carrier.hpp"
#include "tracebench/tracer/ids.hpp"
#include "tracebench/tracer/otlp_json.hpp"

namespace tracebench::harness {
namespace {

constexpr auto kFlushTimeout = std::chrono::seconds(10);

// CPU time of the calling thread: what the prediction is about, and blind to the time a
// loaded machine (2 shared cores here) takes the thread off its core.
std::uint64_t thread_cpu_ns() noexcept {
  timespec t{};
  (void)::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<std::uint64_t>(t.tv_sec) * 1'000'000'000U + static_cast<std::uint64_t>(t.tv_nsec);
}

// Encodes like null_exporter and times only the encoding, on the exporter thread.
class timing_exporter final : public tracer::span_exporter {
 public:
  tracer::export_result export_spans(std::span<const tracer::span_data* const> batch) noexcept override {
    const std::uint64_t start = thread_cpu_ns();
    try {
      (void)tracer::otlp_json_size(batch, buffer_);
    } catch (...) {
      return tracer::export_result::failure;
    }
    nanos_.fetch_add(thread_cpu_ns() - start, std::memory_order_relaxed);
    spans_.fetch_add(batch.size(), std::memory_order_relaxed);
    return tracer::export_result::success;
  }
  // Nanoseconds per span since the last call; 0 when nothing was exported.
  double take_ns_per_span() noexcept {
    const std::uint64_t spans = spans_.exchange(0, std::memory_order_relaxed);
    const std::uint64_t nanos = nanos_.exchange(0, std::memory_order_relaxed);
    return spans == 0 ? 0 : static_cast<double>(nanos) / static_cast<double>(spans);
  }

 private:
  std::string buffer_;
  std::atomic<std::uint64_t> nanos_{0};
  std::atomic<std::uint64_t> spans_{0};
};

tracer::span_context make_parent(bool sampled) {
  tracer::span_context parent;
  parent.trace = tracer::random_trace_id();
  parent.span = tracer::random_span_id();
  parent.flags = static_cast<std::uint8_t>(tracer::kRandomTraceIdFlag | (sampled ? tracer::kSampledFlag : 0));
  parent.remote = true;  // as a service's span is: the child of an extracted context
  return parent;
}

// What a simulated service does per span: start under a known parent, the attributes a
// service span carries (a scenario attribute, the request id, peer.service), end.
void run_spans(tracer::instrumentation& in, const tracer::span_context& parent, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) {
    tracer::span_token s = in.start_span("GET /cart", tracer::span_kind::client, parent);
    in.set_attribute(s, "http.route", "/cart");
    in.set_attribute(s, "request.id", static_cast<std::int64_t>(i));
    in.set_attribute(s, "peer.service", "cart");
    in.end(s);
  }
}

template <typename Body>
double ns_per_op(std::size_t n, Body&& body) {
  const std::uint64_t start = thread_cpu_ns();
  body(n);
  return static_cast<double>(thread_cpu_ns() - start) / static_cast<double>(n);
}

// The upper median, which is the median for the odd counts used here.
double median(std::span<double> figures) {
  const auto mid = figures.begin() + static_cast<std::ptrdiff_t>(figures.size() / 2);
  std::nth_element(figures.begin(), mid, figures.end());
  return *mid;
}

// One untimed warm-up (pools, rings, caches), then the median of `reps` timed runs.
template <typename Rep>
double median_of(std::size_t reps, Rep&& rep) {
  (void)rep();
  std::vector<double> figures;
  for (std::size_t i = 0; i < reps; ++i) figures.push_back(rep());
  return median(figures);
}

// The instrumentation a service of a 1/1 run gets: children of unsampled parents take the
// unsampled path, children of sampled ones the sampled path, as at any other probability.
std::shared_ptr<tracer::instrumentation> make_instrumentation(std::shared_ptr<tracer::span_processor> processor,
                                                              const services::service& spec) {
  const services::instrumentation_factory factory =
      services::make_instrumentation_factory(services::tracing_config::parse("1/1"), std::move(processor));
  return factory(services::service_identity{spec, {}, 0});
}

}  // namespace

hot_path_costs measure_hot_path_costs(const calibration_options& options) {
  const std::size_t reps = std::max<std::size_t>(options.repetitions, 1);
  const auto per_rep = [&](std::size_t total) { return std::max<std::size_t>(total / reps, 1); };
  services::service spec;
  spec.name = "calibration";
  spec.operation = "GET /cart";
  hot_path_costs costs;

  // The exporter encodes on its own thread while the spans are produced, as in a run; each is
  // timed on its own thread's CPU clock. A ring holding a whole repetition keeps drops out.
  auto exporter = std::make_shared<timing_exporter>();
  auto processor = std::make_shared<tracer::batch_processor>(
      exporter, tracer::batch_options{.queue_per_thread = 2 * per_rep(options.sampled_spans)});
  const std::shared_ptr<tracer::instrumentation> in = make_instrumentation(processor, spec);
  const tracer::span_context unsampled = make_parent(false);
  const tracer::span_context sampled = make_parent(true);
  costs.unsampled_span_ns = median_of(reps, [&] {
    return ns_per_op(per_rep(options.unsampled_spans), [&](std::size_t n) { run_spans(*in, unsampled, n); });
  });
  std::vector<double> export_figures;
  costs.sampled_span_ns = median_of(reps, [&] {
    const double ns = ns_per_op(per_rep(options.sampled_spans), [&](std::size_t n) { run_spans(*in, sampled, n); });
    (void)processor->force_flush(kFlushTimeout);  // untimed: the next repetition starts empty
    export_figures.push_back(exporter->take_ns_per_span());
    return ns;
  });
  costs.export_ns_per_span = median(std::span(export_figures).subspan(1));  // after the warm-up

  // Per hop: inject into the fresh headers of an outgoing call, extract on the callee.
  tracer::span_token hop = in->start_span("GET /cart", tracer::span_kind::client, unsampled);
  const tracer::baggage bag;
  costs.inject_ns = median_of(reps, [&] {
    return ns_per_op(per_rep(options.hops), [&](std::size_t n) {
      for (std::size_t i = 0; i < n; ++i) {
        tracer::header_list headers;
        in->inject(hop, bag, headers);
      }
    });
  });
  tracer::header_list headers;
  in->inject(hop, bag, headers);
  costs.extract_ns = median_of(reps, [&] {
    return ns_per_op(per_rep(options.hops), [&](std::size_t n) {
      for (std::size_t i = 0; i < n; ++i) (void)in->extract(headers);  // virtual: not optimised away
    });
  });
  in->end(hop);
  processor->shutdown();
  return costs;
}

}  // namespace tracebench::harness
