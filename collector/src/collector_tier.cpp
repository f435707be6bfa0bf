#include "tracebench/collector/collector_tier.hpp"

#include <utility>

namespace tracebench::collector {
namespace {

// The collectors share one storage; each one's shutdown would shut it, and a later collector's
// last traces would then fail to store. Storage is shut by its owner instead.
class shared_storage final : public tracer::span_exporter {
 public:
  explicit shared_storage(std::shared_ptr<tracer::span_exporter> next) : next_(std::move(next)) {}
  tracer::export_result export_spans(std::span<const tracer::span_data* const> batch) noexcept override {
    return next_->export_spans(batch);
  }
  bool force_flush(std::chrono::milliseconds timeout) noexcept override { return next_->force_flush(timeout); }
  void shutdown() noexcept override {}

 private:
  std::shared_ptr<tracer::span_exporter> next_;
};

std::shared_ptr<collector::tail_sampler> make_collector(const tail_collector_settings& settings,
                                                        std::shared_ptr<tracer::span_exporter> downstream) {
  collector::tail_sampler_options options;
  options.decision_wait = settings.decision_wait;
  options.num_traces = settings.num_traces;
  options.policy = settings.policy();
  return std::make_shared<collector::tail_sampler>(std::move(downstream), std::move(options));
}

}  // namespace

collector_tier::collector_tier(const tail_collector_settings& settings, std::shared_ptr<tracer::span_exporter> storage)
    : settings_(settings), downstream_(std::make_shared<shared_storage>(std::move(storage))) {
  const unsigned count = std::max(1U, settings.collectors);
  std::vector<std::shared_ptr<tracer::span_exporter>> shards;
  for (unsigned i = 0; i < count; ++i) {
    collectors_.push_back(make_collector(settings_, downstream_));
    shards.push_back(collectors_.back());
  }
  if (count == 1 && !settings.reshard_to) {
    entry_ = collectors_.front();
  } else {
    router_ = std::make_shared<collector::trace_router>(std::move(shards));
    entry_ = router_;
  }
}

collector_tier::~collector_tier() { finish(); }

void collector_tier::latency_phase_started(std::chrono::nanoseconds after) {
  const std::lock_guard lock(mutex_);
  for (const auto& c : collectors_) c->restart_peaks();
  if (!settings_.reshard_to || resharder_.joinable() || stopping_) return;
  resharder_ = std::thread([this, after] {
    std::unique_lock wait(mutex_);
    if (stop_cv_.wait_for(wait, after, [&] { return stopping_; })) return;
    wait.unlock();
    reshard();
  });
}

void collector_tier::reshard() {
  std::vector<std::shared_ptr<tracer::span_exporter>> shards;
  {
    const std::lock_guard lock(mutex_);
    while (collectors_.size() < *settings_.reshard_to) collectors_.push_back(make_collector(settings_, downstream_));
    shards.assign(collectors_.begin(), collectors_.end());
  }
  // Growing only: jump hashing then moves traces to the new collectors alone, and every old one
  // stays in the list, so the router's flush and shutdown still reach all of them.
  router_->set_shards(std::move(shards));
}

void collector_tier::finish() {
  {
    const std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  stop_cv_.notify_all();
  if (resharder_.joinable()) resharder_.join();
}

collector::tail_sampler_stats collector_tier::stats() const {
  const std::lock_guard lock(mutex_);
  collector::tail_sampler_stats sum;
  for (const auto& c : collectors_) {
    const collector::tail_sampler_stats s = c->stats();
    sum.spans_received += s.spans_received;
    sum.traces_received += s.traces_received;
    sum.traces_kept += s.traces_kept;
    sum.traces_dropped += s.traces_dropped;
    sum.traces_evicted += s.traces_evicted;
    sum.spans_forwarded += s.spans_forwarded;
    sum.spans_dropped += s.spans_dropped;
    sum.spans_evicted += s.spans_evicted;
    sum.spans_export_failed += s.spans_export_failed;
    sum.late_spans += s.late_spans;
    sum.late_spans_kept += s.late_spans_kept;
    sum.spans_held += s.spans_held;
    sum.traces_held += s.traces_held;
    sum.bytes_held += s.bytes_held;
    sum.peak_bytes_held += s.peak_bytes_held;
    sum.peak_traces_held += s.peak_traces_held;
  }
  return sum;
}

std::uint64_t collector_tier::split_traces() const { return router_ ? router_->stats().split_traces : 0; }

unsigned collector_tier::collectors() const {
  const std::lock_guard lock(mutex_);
  return static_cast<unsigned>(collectors_.size());
}

}  // namespace tracebench::collector
