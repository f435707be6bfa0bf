#include "tracebench/tracer/batch_processor.hpp"

#include <bit>
#include <new>

#include "tracebench/tracer/clock.hpp"
#include "tracebench/tracer/span_pool.hpp"

namespace tracebench::tracer {

// Single-producer single-consumer ring of record pointers. Head and tail sit on their own
// cache lines, and each side caches the other's index so it reads the shared line only
// when its cached view says full (producer) or empty (consumer).
class batch_processor::ring {
 public:
  explicit ring(std::size_t capacity) : mask_(capacity - 1), slots_(new span_data*[capacity]) {}

  // Producer side.
  bool push(span_data* record) noexcept {
    const std::size_t head = head_.load(std::memory_order_relaxed);
    if (head - producer_tail_cache_ > mask_) {
      producer_tail_cache_ = tail_.load(std::memory_order_acquire);
      if (head - producer_tail_cache_ > mask_) return false;
    }
    slots_[head & mask_] = record;
    head_.store(head + 1, std::memory_order_release);
    return true;
  }
  // Occupancy as the producer last saw it; refreshes the tail only when that looks high,
  // so the consumer's cache line is read about once per quarter ring.
  [[nodiscard]] std::size_t producer_size(std::size_t high_water) noexcept {
    const std::size_t head = head_.load(std::memory_order_relaxed);
    if (head - producer_tail_cache_ >= high_water) producer_tail_cache_ = tail_.load(std::memory_order_acquire);
    return head - producer_tail_cache_;
  }

  // Consumer side.
  span_data* pop() noexcept {
    const std::size_t tail = tail_.load(std::memory_order_relaxed);
    if (tail == consumer_head_cache_) {
      consumer_head_cache_ = head_.load(std::memory_order_acquire);
      if (tail == consumer_head_cache_) return nullptr;
    }
    span_data* record = slots_[tail & mask_];
    tail_.store(tail + 1, std::memory_order_release);
    return record;
  }

