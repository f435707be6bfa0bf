#pragma once
// How the closed loop is sized, once per experiment in round 1's off run: how many requests in
// flight make its throughput a capacity (the graph saturated, not Little's law over a fixed 16),
// and how long a phase must be to complete enough requests that a change is not a step of 1/N.

#include <chrono>
#include <cstddef>
#include <optional>
#include <span>
#include <vector>

namespace tracebench::harness {

// Doubling from 16 while throughput grows by more than 5%: a doubling that buys less has
// saturated the graph; 5% is above a short probe's run-to-run noise here (1-3%) and well below
// what a doubling gives a graph that is still wait-bound (~100%).
inline constexpr unsigned kFirstConcurrency = 16;
inline constexpr unsigned kMaxConcurrency = 4096;
inline constexpr double kSaturationGrowth = 0.05;

// Fewer completed requests than this in a phase and a change moves in steps above 0.5%, which
// is the precision the experiment is after: such a phase is lengthened, or invalid.
inline constexpr std::uint64_t kMinPhaseRequests = 200;
// A phase is lengthened to at most this many times the planned one.
inline constexpr unsigned kMaxPhaseStretch = 10;

struct concurrency_probe {
  unsigned concurrency = 0;
  double throughput = 0;  // completed per second
};

struct closed_loop_sizing {
  unsigned concurrency = 0;  // requests in flight in every run's closed loop
  bool chosen = false;       // by the probes (false: --concurrency fixed it)
  // Still growing at kMaxConcurrency: its throughput is the waits' Little's law, not a capacity.
  bool wait_bound = false;
  std::vector<concurrency_probe> probes;        // in the order they ran; empty when fixed
  std::chrono::nanoseconds capacity_window{0};  // phase 1's measured length, after any lengthening
};

// The next concurrency to probe after `probes` (doubling from kFirstConcurrency), or nothing when
// they have found saturation or reached kMaxConcurrency.
[[nodiscard]] std::optional<unsigned> next_probe(std::span<const concurrency_probe> probes);

// The probes' verdict: the first concurrency whose doubling grew throughput by no more than
// kSaturationGrowth (it saturates the graph already; more in flight would only queue), or
// kMaxConcurrency and wait_bound when none did.
[[nodiscard]] closed_loop_sizing choose_concurrency(std::span<const concurrency_probe> probes);

// A phase of `planned` length that completes `rate` requests per second, lengthened (by 25%
// for margin) until it completes kMinPhaseRequests, at most kMaxPhaseStretch x planned.
[[nodiscard]] std::chrono::nanoseconds phase_length(std::chrono::nanoseconds planned, double rate) noexcept;

}  // namespace tracebench::harness
