#include "tracebench/collector/trace_router.hpp"

#include <stdexcept>

namespace tracebench::collector {

namespace {

// splitmix64's finaliser: jump hashing needs well-mixed keys, and a trace id's high half may be
// a timestamp or zero.
std::uint64_t mix(std::uint64_t x) noexcept {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

}  // namespace

std::uint32_t shard_for(const tracer::trace_id& trace, std::uint32_t shards) noexcept {
  // Lamping and Veach's jump consistent hash.
  std::uint64_t key = mix(trace.low ^ mix(trace.high));
  std::int64_t b = -1;
  std::int64_t j = 0;
  while (j < static_cast<std::int64_t>(shards)) {
    b = j;
    key = key * 2862933555777941757ULL + 1;
    j = static_cast<std::int64_t>(static_cast<double>(b + 1) *
                                  (static_cast<double>(std::int64_t{1} << 31) / static_cast<double>((key >> 33) + 1)));
  }
  return static_cast<std::uint32_t>(b < 0 ? 0 : b);
}

trace_router::trace_router(std::vector<std::shared_ptr<tracer::span_exporter>> shards, std::size_t remembered)
    : remembered_(remembered) {
  set_shards(std::move(shards));
  stats_.resizes = 0;
}

void trace_router::set_shards(std::vector<std::shared_ptr<tracer::span_exporter>> shards) {
  if (shards.empty()) throw std::invalid_argument("trace_router: at least one shard");
  const std::lock_guard lock(mutex_);
  shards_ = std::move(shards);
  stats_.spans_per_shard.assign(shards_.size(), 0);
  ++stats_.resizes;
}

tracer::export_result trace_router::export_spans(std::span<const tracer::span_data* const> batch) noexcept {
  try {
    std::vector<std::shared_ptr<tracer::span_exporter>> shards;
    std::vector<std::vector<const tracer::span_data*>> routed;
    {
      const std::lock_guard lock(mutex_);
      shards = shards_;
      routed.resize(shards.size());
      const auto count = static_cast<std::uint32_t>(shards.size());
      for (const tracer::span_data* span : batch) {
        const std::uint32_t shard = shard_for(span->context.trace, count);
        routed[shard].push_back(span);
        ++stats_.spans_routed;
        ++stats_.spans_per_shard[shard];
        if (remembered_ == 0) continue;
        const auto [it, fresh] = seen_.try_emplace(span->context.trace, seen{shard, false});
        if (fresh) {
          order_.push_back(span->context.trace);
          if (order_.size() > remembered_) {
            seen_.erase(order_.front());
            order_.pop_front();
          }
        } else if (it->second.shard != shard && !it->second.split) {
          it->second.split = true;
          ++stats_.split_traces;
        }
      }
    }
    // Outside the lock: a shard's exporter may be slow, and the others need not wait for it.
    // A shard that fails counts its own spans here; reporting failure for the whole batch would
    // make the processor count the other shards' spans as dropped too.
    std::uint64_t failed = 0;
    for (std::size_t i = 0; i < shards.size(); ++i) {
      if (!routed[i].empty() && shards[i]->export_spans(routed[i]) != tracer::export_result::success)
        failed += routed[i].size();
    }
    if (failed > 0) {
      const std::lock_guard lock(mutex_);
      stats_.spans_failed += failed;
    }
    return tracer::export_result::success;
  } catch (...) {
    return tracer::export_result::failure;
  }
}

bool trace_router::force_flush(std::chrono::milliseconds timeout) noexcept {
  std::vector<std::shared_ptr<tracer::span_exporter>> shards;
  {
    const std::lock_guard lock(mutex_);
    shards = shards_;
  }
  bool ok = true;
  for (const auto& shard : shards) ok = shard->force_flush(timeout) && ok;
  return ok;
}

void trace_router::shutdown() noexcept {
  std::vector<std::shared_ptr<tracer::span_exporter>> shards;
  {
    const std::lock_guard lock(mutex_);
    shards = shards_;
  }
  for (const auto& shard : shards) shard->shutdown();
}

trace_router_stats trace_router::stats() const {
  const std::lock_guard lock(mutex_);
  return stats_;
}

}  // namespace tracebench::collector
