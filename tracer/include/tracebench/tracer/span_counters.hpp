#pragma once
// Span accounting shared by a tracer and its processor. Each thread writes only its own
// cache line with plain stores, so counting costs no locked instruction and no sharing.

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>

#include "tracebench/tracer/thread_slot.hpp"

namespace tracebench::tracer {

struct span_counts {
  std::uint64_t started = 0;   // every span, sampled or not
  std::uint64_t sampled = 0;   // spans that record
  std::uint64_t ended = 0;     // sampled spans handed to the processor
  std::uint64_t exported = 0;  // spans the exporter accepted
  std::uint64_t dropped = 0;   // spans lost: queue full, export failure, shutdown
  // Accepted by the processor but neither exported nor dropped yet.
  [[nodiscard]] std::uint64_t queued() const noexcept { return ended - exported - dropped; }
};

class span_counters {
 public:
  enum field : std::uint8_t { started, sampled, ended, exported, dropped, kFieldCount };

  span_counters() : slots_(std::make_unique<slot[]>(kMaxThreadSlots + 1)) {}

  void add(field f, std::uint64_t n = 1) noexcept { add_at(current_thread_slot(), f, n); }

  // add() for a caller that already looked up its thread slot.
  void add_at(std::size_t s, field f, std::uint64_t n = 1) noexcept {
    std::atomic<std::uint64_t>& c = slots_[s].values[f];
    if (s == kOverflowSlot) [[unlikely]] {
      c.fetch_add(n, std::memory_order_relaxed);  // shared by every overflow thread
    } else {
      c.store(c.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
    }
  }

  // What the calling thread alone has added to `f`: exact, for per-thread accounting.
  [[nodiscard]] std::uint64_t this_thread(field f) const noexcept {
    return slots_[current_thread_slot()].values[f].load(std::memory_order_relaxed);
  }

  [[nodiscard]] span_counts snapshot() const noexcept {
    std::array<std::uint64_t, kFieldCount> sum{};
    for (std::size_t s = 0; s <= kMaxThreadSlots; ++s) {
      for (std::size_t f = 0; f < kFieldCount; ++f) sum[f] += slots_[s].values[f].load(std::memory_order_relaxed);
    }
    return {sum[started], sum[sampled], sum[ended], sum[exported], sum[dropped]};
  }

 private:
  struct alignas(64) slot {
    std::array<std::atomic<std::uint64_t>, kFieldCount> values{};
  };
  std::unique_ptr<slot[]> slots_;
};

}  // namespace tracebench::tracer
