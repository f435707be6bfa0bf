#pragma once
// Per-thread lock-free rings drained by one background thread that exports in batches.
// A full ring drops the span and counts it: the ending thread never blocks or locks.

#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include <time.h>

#include "tracebench/tracer/span_exporter.hpp"
#include "tracebench/tracer/span_processor.hpp"
#include "tracebench/tracer/thread_slot.hpp"

namespace tracebench::tracer {

struct batch_options {
  std::size_t queue_per_thread = 8192;  // rounded up to a power of two
  std::size_t max_export_batch = 512;
  std::chrono::milliseconds schedule_delay{100};  // export at least this often when idle
  // While spans are flowing the exporter polls this often instead of waiting to be told:
  // waking a sleeping thread costs the producer a syscall (and, on a VM, an IPI), which
  // measured at ~30 ns a span when it happened every 512 spans. Producers still wake it
  // when a ring is a quarter full, so a burst cannot outrun the poll.
  std::chrono::microseconds busy_poll{200};
};

class batch_processor final : public span_processor {
 public:
  explicit batch_processor(std::shared_ptr<span_exporter> exporter, batch_options options = {});
  ~batch_processor() override;
  batch_processor(const batch_processor&) = delete;
  batch_processor& operator=(const batch_processor&) = delete;

  void on_end(span_data* record) noexcept override;
  bool force_flush(std::chrono::milliseconds timeout) noexcept override;
  void shutdown() noexcept override;

  [[nodiscard]] const batch_options& options() const noexcept { return options_; }
  // CPU the export thread has used so far (its exporter's work included), for telling work off
  // the request path from work on it. 0 where the thread's clock cannot be read.
  [[nodiscard]] std::chrono::nanoseconds worker_cpu_time() noexcept;

 private:
  class ring;
  ring* ring_for(std::size_t slot) noexcept {
    ring* r = rings_[slot].load(std::memory_order_acquire);
    return r != nullptr ? r : create_ring(slot);
  }
  ring* create_ring(std::size_t slot) noexcept;
  void run() noexcept;
  // Moves what every ring holds now into batches and exports them; returns how many.
  // Consumer thread only.
  std::size_t drain() noexcept;
  void export_batch() noexcept;
  void wake() noexcept;
  // After the worker has stopped: pops what producers racing shutdown left, as dropped.
  void drop_leftovers() noexcept;

  std::shared_ptr<span_exporter> exporter_;
  batch_options options_;
  std::array<std::atomic<ring*>, kMaxThreadSlots + 1> rings_{};
  std::mutex overflow_mutex_;  // the overflow slot's ring has many producers
  std::vector<const span_data*> batch_;
  std::vector<std::pair<std::size_t, std::size_t>> runs_;  // (thread slot, count) of batch_, in order
  std::size_t fill_check_every_ = 1;                       // pushes between a producer's looks at its ring's fill

  std::mutex wake_mutex_;
  std::condition_variable wake_cv_;
  std::condition_variable flushed_cv_;
  std::atomic<bool> wake_pending_{false};
  std::uint64_t flush_requested_ = 0;  // guarded by wake_mutex_
  std::uint64_t flush_completed_ = 0;  // guarded by wake_mutex_
  bool stopping_ = false;              // guarded by wake_mutex_
  bool worker_done_ = false;           // guarded by wake_mutex_: the worker has returned
  std::atomic<bool> stopped_{false};
  clockid_t worker_clock_{};                      // guarded by wake_mutex_; set before the first export
  bool worker_clock_valid_ = false;               // guarded by wake_mutex_
  std::chrono::nanoseconds worker_final_cpu_{0};  // guarded by wake_mutex_: read as the worker returned
  std::thread worker_;
};

}  // namespace tracebench::tracer
