// Runs each hot-path operation a fixed number of times, bracketed by callgrind client
// requests, so `scripts/profile-hot-path` can divide each dump's instruction count by the
// iterations. Outside valgrind the requests are no-ops and the driver just runs.
//
// Run under: valgrind --tool=callgrind --collect-atstart=no --separate-threads=yes

#include <valgrind/callgrind.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "bench_environment.hpp"
#include "tracebench/tracer/otlp_json.hpp"
#include "tracebench/tracer/w3c_trace_context.hpp"

namespace {

using namespace tracebench;
using tracer::span_kind;

// Spans are ended in chunks well under the per-thread queue, with a flush (not counted)
// between chunks, so no run ever takes the drop path and the count is the same every run.
constexpr long kChunk = 1024;

const char* g_only = nullptr;  // run just this operation (for a whole-program callgrind annotation)

template <typename Op>
void measure(const char* name, long iterations, Op&& op, tracer::span_processor* processor = nullptr) {
  if (g_only != nullptr && std::strcmp(g_only, name) != 0) return;
  for (long i = 0; i < kChunk; ++i) op();  // warm the pool, caches and branch predictors
  if (processor != nullptr) processor->force_flush();
  // With one operation selected the client requests are skipped: callgrind then attributes
  // costs to functions (toggling collection mid-function loses that) for --annotate.
  const bool bracket = g_only == nullptr;
  if (bracket) CALLGRIND_ZERO_STATS;
  for (long done = 0; done < iterations; done += kChunk) {
    if (bracket) CALLGRIND_TOGGLE_COLLECT;
    for (long i = 0; i < kChunk; ++i) op();
    if (bracket) CALLGRIND_TOGGLE_COLLECT;
    if (processor != nullptr) processor->force_flush();
  }
  if (bracket) CALLGRIND_DUMP_STATS_AT(name);
  std::printf("%s %ld\n", name, (iterations + kChunk - 1) / kChunk * kChunk);
}

}  // namespace

int main(int argc, char** argv) {
  long iterations = 100'000;
  if (argc > 1) iterations = std::strtol(argv[1], nullptr, 10);
  if (argc > 2) g_only = argv[2];
  if (iterations <= 0) {
    std::fprintf(stderr, "hot_path_driver: iterations must be a positive number, got \"%s\"\n", argv[1]);
    return 2;
  }
  bench::bench_environment& env = bench::environment();
  tracer::span_processor* batch = env.batch.get();

  measure(
      "sampled_child_span", iterations,
      [&] { tracer::span s = env.always_on.start_span("GET /api/cart", span_kind::internal, env.sampled_parent); },
      batch);
  measure(
      "sampled_span_4attrs_1event", iterations,
      [&] {
        tracer::span s = env.always_on.start_span("GET /api/cart", span_kind::server, env.sampled_parent);
        s.set_attribute("http.request.method", "GET");
        s.set_attribute("url.path", "/api/cart/items");
        s.set_attribute("http.response.status_code", 200);
        s.set_attribute("server.duration_ms", 12.5);
        s.add_event("cache.miss", {{"cache.key", "cart:42"}});
      },
      batch);
  measure("unsampled_child_span", iterations, [&] {
    tracer::span s = env.always_on.start_span("GET /api/cart", span_kind::internal, env.unsampled_parent);
  });
  measure(
      "sampled_root_span", iterations,
      [&] { tracer::span s = env.always_on.start_span("GET /api/cart", span_kind::server, tracer::span_context{}); },
      batch);

  static constexpr std::string_view kTraceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
  tracer::span_context parsed;
  volatile bool sink = false;
  measure("traceparent_extract", iterations, [&] { sink = tracer::parse_traceparent(kTraceparent, parsed); });
  char out[tracer::kTraceparentLength];
  measure("traceparent_inject", iterations, [&] {
    tracer::format_traceparent(parsed, out);
    sink = out[54] == '1';
  });

  tracer::span_data record;
  record.context = env.sampled_parent;
  record.parent = tracer::random_span_id();
  record.name = "GET /api/cart";
  record.start_unix_nanos = 1'700'000'000'000'000'000;
  record.end_unix_nanos = record.start_unix_nanos + 1'234'567;
  record.attributes.set("http.request.method", "GET");
  record.attributes.set("http.response.status_code", 200);
  record.owner = env.service.get();
  std::string json;
  measure("otlp_json_encode_span", iterations / 10, [&] {
    json.clear();
    tracer::append_otlp_json_span(json, record);
  });
  (void)sink;
  return 0;
}
