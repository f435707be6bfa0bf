// Context propagation: the traceparent codec alone (what the tracer owns) and through a
// header carrier (what a service pays), tracestate with 8 members, baggage, B3.

#include <benchmark/benchmark.h>

#include "alloc_counter.hpp"
#include "tracebench/tracer/b3_propagator.hpp"
#include "tracebench/tracer/baggage.hpp"
#include "tracebench/tracer/composite_propagator.hpp"
#include "tracebench/tracer/trace_state.hpp"
#include "tracebench/tracer/w3c_trace_context.hpp"

namespace tracebench::bench {
namespace {

using namespace tracebench::tracer;

constexpr std::string_view kTraceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
constexpr std::string_view kTracestate8 =
    "ot=th:c,congo=t61rcWkgMzE,rojo=00f067aa0ba902b7,vendor1=value1,vendor2=value2,"
    "tenant@sys=abc,x=1,y=zzzz";
constexpr std::string_view kBaggage = "tenant=acme,plan=gold;ttl=30,user.id=42,feature=new%20checkout";

void BM_TraceparentExtract(benchmark::State& state) {
  alloc_scope allocs(state);
  span_context ctx;
  std::string_view value = kTraceparent;
  for (auto _ : state) {
    benchmark::DoNotOptimize(value);
    const bool ok = parse_traceparent(value, ctx);
    benchmark::DoNotOptimize(ok);
    benchmark::DoNotOptimize(ctx.trace);
  }
}
BENCHMARK(BM_TraceparentExtract);

void BM_TraceparentInject(benchmark::State& state) {
  alloc_scope allocs(state);
  span_context ctx;
  (void)parse_traceparent(kTraceparent, ctx);
  char out[kTraceparentLength];
  for (auto _ : state) {
    benchmark::DoNotOptimize(ctx.span);
    format_traceparent(ctx, out);
    benchmark::DoNotOptimize(out);
  }
}
BENCHMARK(BM_TraceparentInject);

void BM_W3CPropagatorExtractFromHeaders(benchmark::State& state) {
  w3c_trace_context_propagator w3c;
  header_list headers{{"host", "checkout"}, {"traceparent", std::string(kTraceparent)}, {"accept", "*/*"}};
  alloc_scope allocs(state);
  for (auto _ : state) {
    propagation_context ctx;
    w3c.extract(headers, ctx);
    benchmark::DoNotOptimize(ctx.span.trace);
  }
}
BENCHMARK(BM_W3CPropagatorExtractFromHeaders);

void BM_W3CPropagatorInjectToHeaders(benchmark::State& state) {
  w3c_trace_context_propagator w3c;
  propagation_context ctx;
  (void)parse_traceparent(kTraceparent, ctx.span);
  header_list headers;
  alloc_scope allocs(state);
  for (auto _ : state) {
    w3c.inject(ctx, headers);
    benchmark::DoNotOptimize(&headers);
  }
}
BENCHMARK(BM_W3CPropagatorInjectToHeaders);

void BM_TracestateParse8(benchmark::State& state) {
  alloc_scope allocs(state);
  for (auto _ : state) {
    auto parsed = trace_state::parse(kTracestate8);
    benchmark::DoNotOptimize(parsed);
  }
}
BENCHMARK(BM_TracestateParse8);

void BM_BaggageParse(benchmark::State& state) {
  alloc_scope allocs(state);
  for (auto _ : state) {
    baggage parsed = baggage::parse(kBaggage);
    benchmark::DoNotOptimize(parsed);
  }
}
BENCHMARK(BM_BaggageParse);

void BM_B3SingleExtract(benchmark::State& state) {
  b3_propagator b3(b3_propagator::mode::single_header);
  header_list headers{{"b3", "80f198ee56343ba864fe8b2a57d3eff7-e457b5a2e4d86bd1-1-05e3ac9a4f6e3b90"}};
  alloc_scope allocs(state);
  for (auto _ : state) {
    propagation_context ctx;
    b3.extract(headers, ctx);
    benchmark::DoNotOptimize(ctx.span.trace);
  }
}
BENCHMARK(BM_B3SingleExtract);

}  // namespace
}  // namespace tracebench::bench
