#include "tracebench/load/arrival_schedule.hpp"

#include <cmath>
#include <stdexcept>

namespace tracebench::harness {

arrival_schedule::arrival_schedule(arrival_process process, double rate, std::uint64_t seed)
    : process_(process), gap_nanos_(0.0), engine_(seed) {
  if (!(rate > 0.0) || !std::isfinite(rate)) throw std::invalid_argument("arrival rate must be positive and finite");
  gap_nanos_ = 1e9 / rate;
}

std::chrono::nanoseconds arrival_schedule::next() noexcept {
  if (process_ == arrival_process::constant) {
    const double offset = static_cast<double>(index_++) * gap_nanos_;
    return std::chrono::nanoseconds(std::llround(offset));
  }
  // Uniform from the engine's top 53 bits rather than std::exponential_distribution, whose draws
  // differ between standard libraries: a seed should name the same schedule everywhere.
  const double u = static_cast<double>(engine_() >> 11) * 0x1.0p-53;  // [0, 1)
  poisson_nanos_ += -std::log1p(-u) * gap_nanos_;
  return std::chrono::nanoseconds(std::llround(poisson_nanos_));
}

}  // namespace tracebench::harness
