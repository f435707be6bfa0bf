// Id generation, clock reads and every sampler's decision.

#include <benchmark/benchmark.h>

#include <ctime>
#include <vector>

#include "alloc_counter.hpp"
#include "tracebench/tracer/clock.hpp"
#include "tracebench/tracer/ids.hpp"
#include "tracebench/tracer/sampler.hpp"

namespace tracebench::bench {
namespace {

using namespace tracebench::tracer;

void BM_TraceIdGeneration(benchmark::State& state) {
  alloc_scope allocs(state);
  for (auto _ : state) benchmark::DoNotOptimize(random_trace_id());
}
BENCHMARK(BM_TraceIdGeneration);

void BM_SpanIdGeneration(benchmark::State& state) {
  alloc_scope allocs(state);
  for (auto _ : state) benchmark::DoNotOptimize(random_span_id());
}
BENCHMARK(BM_SpanIdGeneration);

// What one timestamp costs: ours (TSC) against the vDSO clock_gettime it replaces.
void BM_SpanClockNow(benchmark::State& state) {
  (void)span_clock::now_unix_nanos();  // calibrate outside the timed loop
  for (auto _ : state) benchmark::DoNotOptimize(span_clock::now_unix_nanos());
}
BENCHMARK(BM_SpanClockNow);

void BM_ClockGettimeRealtime(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(span_clock::system_unix_nanos());
}
BENCHMARK(BM_ClockGettimeRealtime);

// Decisions over a rotating set of trace ids so the branch predictor cannot learn one answer.
void run_sampler(benchmark::State& state, const sampler& s, const span_context& parent) {
  std::vector<trace_id> ids(1024);
  for (auto& id : ids) id = random_trace_id();
  alloc_scope allocs(state);
  std::size_t i = 0;
  for (auto _ : state) {
    sampling_result r = s.should_sample(parent, ids[i++ & 1023]);
    benchmark::DoNotOptimize(r.sampled);
  }
}

span_context parent_with(bool sampled, bool remote) {
  span_context p;
  p.trace = random_trace_id();
  p.span = random_span_id();
  p.flags = sampled ? kSampledFlag : 0;
  p.remote = remote;
  return p;
}

void BM_SamplerAlwaysOn(benchmark::State& state) { run_sampler(state, sampler::always_on(), {}); }
BENCHMARK(BM_SamplerAlwaysOn);
void BM_SamplerAlwaysOff(benchmark::State& state) { run_sampler(state, sampler::always_off(), {}); }
BENCHMARK(BM_SamplerAlwaysOff);
void BM_SamplerTraceIdRatio(benchmark::State& state) { run_sampler(state, sampler::trace_id_ratio(1.0 / 16), {}); }
BENCHMARK(BM_SamplerTraceIdRatio);
void BM_SamplerConsistentProbabilityRoot(benchmark::State& state) {
  run_sampler(state, sampler::consistent_probability(1.0 / 16), {});
}
BENCHMARK(BM_SamplerConsistentProbabilityRoot);
void BM_SamplerParentBasedSampledParent(benchmark::State& state) {
  run_sampler(state, sampler::parent_based(sampler::always_on()), parent_with(true, false));
}
BENCHMARK(BM_SamplerParentBasedSampledParent);
void BM_SamplerParentBasedUnsampledRemoteParent(benchmark::State& state) {
  run_sampler(state, sampler::parent_based(sampler::always_on()), parent_with(false, true));
}
BENCHMARK(BM_SamplerParentBasedUnsampledRemoteParent);
void BM_SamplerParentBasedRootRatio(benchmark::State& state) {
  run_sampler(state, sampler::parent_based(sampler::trace_id_ratio(1.0 / 16)), {});
}
BENCHMARK(BM_SamplerParentBasedRootRatio);

}  // namespace
}  // namespace tracebench::bench
