#pragma once
// One point of the collector memory sweep (experiment/memory_sweep.hpp): what a tail-sampling
// collector held at one decision wait and offered load, beside what Little's law predicts.

#include <chrono>
#include <cstdint>
#include <string>

namespace tracebench::harness {

struct memory_sweep_point {
  std::string varied;  // "decision_wait" or "load"
  std::chrono::nanoseconds decision_wait{0};
  double offered_rate = 0;
  double achieved_rate = 0;
  std::uint64_t peak_bytes = 0;
  std::uint64_t peak_traces = 0;
  std::uint64_t traces_evicted = 0;
  // achieved_rate x decision_wait
  [[nodiscard]] double expected_traces() const noexcept {
    return achieved_rate * std::chrono::duration<double>(decision_wait).count();
  }
};

}  // namespace tracebench::harness
