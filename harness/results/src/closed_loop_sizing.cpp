#include "tracebench/results/closed_loop_sizing.hpp"

#include <algorithm>

namespace tracebench::harness {
namespace {

bool saturated(const concurrency_probe& before, const concurrency_probe& after) noexcept {
  return after.throughput <= before.throughput * (1 + kSaturationGrowth);
}

}  // namespace

std::optional<unsigned> next_probe(std::span<const concurrency_probe> probes) {
  if (probes.empty()) return kFirstConcurrency;
  if (probes.size() >= 2 && saturated(probes[probes.size() - 2], probes.back())) return std::nullopt;
  if (probes.back().concurrency >= kMaxConcurrency) return std::nullopt;
  return std::min(kMaxConcurrency, probes.back().concurrency * 2);
}

closed_loop_sizing choose_concurrency(std::span<const concurrency_probe> probes) {
  closed_loop_sizing sizing;
  sizing.chosen = true;
  sizing.probes.assign(probes.begin(), probes.end());
  for (std::size_t i = 1; i < probes.size(); ++i) {
    if (saturated(probes[i - 1], probes[i])) {
      sizing.concurrency = probes[i - 1].concurrency;
      return sizing;
    }
  }
  sizing.concurrency = probes.empty() ? kFirstConcurrency : probes.back().concurrency;
  sizing.wait_bound = sizing.concurrency >= kMaxConcurrency;
  return sizing;
}

std::chrono::nanoseconds phase_length(std::chrono::nanoseconds planned, double rate) noexcept {
  if (rate <= 0) return planned;
  const double needed_s = 1.25 * static_cast<double>(kMinPhaseRequests) / rate;
  const double planned_s = std::chrono::duration<double>(planned).count();
  const double length_s = std::clamp(needed_s, planned_s, planned_s * kMaxPhaseStretch);
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::duration<double>(length_s));
}

}  // namespace tracebench::harness
