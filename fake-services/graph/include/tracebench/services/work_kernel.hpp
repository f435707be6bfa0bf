#pragma once
// Simulated computation: a service's `cpu_us` as a fixed number of iterations of a kernel that
// touches memory as a request handler does (a multiply-xor hash read-modify-writing a 4 KiB
// per-thread buffer), so the same work takes longer on a slower or busier core, and CPU another
// thread takes from it is paid in latency. Calibrated once per process into iterations per us.

#include <cstdint>
#include <string>

namespace tracebench::services {

struct work_rate {
  double iterations_per_us = 0;
  // How it was measured: the kernel's iterations over this thread's CPU time (preemption does not
  // count), the median of `repetitions` runs of about `run_us` each, and their spread.
  unsigned repetitions = 0;
  double run_us = 0;
  double min_iterations_per_us = 0;
  double max_iterations_per_us = 0;
  [[nodiscard]] std::string describe() const;  // "412.3 iterations/us (median of 9 x 5 ms, 405.1-415.0)"
};

// Takes about 50 ms of this thread's CPU. Never returns a rate of 0.
[[nodiscard]] work_rate calibrate_work();

// Runs the kernel `iterations` times on this thread's buffer; the result escapes, so the compiler
// cannot drop it.
void compute(std::uint64_t iterations) noexcept;

// Busy-waits `us` microseconds of wall time (the "spin" work model).
void spin_for_us(double us) noexcept;

}  // namespace tracebench::services
