#include "tracebench/collector/tail_sampler.hpp"

#include <algorithm>

#include "tracebench/tracer/sampler.hpp"

namespace tracebench::collector {

tail_sampler::tail_sampler(std::shared_ptr<tracer::span_exporter> next, tail_sampler_options options)
    : next_(std::move(next)), options_(std::move(options)) {
  options_.num_traces = std::max<std::size_t>(options_.num_traces, 1);
}

std::int64_t tail_sampler::now() const {
  if (options_.now) return options_.now();
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

std::uint64_t tail_sampler::approximate_bytes(const tracer::span_data& span) noexcept {
  std::uint64_t bytes = sizeof(tracer::span_data) + span.name.capacity() + span.status_message.capacity();
  for (const tracer::attribute& a : span.attributes)
    bytes += sizeof(tracer::attribute) + a.key.capacity() + a.str.capacity();
  for (std::size_t i = 0; i < span.event_count(); ++i)
    bytes += sizeof(tracer::event_data) + span.event(i).name.capacity();
  return bytes + span.link_count() * sizeof(tracer::link_data);
}

tracer::export_result tail_sampler::export_spans(std::span<const tracer::span_data* const> batch) noexcept {
  try {
    const std::int64_t at = now();
    std::vector<std::unique_ptr<tracer::span_data>> late_kept;
    {
      const std::lock_guard lock(mutex_);
      if (shut_down_) return tracer::export_result::failure;
      for (const tracer::span_data* span : batch) {
        ++stats_.spans_received;
        const auto decided = decisions_.find(span->context.trace);
        if (decided == decisions_.end()) {
          hold(*span, at);
          continue;
        }
        ++stats_.late_spans;
        if (decided->second < tracer::kMaxThreshold) {
          ++stats_.late_spans_kept;
          late_kept.push_back(std::make_unique<tracer::span_data>(*span));
          raise_threshold(*late_kept.back(), decided->second);
        } else {
          ++stats_.spans_dropped;
        }
      }
    }
    // A late span of a kept trace goes on at once: its trace was exported already.
    if (!late_kept.empty()) {
      std::vector<const tracer::span_data*> view;
      for (const auto& k : late_kept) view.push_back(k.get());
      const bool ok = next_->export_spans(view) == tracer::export_result::success;
      const std::lock_guard lock(mutex_);
      (ok ? stats_.spans_forwarded : stats_.spans_export_failed) += late_kept.size();
    }
    (void)decide_due();
    return tracer::export_result::success;
  } catch (...) {
    return tracer::export_result::failure;  // out of memory copying spans: the processor counts the batch
  }
}

void tail_sampler::hold(const tracer::span_data& span, std::int64_t at) {
  auto found = held_.find(span.context.trace);
  if (found == held_.end()) {
    if (held_.size() >= options_.num_traces) evict_oldest();
    held_trace fresh;
    fresh.first_arrival = at;
    fresh.sequence = next_sequence_++;
    arrivals_.emplace_back(span.context.trace, fresh.sequence);
    found = held_.emplace(span.context.trace, std::move(fresh)).first;
    ++stats_.traces_received;
    stats_.peak_traces_held = std::max<std::uint64_t>(stats_.peak_traces_held, held_.size());
  }
  const std::uint64_t bytes = approximate_bytes(span);
  found->second.spans.push_back(std::make_unique<tracer::span_data>(span));
  found->second.bytes += bytes;
  ++stats_.spans_held;
  stats_.bytes_held += bytes;
  stats_.peak_bytes_held = std::max(stats_.peak_bytes_held, stats_.bytes_held);
}

void tail_sampler::evict_oldest() {
  while (!arrivals_.empty()) {
    const auto [id, sequence] = arrivals_.front();
    arrivals_.pop_front();
    const auto it = held_.find(id);
    if (it == held_.end() || it->second.sequence != sequence) continue;  // decided already
    ++stats_.traces_evicted;
    stats_.spans_evicted += it->second.spans.size();
    stats_.spans_held -= it->second.spans.size();
    stats_.bytes_held -= it->second.bytes;
    held_.erase(it);
    return;
  }
}

void tail_sampler::raise_threshold(tracer::span_data& span, std::uint64_t tail_threshold) {
  if (tail_threshold == 0) return;  // kept for sure at this tier: the head's count stands
  const std::uint64_t head = tracer::threshold_from_trace_state(span.context.state).value_or(0);
  if (tail_threshold > head) span.context.state = tracer::with_threshold(span.context.state, tail_threshold);
}

void tail_sampler::remember(const tracer::trace_id& id, std::uint64_t tail_threshold) {
  if (options_.decision_cache_size == 0) return;
  if (decisions_.size() >= options_.decision_cache_size && !decision_order_.empty()) {
    decisions_.erase(decision_order_.front());
    decision_order_.pop_front();
  }
  if (decisions_.insert_or_assign(id, tail_threshold).second) decision_order_.push_back(id);
}

std::size_t tail_sampler::decide_due_locked(std::int64_t at, bool everything) {
  std::size_t decided = 0;
  std::vector<std::vector<std::unique_ptr<tracer::span_data>>> kept;
  while (!arrivals_.empty()) {
    const auto [id, sequence] = arrivals_.front();
    const auto it = held_.find(id);
    if (it == held_.end() || it->second.sequence != sequence) {
      arrivals_.pop_front();  // evicted
      continue;
    }
    if (!everything && at - it->second.first_arrival < options_.decision_wait.count()) break;
    arrivals_.pop_front();
    held_trace trace = std::move(it->second);
    held_.erase(it);
    stats_.spans_held -= trace.spans.size();
    stats_.bytes_held -= trace.bytes;
    std::vector<const tracer::span_data*> view;
    view.reserve(trace.spans.size());
    for (const auto& s : trace.spans) view.push_back(s.get());
    const bool keep = options_.policy.keeps(view);
    // Both tiers read the same randomness, so a trace kept with probability p here and by a head
    // threshold T is kept with the larger of the two thresholds: written into its spans, the
    // adjusted count downstream is right for the whole pipeline.
    const std::uint64_t tail_threshold =
        keep ? tracer::threshold_for_probability(options_.policy.inclusion_probability(view)) : tracer::kMaxThreshold;
    remember(id, tail_threshold);
    if (keep) {
      ++stats_.traces_kept;
      for (auto& span : trace.spans) raise_threshold(*span, tail_threshold);
      kept.push_back(std::move(trace.spans));
    } else {
      ++stats_.traces_dropped;
      stats_.spans_dropped += view.size();
    }
    ++decided;
  }
  for (auto& spans : kept) {
    std::vector<const tracer::span_data*> view;
    for (const auto& s : spans) view.push_back(s.get());
    const bool ok = next_->export_spans(view) == tracer::export_result::success;
    (ok ? stats_.spans_forwarded : stats_.spans_export_failed) += view.size();
  }
  return decided;
}

std::size_t tail_sampler::decide_due() noexcept {
  try {
    const std::int64_t at = now();
    const std::lock_guard lock(mutex_);
    return decide_due_locked(at, false);
  } catch (...) {
    return 0;
  }
}

bool tail_sampler::force_flush(std::chrono::milliseconds timeout) noexcept {
  try {
    const std::int64_t at = now();
    {
      const std::lock_guard lock(mutex_);
      (void)decide_due_locked(at, true);
    }
    return next_->force_flush(timeout);
  } catch (...) {
    return false;
  }
}

void tail_sampler::shutdown() noexcept {
  (void)force_flush(std::chrono::milliseconds(0));
  {
    const std::lock_guard lock(mutex_);
    shut_down_ = true;
  }
  next_->shutdown();
}

void tail_sampler::restart_peaks() {
  const std::lock_guard lock(mutex_);
  stats_.peak_bytes_held = stats_.bytes_held;
  stats_.peak_traces_held = held_.size();
}

tail_sampler_stats tail_sampler::stats() const {
  const std::lock_guard lock(mutex_);
  tail_sampler_stats s = stats_;
  s.traces_held = held_.size();
  return s;
}

}  // namespace tracebench::collector
