#pragma once
// Wall-clock unix nanoseconds from the invariant TSC: one rdtsc (~10 ns) instead of
// clock_gettime (~25 ns), so two timestamps fit a 40 ns span budget.

#include <atomic>
#include <cstdint>

namespace tracebench::tracer {

class span_clock {
 public:
  // Unix nanoseconds. Monotonic between recalibrations; lock-free, allocation-free.
  [[nodiscard]] static std::int64_t now_unix_nanos() noexcept;
  // Re-anchors tick->ns against CLOCK_REALTIME and refines the slope from the first
  // anchor; called about once a second by processors so drift stays in microseconds.
  static void recalibrate() noexcept;
  // True when the TSC is used; false on hosts without an invariant TSC (clock_gettime).
  [[nodiscard]] static bool uses_tsc() noexcept;
  // Reads CLOCK_REALTIME directly, for tests and calibration.
  [[nodiscard]] static std::int64_t system_unix_nanos() noexcept;

 private:
  struct params {
    std::uint64_t base_ticks;
    std::int64_t base_nanos;
    std::uint64_t nanos_per_tick_q32;  // fixed point, 32 fractional bits
  };
  static params load() noexcept;
  static const params& initial() noexcept;
};

}  // namespace tracebench::tracer
