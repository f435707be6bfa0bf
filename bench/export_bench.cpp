// Encoding cost per span: what an exporter pays to put one span on the wire.

#include <benchmark/benchmark.h>

#include "alloc_counter.hpp"
#include "bench_environment.hpp"
#include "tracebench/tracer/otlp_json.hpp"
#include "tracebench/tracer/zipkin_json.hpp"

namespace tracebench::bench {
namespace {

using namespace tracebench::tracer;

// A span shaped like the target row: 4 attributes (2 strings, int, double) and one event.
span_data typical_span(const resource& service) {
  span_data s;
  s.context.trace = random_trace_id();
  s.context.span = random_span_id();
  s.context.flags = kSampledFlag | kRandomTraceIdFlag;
  s.parent = random_span_id();
  s.name = "GET /api/cart";
  s.kind = span_kind::server;
  s.start_unix_nanos = 1'700'000'000'000'000'000;
  s.end_unix_nanos = s.start_unix_nanos + 1'234'567;
  s.attributes.set("http.request.method", "GET");
  s.attributes.set("url.path", "/api/cart/items");
  s.attributes.set("http.response.status_code", 200);
  s.attributes.set("server.duration_ms", 12.5);
  if (event_data* e = s.add_event("cache.miss", s.start_unix_nanos + 1000)) e->attributes.set("cache.key", "cart:42");
  s.owner = &service;
  return s;
}

void BM_OtlpJsonEncodeSpan(benchmark::State& state) {
  const span_data s = typical_span(*environment().service);
  std::string out;
  alloc_scope allocs(state);
  for (auto _ : state) {
    out.clear();
    append_otlp_json_span(out, s);
    benchmark::DoNotOptimize(out.data());
  }
  state.counters["bytes/span"] = static_cast<double>(out.size());
}
BENCHMARK(BM_OtlpJsonEncodeSpan);

// A 512-span request, per span: includes the resourceSpans/scopeSpans envelope share.
void BM_OtlpJsonEncodeBatch512(benchmark::State& state) {
  const span_data s = typical_span(*environment().service);
  std::vector<const span_data*> batch(512, &s);
  std::string out;
  alloc_scope allocs(state);
  for (auto _ : state) {
    out.clear();
    append_otlp_json_request(out, batch);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations() * 512);
  state.counters["bytes/span"] = static_cast<double>(out.size()) / 512.0;
}
BENCHMARK(BM_OtlpJsonEncodeBatch512);

void BM_ZipkinJsonEncodeSpan(benchmark::State& state) {
  const span_data s = typical_span(*environment().service);
  std::vector<const span_data*> batch(1, &s);
  std::string out;
  alloc_scope allocs(state);
  for (auto _ : state) {
    out.clear();
    append_zipkin_json(out, batch);
    benchmark::DoNotOptimize(out.data());
  }
  state.counters["bytes/span"] = static_cast<double>(out.size());
}
BENCHMARK(BM_ZipkinJsonEncodeSpan);

}  // namespace
}  // namespace tracebench::bench
