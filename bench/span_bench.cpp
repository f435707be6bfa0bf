// Span start+end: sampled and unsampled, root and child, with attributes and an event,
// through the batch processor (the production path) and the simple one (for contrast).

#include <benchmark/benchmark.h>

#include "alloc_counter.hpp"
#include "bench_environment.hpp"
#include "tracebench/tracer/instrumentation.hpp"
#include "tracebench/tracer/span_pool.hpp"

namespace tracebench::bench {
namespace {

using tracer::span_counters;
using tracer::span_kind;

// Reports spans/s and, per thread, exactly how many spans its own ends had dropped.
class span_accounting {
 public:
  span_accounting(benchmark::State& state, tracer::tracer& t)
      : state_(state), counters_(t.processor().counters()), dropped_(counters_.this_thread(span_counters::dropped)) {}
  ~span_accounting() {
    const auto dropped = static_cast<double>(counters_.this_thread(span_counters::dropped) - dropped_);
    state_.SetItemsProcessed(state_.iterations());
    state_.counters["dropped"] = benchmark::Counter(dropped);
    // Per thread, averaged over threads: the share of this run's spans that were dropped.
    state_.counters["dropped%"] =
        benchmark::Counter(state_.iterations() == 0 ? 0.0 : 100.0 * dropped / static_cast<double>(state_.iterations()),
                           benchmark::Counter::kAvgThreads);
  }
  span_accounting(const span_accounting&) = delete;
  span_accounting& operator=(const span_accounting&) = delete;

 private:
  benchmark::State& state_;
  span_counters& counters_;
  std::uint64_t dropped_;
};

void run_child(benchmark::State& state, tracer::tracer& t, const tracer::span_context& parent) {
  span_accounting accounting(state, t);
  alloc_scope allocs(state);
  for (auto _ : state) {
    tracer::span s = t.start_span("GET /api/cart", span_kind::internal, parent);
    benchmark::DoNotOptimize(s.context());
  }
}

void BM_SampledChildSpan(benchmark::State& state) {
  run_child(state, environment().always_on, environment().sampled_parent);
}
BENCHMARK(BM_SampledChildSpan)->Threads(1)->Threads(2)->UseRealTime();

void BM_SampledChildSpanSimpleProcessor(benchmark::State& state) {
  run_child(state, environment().always_on_simple, environment().sampled_parent);
}
BENCHMARK(BM_SampledChildSpanSimpleProcessor);

void BM_UnsampledChildSpan(benchmark::State& state) {
  run_child(state, environment().always_on, environment().unsampled_parent);
}
BENCHMARK(BM_UnsampledChildSpan)->Threads(1)->Threads(2)->UseRealTime();

void BM_SampledRootSpan(benchmark::State& state) { run_child(state, environment().always_on, tracer::span_context{}); }
BENCHMARK(BM_SampledRootSpan);

void BM_UnsampledRootSpan(benchmark::State& state) {
  run_child(state, environment().always_off, tracer::span_context{});
}
BENCHMARK(BM_UnsampledRootSpan);

// The attribute mix of the target row: two strings, an int and a double.
void set_four(tracer::span& s) {
  s.set_attribute("http.request.method", "GET");
  s.set_attribute("url.path", "/api/cart/items");
  s.set_attribute("http.response.status_code", 200);
  s.set_attribute("server.duration_ms", 12.5);
}

void set_sixteen(tracer::span& s) {
  static constexpr const char* kKeys[] = {"a.k00", "a.k01", "a.k02", "a.k03", "a.k04", "a.k05", "a.k06", "a.k07",
                                          "a.k08", "a.k09", "a.k10", "a.k11", "a.k12", "a.k13", "a.k14", "a.k15"};
  for (int i = 0; i < 16; i += 4) {
    s.set_attribute(kKeys[i], "value");
    s.set_attribute(kKeys[i + 1], "/api/cart/items");
    s.set_attribute(kKeys[i + 2], i);
    s.set_attribute(kKeys[i + 3], 0.5 * i);
  }
}

template <int Attributes, bool Event>
void run_annotated(benchmark::State& state, tracer::tracer& t, const tracer::span_context& parent) {
  span_accounting accounting(state, t);
  alloc_scope allocs(state);
  for (auto _ : state) {
    tracer::span s = t.start_span("GET /api/cart", span_kind::server, parent);
    if constexpr (Attributes == 4) set_four(s);
    if constexpr (Attributes == 16) set_sixteen(s);
    if constexpr (Event) s.add_event("cache.miss", {{"cache.key", "cart:42"}});
    benchmark::DoNotOptimize(s.context());
  }
}

void BM_SampledSpan4Attrs(benchmark::State& state) {
  run_annotated<4, false>(state, environment().always_on, environment().sampled_parent);
}
BENCHMARK(BM_SampledSpan4Attrs);

void BM_SampledSpan16Attrs(benchmark::State& state) {
  run_annotated<16, false>(state, environment().always_on, environment().sampled_parent);
}
BENCHMARK(BM_SampledSpan16Attrs);

void BM_SampledSpan1Event(benchmark::State& state) {
  run_annotated<0, true>(state, environment().always_on, environment().sampled_parent);
}
BENCHMARK(BM_SampledSpan1Event);

void BM_SampledSpan4Attrs1Event(benchmark::State& state) {
  run_annotated<4, true>(state, environment().always_on, environment().sampled_parent);
}
BENCHMARK(BM_SampledSpan4Attrs1Event);

void BM_UnsampledSpan4Attrs(benchmark::State& state) {
  run_annotated<4, false>(state, environment().always_on, environment().unsampled_parent);
}
BENCHMARK(BM_UnsampledSpan4Attrs);

void BM_UnsampledSpan16Attrs(benchmark::State& state) {
  run_annotated<16, false>(state, environment().always_on, environment().unsampled_parent);
}
BENCHMARK(BM_UnsampledSpan16Attrs);

void BM_UnsampledSpan4Attrs1Event(benchmark::State& state) {
  run_annotated<4, true>(state, environment().always_on, environment().unsampled_parent);
}
BENCHMARK(BM_UnsampledSpan4Attrs1Event);

// The `off` baseline: the instrumentation seam with no tracer behind it.
void BM_NoopSpan(benchmark::State& state) {
  tracer::noop_instrumentation noop;
  tracer::instrumentation& seam = noop;
  benchmark::DoNotOptimize(&seam);
  alloc_scope allocs(state);
  const tracer::span_context parent = environment().sampled_parent;
  for (auto _ : state) {
    tracer::span_token s = seam.start_span("GET /api/cart", span_kind::internal, parent);
    seam.set_attribute(s, "http.request.method", "GET");
    seam.end(s);
    benchmark::DoNotOptimize(&s);
  }
}
BENCHMARK(BM_NoopSpan);

// Processor hand-off alone: a pooled record straight into the rings.
void BM_BatchEnqueue(benchmark::State& state) {
  bench_environment& env = environment();
  span_accounting accounting(state, env.always_on);
  alloc_scope allocs(state);
  for (auto _ : state) {
    tracer::span_data* record = tracer::span_pool::acquire();
    record->owner = env.service.get();
    env.batch->on_end(record);
  }
}
BENCHMARK(BM_BatchEnqueue)->Threads(1)->Threads(2)->UseRealTime();

}  // namespace
}  // namespace tracebench::bench
