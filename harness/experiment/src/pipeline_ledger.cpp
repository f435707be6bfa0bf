#include "tracebench/experiment/pipeline_ledger.hpp"

#include <algorithm>
#include <chrono>
#include <map>
#include <utility>

#include "tracebench/results/latency_exemplar.hpp"
#include "tracebench/services/service_graph.hpp"
#include "tracebench/tracer/sampler.hpp"

namespace tracebench::harness {
namespace {

std::int64_t unix_now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

void request_ledger::send(std::uint64_t /*phase_id*/, reply_callback done) {
  const std::uint64_t request_id = next_id_.fetch_add(1, std::memory_order_relaxed);
  const auto sent = std::chrono::steady_clock::now();
  inner_.send(request_id, [this, request_id, sent, done = std::move(done)](bool error) {
    const auto latency = std::chrono::steady_clock::now() - sent;
    {
      const std::lock_guard lock(mutex_);
      outcomes_[request_id] =
          outcome{error, std::chrono::duration_cast<std::chrono::nanoseconds>(latency).count(), unix_now_ns()};
    }
    done(error);
  });
}

std::unordered_map<std::uint64_t, request_ledger::outcome> request_ledger::outcomes() const {
  const std::lock_guard lock(mutex_);
  return outcomes_;
}

tracer::export_result stored_traces::export_spans(std::span<const tracer::span_data* const> batch) noexcept {
  try {
    const std::lock_guard lock(mutex_);
    for (const tracer::span_data* span : batch) {
      ++spans_;
      ++spans_by_trace_[span->context.trace.low];
      const tracer::attribute* id = span->attributes.find(services::kRequestIdAttribute);
      if (id == nullptr || id->value().type() != tracer::attribute_type::int64) continue;
      const auto request = static_cast<std::uint64_t>(id->value().as_int());
      traces_.try_emplace(request, stored{span->context.trace, tracer::adjusted_count(span->context).value_or(1.0)});
    }
  } catch (...) {
    // Out of memory for the bookkeeping: the spans still go on; the figures will show fewer kept.
  }
  return next_->export_spans(batch);
}

std::unordered_map<std::uint64_t, stored_traces::stored> stored_traces::traces() const {
  const std::lock_guard lock(mutex_);
  std::unordered_map<std::uint64_t, stored> out = traces_;
  for (auto& [request, trace] : out) {
    const auto spans = spans_by_trace_.find(trace.trace.low);
    trace.spans = spans == spans_by_trace_.end() ? 0 : spans->second;
  }
  return out;
}

std::uint64_t stored_traces::spans() const {
  const std::lock_guard lock(mutex_);
  return spans_;
}

pipeline_record make_pipeline_record(const request_ledger& requests, const stored_traces& storage,
                                     std::chrono::nanoseconds slow,
                                     std::optional<collector::tail_sampler_stats> collector) {
  pipeline_record out;
  const auto outcomes = requests.outcomes();
  const auto kept = storage.traces();
  const std::vector<std::int64_t> bounds = default_latency_bounds();
  // Bucket index -> the slowest stored request in it.
  std::map<std::size_t, latency_exemplar> slowest;
  std::vector<weighted_trace> weighted;
  weighted.reserve(kept.size());
  for (const auto& [id, o] : outcomes) {
    if (id < requests.latency_from()) continue;
    const bool is_slow = o.latency_ns >= slow.count();
    ++out.requests;
    out.errors += o.error ? 1 : 0;
    out.slow += is_slow ? 1 : 0;
    const auto stored = kept.find(id);
    if (stored == kept.end()) continue;
    ++out.kept;
    out.spans_stored += stored->second.spans;
    out.kept_errors += o.error ? 1 : 0;
    out.kept_slow += is_slow ? 1 : 0;
    weighted.push_back({stored->second.adjusted_count, o.error});
    // Bucket i covers (bounds[i-1], bounds[i]], as render_openmetrics places exemplars.
    const auto bucket =
        static_cast<std::size_t>(std::lower_bound(bounds.begin(), bounds.end(), o.latency_ns) - bounds.begin());
    latency_exemplar& e = slowest[bucket];
    if (o.latency_ns >= e.value_ns) {
      e.trace_id = stored->second.trace.hex();
      e.value_ns = o.latency_ns;
      e.timestamp_unix_seconds = static_cast<double>(o.finished_unix_ns) / 1e9;
    }
  }
  out.spans_stored_in_run = storage.spans();
  out.estimate = estimate_population(weighted);
  out.collector = std::move(collector);
  for (auto& [bucket, e] : slowest) out.exemplars.push_back(std::move(e));
  return out;
}

}  // namespace tracebench::harness
