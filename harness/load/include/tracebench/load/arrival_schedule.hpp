#pragma once
// When an open loop's requests are due, from the schedule alone: never from when a reply came,
// which is what keeps the generator free of coordinated omission.

#include <chrono>
#include <cstdint>
#include <random>

namespace tracebench::harness {

enum class arrival_process : std::uint8_t {
  constant,  // exactly 1/rate apart
  poisson,   // exponential gaps with mean 1/rate
};

class arrival_schedule {
 public:
  // Throws std::invalid_argument unless rate > 0 and finite (requests per second).
  arrival_schedule(arrival_process process, double rate, std::uint64_t seed);

  // Offset from the run's start of the next arrival; non-decreasing. Constant arrivals start at
  // 0 and are computed, not summed, so they never drift. Same seed, same offsets.
  [[nodiscard]] std::chrono::nanoseconds next() noexcept;

 private:
  arrival_process process_;
  double gap_nanos_;  // mean gap
  std::uint64_t index_ = 0;
  double poisson_nanos_ = 0.0;
  std::mt19937_64 engine_;
};

}  // namespace tracebench::harness
