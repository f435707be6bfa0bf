#pragma once
// Wall-clock unix nanoseconds from the invariant TSC: one rdtsc (~10 ns) instead of
// clock_gettime (~25-30 ns), so two timestamps fit a 40 ns span budget.

#include <atomic>
#include <cstdint>

#if defined(__x86_64__)
#include <x86intrin.h>
#endif

namespace tracebench::tracer {

class span_clock {
 public:
  // Unix nanoseconds. Monotonic between recalibrations; lock-free, allocation-free. The
  // first call in a process calibrates (about 20 ms); processors call it up front.
  [[nodiscard]] static std::int64_t now_unix_nanos() noexcept;
  // Re-anchors tick->ns against CLOCK_REALTIME and refines the slope from the first
  // anchor; called about once a second by the batch processor so drift stays small.
  static void recalibrate() noexcept;
  // True when the TSC is used; false on hosts without an invariant TSC (clock_gettime).
  [[nodiscard]] static bool uses_tsc() noexcept;
  // Reads CLOCK_REALTIME directly, for tests and calibration.
  [[nodiscard]] static std::int64_t system_unix_nanos() noexcept;
};

namespace detail {
// Seqlock-protected tick->ns conversion. sequence is odd while the writer updates it and
// 0 until the first calibration; nanos_per_tick_q32 == 0 means "no TSC: ask the kernel".
struct clock_params {
  std::atomic<std::uint64_t> sequence{0};
  std::atomic<std::uint64_t> base_ticks{0};
  std::atomic<std::int64_t> base_nanos{0};
  std::atomic<std::uint64_t> nanos_per_tick_q32{0};
};
extern constinit clock_params g_clock;
std::int64_t now_slow() noexcept;
}  // namespace detail

inline std::int64_t span_clock::now_unix_nanos() noexcept {
#if defined(__x86_64__)
  detail::clock_params& c = detail::g_clock;
  const std::uint64_t seq = c.sequence.load(std::memory_order_acquire);
  const std::uint64_t base_ticks = c.base_ticks.load(std::memory_order_relaxed);
  const std::int64_t base_nanos = c.base_nanos.load(std::memory_order_relaxed);
  const std::uint64_t q32 = c.nanos_per_tick_q32.load(std::memory_order_relaxed);
  std::atomic_thread_fence(std::memory_order_acquire);
  if ((seq & 1) != 0 || seq == 0 || q32 == 0 || seq != c.sequence.load(std::memory_order_relaxed)) [[unlikely]] {
    return detail::now_slow();
  }
  // Ticks read just after a re-anchor's base can precede it; the signed delta keeps them right.
  const auto delta = static_cast<std::int64_t>(__rdtsc() - base_ticks);
  __extension__ using int128 = __int128;
  return base_nanos + static_cast<std::int64_t>((static_cast<int128>(delta) * static_cast<int128>(q32)) >> 32);
#else
  return detail::now_slow();
#endif
}

}  // namespace tracebench::tracer