 private:
  const std::size_t mask_;
  std::unique_ptr<span_data*[]> slots_;
  alignas(64) std::atomic<std::size_t> head_{0};
  std::size_t producer_tail_cache_ = 0;
  alignas(64) std::atomic<std::size_t> tail_{0};
  std::size_t consumer_head_cache_ = 0;
};

batch_processor::batch_processor(std::shared_ptr<span_exporter> exporter, batch_options options)
    : exporter_(std::move(exporter)), options_(options) {
  options_.queue_per_thread = std::bit_ceil(std::max<std::size_t>(options_.queue_per_thread, 2));
  options_.max_export_batch = std::max<std::size_t>(options_.max_export_batch, 1);
  batch_.reserve(options_.max_export_batch);
  wake_threshold_ = std::max<std::size_t>(1, std::min(options_.max_export_batch, options_.queue_per_thread / 4));
  worker_ = std::thread([this] { run(); });
}

batch_processor::~batch_processor() {
  shutdown();
  drop_leftovers();
  for (auto& slot : rings_) delete slot.load(std::memory_order_acquire);
}

void batch_processor::drop_leftovers() noexcept {
  // Spans pushed by producers racing shutdown, after the worker's last drain: count them
  // as dropped and return their records, so ended == exported + dropped again.
  for (auto& slot : rings_) {
    ring* r = slot.load(std::memory_order_acquire);
    if (r == nullptr) continue;
    while (span_data* record = r->pop()) {
      counters_.add(span_counters::dropped);
      span_pool::release(record);
    }
  }
}

batch_processor::ring* batch_processor::ring_for(std::size_t slot) noexcept {
  ring* r = rings_[slot].load(std::memory_order_acquire);
  if (r != nullptr) [[likely]] return r;
  // First span ended on this thread slot: one allocation for the life of the slot.
  ring* fresh = nullptr;
  try {
    fresh = new ring(options_.queue_per_thread);
  } catch (...) {
    return nullptr;  // out of memory: the span is counted as dropped
  }
  ring* expected = nullptr;
  if (!rings_[slot].compare_exchange_strong(expected, fresh, std::memory_order_acq_rel)) {
    delete fresh;  // only the overflow slot can race here
    return expected;
  }
  return fresh;
}

void batch_processor::on_end(span_data* record) noexcept {
  counters_.add(span_counters::ended);
  const std::size_t slot = current_thread_slot();
  ring* r = stopped_.load(std::memory_order_relaxed) ? nullptr : ring_for(slot);
  const std::size_t high_water = wake_threshold_;
  bool accepted = false;
  std::size_t occupancy = 0;
  if (r != nullptr) {
    if (slot == kOverflowSlot) [[unlikely]] {
      std::lock_guard lock(overflow_mutex_);
      accepted = r->push(record);
      if (accepted) occupancy = r->producer_size(high_water);
    } else {
      accepted = r->push(record);
      if (accepted) occupancy = r->producer_size(high_water);
    }
  }
  if (!accepted) [[unlikely]] {
    counters_.add(span_counters::dropped);
    span_pool::release(record);
    return;
  }
  // Wake the exporter once a ring holds an export batch (or a quarter of the ring): prompt
  // draining keeps the records in flight, and so the span path's working set, small.
  if (occupancy >= high_water && !wake_pending_.load(std::memory_order_relaxed)) wake();
}

void batch_processor::wake() noexcept {
  if (wake_pending_.exchange(true, std::memory_order_acq_rel)) return;
  // Once per wake, not per span: passing through the mutex orders the flag against the
  // worker's predicate check, so the notification cannot fall between that check and its
  // wait (which would leave the rings filling, and dropping, until the timer).
  { std::lock_guard lock(wake_mutex_); }
  wake_cv_.notify_one();
}

void batch_processor::export_batch() noexcept {
  if (batch_.empty()) return;
  const bool ok = exporter_->export_spans(batch_) == export_result::success;
  counters_.add(ok ? span_counters::exported : span_counters::dropped, batch_.size());
  span_pool::release(batch_);
  batch_.clear();
}

void batch_processor::drain() noexcept {
  for (auto& slot : rings_) {
    ring* r = slot.load(std::memory_order_acquire);
    if (r == nullptr) continue;
    // At most one ring's worth per pass: everything that was in the ring when the pass
    // began, and a producer that keeps pace cannot hold the worker on one ring forever.
    for (std::size_t n = 0; n < options_.queue_per_thread; ++n) {
      span_data* record = r->pop();
      if (record == nullptr) break;
      batch_.push_back(record);
      if (batch_.size() == options_.max_export_batch) export_batch();
    }
  }
  export_batch();
}

void batch_processor::run() noexcept {
  auto last_calibration = std::chrono::steady_clock::now();
  for (;;) {
    std::uint64_t flush_target = 0;
    bool stopping = false;
    {
      std::unique_lock lock(wake_mutex_);
      wake_cv_.wait_for(lock, options_.schedule_delay, [&] {
        return wake_pending_.load(std::memory_order_acquire) || flush_requested_ != flush_completed_ || stopping_;
      });
      flush_target = flush_requested_;
      stopping = stopping_;
    }
    wake_pending_.store(false, std::memory_order_release);
    drain();
    if (const auto now = std::chrono::steady_clock::now(); now - last_calibration > std::chrono::seconds(1)) {
      span_clock::recalibrate();
      last_calibration = now;
    }
    {
      std::unique_lock lock(wake_mutex_);
      if (flush_target != flush_completed_) {
        lock.unlock();
        exporter_->force_flush(std::chrono::seconds(30));
        lock.lock();
        flush_completed_ = flush_target;
        flushed_cv_.notify_all();
      }
    }
    if (stopping) {
      std::lock_guard lock(wake_mutex_);
      worker_done_ = true;
      flushed_cv_.notify_all();
      return;
    }
  }
}

bool batch_processor::force_flush(std::chrono::milliseconds timeout) noexcept {
  std::unique_lock lock(wake_mutex_);
  // After shutdown nothing is accepted, and the worker's last pass drained the rings.
  // (worker_.joinable() would race with the join in shutdown().)
  if (worker_done_) return true;
  const std::uint64_t ticket = ++flush_requested_;
  wake_cv_.notify_one();
  return flushed_cv_.wait_for(lock, timeout, [&] { return flush_completed_ >= ticket || worker_done_; });
}

void batch_processor::shutdown() noexcept {
  if (stopped_.exchange(true, std::memory_order_acq_rel)) return;
  force_flush(std::chrono::seconds(30));
  {
    std::lock_guard lock(wake_mutex_);
    stopping_ = true;
  }
  wake_cv_.notify_one();
  if (worker_.joinable()) worker_.join();
  drop_leftovers();
  exporter_->shutdown();
}

}  // namespace tracebench::tracer
