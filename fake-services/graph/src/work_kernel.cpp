#include "tracebench/services/work_kernel.hpp"

#include <time.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <vector>

namespace tracebench::services {

namespace {

constexpr std::size_t kBufferWords = 512;  // 4 KiB: an L1-resident working set, as a handler's
constexpr unsigned kRepetitions = 9;
constexpr double kRunUs = 5'000;
constexpr std::uint64_t kProbeIterations = 100'000;

std::atomic<std::uint64_t> g_sink{0};  // where each run's hash escapes

std::uint64_t thread_cpu_ns() noexcept {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<std::uint64_t>(ts.tv_sec) * 1'000'000'000ULL + static_cast<std::uint64_t>(ts.tv_nsec);
}

double iterations_per_us(std::uint64_t iterations) noexcept {
  const std::uint64_t start = thread_cpu_ns();
  compute(iterations);
  const std::uint64_t ns = std::max<std::uint64_t>(thread_cpu_ns() - start, 1);
  return static_cast<double>(iterations) * 1000.0 / static_cast<double>(ns);
}

}  // namespace

void compute(std::uint64_t iterations) noexcept {
  thread_local std::array<std::uint64_t, kBufferWords> buffer{};
  std::uint64_t h = 0x9E3779B97F4A7C15ULL;
  for (std::uint64_t i = 0; i < iterations; ++i) {
    std::uint64_t& word = buffer[h % kBufferWords];
    h = (h ^ word ^ i) * 0xBF58476D1CE4E5B9ULL;
    h ^= h >> 31;
    word = h;
  }
  g_sink.fetch_xor(h, std::memory_order_relaxed);
}

void spin_for_us(double us) noexcept {
  if (!(us > 0)) return;
  const auto until = std::chrono::steady_clock::now() + std::chrono::nanoseconds(static_cast<std::int64_t>(us * 1000));
  while (std::chrono::steady_clock::now() < until) {
  }
}

work_rate calibrate_work() {
  (void)iterations_per_us(kProbeIterations);  // warms the buffer and the clock
  const double probe = iterations_per_us(kProbeIterations);
  const auto per_run = static_cast<std::uint64_t>(std::max(1.0, probe * kRunUs));
  std::vector<double> rates;
  for (unsigned r = 0; r < kRepetitions; ++r) rates.push_back(iterations_per_us(per_run));
  std::sort(rates.begin(), rates.end());
  work_rate out;
  out.iterations_per_us = std::max(rates[rates.size() / 2], 1e-3);
  out.repetitions = kRepetitions;
  out.run_us = static_cast<double>(per_run) / out.iterations_per_us;
  out.min_iterations_per_us = rates.front();
  out.max_iterations_per_us = rates.back();
  return out;
}

std::string work_rate::describe() const {
  char text[160];
  std::snprintf(text, sizeof text, "%.1f iterations/us (median of %u x %.0f ms of thread CPU, %.1f-%.1f)",
                iterations_per_us, repetitions, run_us / 1000.0, min_iterations_per_us, max_iterations_per_us);
  return text;
}

}  // namespace tracebench::services
