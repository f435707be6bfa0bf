#pragma once
// Where an open loop's replies are recorded: replies arrive on whatever threads the target
// uses, so each thread records into its own slot (a few threads may share one) and the slots
// are merged once, after the run. Closing makes later replies no-ops, so a reply that comes
// after the run ended touches nothing the result reads.

#include <array>
#include <atomic>
#include <cstdint>
#include <mutex>

#include "tracebench/load/latency_histogram.hpp"

namespace tracebench::harness::detail {

class completion_slots {
 public:
  struct totals {
    std::uint64_t replies = 0;    // warm-up included
    std::uint64_t completed = 0;  // measured
    std::uint64_t errors = 0;     // measured
    latency_histogram latency;
    latency_histogram uncorrected;
  };

  // Thread-safe. Ignored once closed.
  void record(bool measured, bool error, std::int64_t corrected_nanos, std::int64_t uncorrected_nanos) noexcept {
    slot& s = slots_[this_thread_slot()];
    const std::lock_guard lock(s.mutex);
    if (closed_.load(std::memory_order_acquire)) return;
    ++s.replies;
    if (!measured) return;
    ++s.completed;
    if (error) ++s.errors;
    s.latency.record(corrected_nanos);
    s.uncorrected.record(uncorrected_nanos);
  }

  // Once. Every reply recorded before it returns is in the totals, none after.
  [[nodiscard]] totals close_and_merge() {
    closed_.store(true, std::memory_order_release);
    totals t;
    for (slot& s : slots_) {
      const std::lock_guard lock(s.mutex);
      t.replies += s.replies;
      t.completed += s.completed;
      t.errors += s.errors;
      t.latency.merge(s.latency);
      t.uncorrected.merge(s.uncorrected);
    }
    return t;
  }

 private:
  // More than a fake-services executor usually has; beyond it threads share, which costs only
  // an uncontended-most-of-the-time lock.
  static constexpr std::size_t kSlots = 8;

  struct slot {
    std::mutex mutex;
    std::uint64_t replies = 0;
    std::uint64_t completed = 0;
    std::uint64_t errors = 0;
    latency_histogram latency;
    latency_histogram uncorrected;
  };

  static std::size_t this_thread_slot() noexcept {
    static std::atomic<std::size_t> next_thread{0};
    thread_local const std::size_t index = next_thread.fetch_add(1, std::memory_order_relaxed) % kSlots;
    return index;
  }

  std::atomic<bool> closed_{false};
  std::array<slot, kSlots> slots_;
};

}  // namespace tracebench::harness::detail
