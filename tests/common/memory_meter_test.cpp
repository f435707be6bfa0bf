// The memory meter on code that allocates on purpose: allocations per request over the latency
// phase, heap in use growing by what was kept, and a peak that is the run's own.

#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <new>
#include <vector>

#include "tracebench/common/memory_meter.hpp"

namespace harness = tracebench::harness;

namespace {

constexpr std::uint64_t kRequests = 50;
constexpr std::size_t kAllocationsPerRequest = 1000;
// Under glibc's mmap threshold (128 KiB): kept in the arena, so in uordblks.
constexpr std::size_t kKeptPerRequest = 64 * 1024;
constexpr std::size_t kMiB = 1024 * 1024;

void* volatile escaped = nullptr;  // stores through it cannot be dropped as dead

// Every page of `bytes` written, then handed back (an allocation this large is mmapped: its
// pages leave the resident set when it is freed).
void touch_and_free(std::size_t bytes) {
  auto* p = static_cast<char*>(::operator new(bytes));
  escaped = p;
  std::memset(p, 1, bytes);
  ::operator delete(p);
}

// One "request": kAllocationsPerRequest allocations freed again, and one block kept.
void serve(std::vector<void*>& scratch, std::vector<std::unique_ptr<char[]>>& kept) {
  for (std::size_t i = 0; i < kAllocationsPerRequest; ++i) scratch[i] = ::operator new(32);
  escaped = scratch[kAllocationsPerRequest / 2];
  for (void* p : scratch) ::operator delete(p);
  kept.emplace_back(new char[kKeptPerRequest]);
  std::memset(kept.back().get(), 2, kKeptPerRequest);
}

TEST(MemoryMeter, CountsTheLatencyPhasesAllocationsPerRequestAndTheHeapItKept) {
  std::vector<void*> scratch(kAllocationsPerRequest);
  std::vector<std::unique_ptr<char[]>> kept;
  kept.reserve(kRequests);  // so that only the requests allocate in the phase
  serve(scratch, kept);     // not counted: before the phase
  kept.clear();

  harness::memory_meter meter;
  const std::uint64_t heap_before = harness::heap_in_use_bytes();
  meter.latency_phase_started();
  for (std::uint64_t r = 0; r < kRequests; ++r) serve(scratch, kept);
  meter.latency_phase_ended(kRequests);
  serve(scratch, kept);  // not counted: after the phase
  const harness::memory_figures figures = meter.read();

  EXPECT_EQ(figures.requests, kRequests);
  EXPECT_EQ(figures.allocations, kRequests * (kAllocationsPerRequest + 1));
  ASSERT_TRUE(figures.allocations_per_request());
  EXPECT_DOUBLE_EQ(*figures.allocations_per_request(), kAllocationsPerRequest + 1.0);

  // The heap grew by what the requests kept (plus malloc's chunk headers), not by what they freed.
  const std::uint64_t kept_bytes = kRequests * kKeptPerRequest;
  ASSERT_GT(figures.heap_in_use_bytes, heap_before);
  const std::uint64_t grown = figures.heap_in_use_bytes - heap_before;
  EXPECT_GE(grown, kept_bytes);
  EXPECT_LE(grown, kept_bytes + kept_bytes / 20 + 64 * 1024) << grown;
  EXPECT_GE(figures.peak_rss_bytes, figures.heap_in_use_bytes);
}

TEST(MemoryMeter, WithoutALatencyPhaseThereIsNoPerRequestFigure) {
  const harness::memory_meter meter;
  const harness::memory_figures figures = meter.read();
  EXPECT_EQ(figures.requests, 0U);
  EXPECT_EQ(figures.allocations, 0U);
  EXPECT_EQ(figures.heap_in_use_bytes, 0U);
  EXPECT_FALSE(figures.allocations_per_request());
  EXPECT_GT(figures.peak_rss_bytes, 0U);
}

TEST(MemoryMeter, EachMeterStartsItsOwnPeak) {
  if (!harness::reset_peak_rss()) GTEST_SKIP() << "/proc/self/clear_refs is not writable here";
  std::uint64_t first = 0;
  {
    const harness::memory_meter meter;
    touch_and_free(64 * kMiB);
    first = meter.read().peak_rss_bytes;
  }
  EXPECT_GE(first, 64 * kMiB);
  const harness::memory_meter meter;  // after the 64 MiB went back: a smaller run's peak
  touch_and_free(8 * kMiB);
  const std::uint64_t second = meter.read().peak_rss_bytes;
  EXPECT_GE(second, 8 * kMiB);
  EXPECT_LT(second + 40 * kMiB, first) << "the second meter still sees the first one's peak";
}

}  // namespace
