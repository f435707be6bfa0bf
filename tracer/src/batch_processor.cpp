#include "tracebench/tracer/batch_processor.hpp"

#include <pthread.h>

#include <bit>
#include <new>

#include "tracebench/tracer/clock.hpp"
#include "tracebench/tracer/span_pool.hpp"

namespace tracebench::tracer {
namespace {

std::chrono::nanoseconds thread_cpu(clockid_t clock) noexcept {
  timespec ts{};
  if (::clock_gettime(clock, &ts) != 0) return std::chrono::nanoseconds{0};
  return std::chrono::seconds(ts.tv_sec) + std::chrono::nanoseconds(ts.tv_nsec);
}

}  // namespace

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
  // True when the ring is over a quarter full, checked once every `every` pushes: the
  // consumer's index is read once per `every` spans, never per span.
  [[nodiscard]] bool needs_drain(std::size_t every) noexcept {
    if (++since_check_ < every) return false;
    since_check_ = 0;
    producer_tail_cache_ = tail_.load(std::memory_order_acquire);
    return head_.load(std::memory_order_relaxed) - producer_tail_cache_ > mask_ / 4;
  }

  // Consumer side: hands up to `max` records to `sink` and publishes the new tail once, so
  // the producer's cache line is read once per run rather than once per record.
  template <typename Sink>
  std::size_t take(std::size_t max, Sink&& sink) noexcept {
    const std::size_t tail = tail_.load(std::memory_order_relaxed);
    if (tail == consumer_head_cache_) consumer_head_cache_ = head_.load(std::memory_order_acquire);
    const std::size_t n = std::min(max, consumer_head_cache_ - tail);
    for (std::size_t i = 0; i < n; ++i) sink(slots_[(tail + i) & mask_]);
    if (n != 0) tail_.store(tail + n, std::memory_order_release);
    return n;
  }
  span_data* pop() noexcept {
    span_data* record = nullptr;
    take(1, [&](span_data* r) { record = r; });
    return record;
  }

 private:
  const std::size_t mask_;
  std::unique_ptr<span_data*[]> slots_;
  alignas(64) std::atomic<std::size_t> head_{0};
  std::size_t producer_tail_cache_ = 0;
  std::size_t since_check_ = 0;
  alignas(64) std::atomic<std::size_t> tail_{0};
  std::size_t consumer_head_cache_ = 0;
};

batch_processor::batch_processor(std::shared_ptr<span_exporter> exporter, batch_options options)
    : exporter_(std::move(exporter)), options_(options) {
  options_.queue_per_thread = std::bit_ceil(std::max<std::size_t>(options_.queue_per_thread, 2));
  options_.max_export_batch = std::max<std::size_t>(options_.max_export_batch, 1);
  batch_.reserve(options_.max_export_batch);
  runs_.reserve(rings_.size());
  fill_check_every_ = std::max<std::size_t>(1, std::min<std::size_t>(256, options_.queue_per_thread / 8));
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

batch_processor::ring* batch_processor::create_ring(std::size_t slot) noexcept {
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
  const std::size_t slot = current_thread_slot();
  counters_.add_at(slot, span_counters::ended);
  ring* r = stopped_.load(std::memory_order_relaxed) ? nullptr : ring_for(slot);
  bool accepted = false;
  bool due = false;
  if (r != nullptr) {
    if (slot == kOverflowSlot) [[unlikely]] {
      std::lock_guard lock(overflow_mutex_);
      accepted = r->push(record);
      due = accepted && r->needs_drain(fill_check_every_);
    } else {
      accepted = r->push(record);
      due = accepted && r->needs_drain(fill_check_every_);
    }
  }
  if (!accepted) [[unlikely]] {
    counters_.add_at(slot, span_counters::dropped);
    span_pool::release(record);
    return;
  }
  // The exporter polls while spans flow; a ring over a quarter full means it is asleep or
  // behind: wake it, with three quarters of the ring left to absorb its wake-up latency.
  if (due && !wake_pending_.load(std::memory_order_relaxed)) wake();
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
  // Back to the threads whose rings they came from, without touching the records.
  std::size_t offset = 0;
  for (const auto& [home, count] : runs_) {
    span_pool::release_to(home, std::span<const span_data* const>(batch_).subspan(offset, count));
    offset += count;
  }
  batch_.clear();
  runs_.clear();
}

std::size_t batch_processor::drain() noexcept {
  std::size_t drained = 0;
  for (std::size_t home = 0; home < rings_.size(); ++home) {
    ring* r = rings_[home].load(std::memory_order_acquire);
    if (r == nullptr) continue;
    // At most one ring's worth per pass: everything that was in the ring when the pass
    // began, and a producer that keeps pace cannot hold the worker on one ring forever.
    std::size_t budget = options_.queue_per_thread;
    while (budget > 0) {
      const std::size_t room = options_.max_export_batch - batch_.size();
      const std::size_t got = r->take(std::min(room, budget), [this](span_data* record) { batch_.push_back(record); });
      budget -= got;
      drained += got;
      if (got != 0) {
        if (!runs_.empty() && runs_.back().first == home) {
          runs_.back().second += got;
        } else {
          runs_.emplace_back(home, got);  // capacity reserved: at most one run per ring
        }
      }
      if (batch_.size() == options_.max_export_batch) export_batch();
      if (got < room) break;  // the ring is empty
    }
  }
  export_batch();
  return drained;
}

void batch_processor::run() noexcept {
  {
    std::lock_guard lock(wake_mutex_);
    worker_clock_valid_ = ::pthread_getcpuclockid(::pthread_self(), &worker_clock_) == 0;
  }
  auto last_calibration = std::chrono::steady_clock::now();
  bool busy = false;  // the last pass found spans: poll again soon rather than wait to be woken
  for (;;) {
    std::uint64_t flush_target = 0;
    bool stopping = false;
    {
      std::unique_lock lock(wake_mutex_);
      const auto delay = busy ? std::chrono::duration_cast<std::chrono::microseconds>(options_.busy_poll)
                              : std::chrono::duration_cast<std::chrono::microseconds>(options_.schedule_delay);
      wake_cv_.wait_for(lock, delay, [&] {
        return wake_pending_.load(std::memory_order_acquire) || flush_requested_ != flush_completed_ || stopping_;
      });
      flush_target = flush_requested_;
      stopping = stopping_;
    }
    wake_pending_.store(false, std::memory_order_release);
    busy = drain() > 0;
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
      worker_final_cpu_ = thread_cpu(CLOCK_THREAD_CPUTIME_ID);
      worker_done_ = true;
      flushed_cv_.notify_all();
      return;
    }
  }
}

std::chrono::nanoseconds batch_processor::worker_cpu_time() noexcept {
  std::lock_guard lock(wake_mutex_);
  // While worker_done_ is false under the lock the thread has not returned, so its clock is valid.
  if (worker_done_) return worker_final_cpu_;
  return worker_clock_valid_ ? thread_cpu(worker_clock_) : std::chrono::nanoseconds{0};
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
