// The TSC-backed span clock: agrees with CLOCK_REALTIME, never runs backwards on one
// thread, and stays continuous across recalibration.

#include "tracebench/tracer/clock.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <limits>
#include <thread>
#include <vector>

namespace tracebench::tracer {
namespace {

constexpr std::int64_t kMillisecond = 1'000'000;

// |span clock - system clock|, bracketing the span clock between two system reads so a
// preemption between the reads cannot make a correct clock look wrong.
std::int64_t distance_to_system() {
  std::int64_t best = std::numeric_limits<std::int64_t>::max();
  for (int i = 0; i < 5; ++i) {
    const std::int64_t before = span_clock::system_unix_nanos();
    const std::int64_t ours = span_clock::now_unix_nanos();
    const std::int64_t after = span_clock::system_unix_nanos();
    std::int64_t d = 0;
    if (ours < before) d = before - ours;
    if (ours > after) d = ours - after;
    best = std::min(best, d);
  }
  return best;
}

TEST(SpanClockTest, ReportsWhichSourceItUses) {
  RecordProperty("uses_tsc", span_clock::uses_tsc() ? "true" : "false");
  std::cout << "span_clock uses the TSC: " << (span_clock::uses_tsc() ? "yes" : "no") << "\n";
  // Unix nanoseconds of this century, not ticks or a monotonic clock's epoch.
  const std::int64_t now = span_clock::now_unix_nanos();
  EXPECT_GT(now, std::int64_t{1'600'000'000} * 1'000'000'000);
  EXPECT_LT(now, std::int64_t{4'100'000'000} * 1'000'000'000);
}

TEST(SpanClockTest, AgreesWithTheSystemClock) {
  EXPECT_LT(distance_to_system(), kMillisecond);
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_LT(distance_to_system(), kMillisecond) << "after 50 ms the slope still holds";
}

TEST(SpanClockTest, MonotonicOnOneThread) {
  constexpr std::size_t kReads = 100'000;
  std::vector<std::int64_t> reads(kReads);
  for (auto& r : reads) r = span_clock::now_unix_nanos();
  for (std::size_t i = 1; i < kReads; ++i) {
    ASSERT_GE(reads[i], reads[i - 1]) << "read " << i << " went back " << reads[i - 1] - reads[i] << " ns";
  }
  EXPECT_GT(reads.back(), reads.front()) << "the clock advances";
}

TEST(SpanClockTest, MeasuresElapsedTime) {
  const std::int64_t a = span_clock::now_unix_nanos();
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  const std::int64_t b = span_clock::now_unix_nanos();
  EXPECT_GE(b - a, 19 * kMillisecond);
  EXPECT_LT(b - a, 2'000 * kMillisecond);  // generous: a loaded machine
}

TEST(SpanClockTest, RecalibrateKeepsContinuity) {
  for (int i = 0; i < 20; ++i) {
    const std::int64_t before = span_clock::now_unix_nanos();
    span_clock::recalibrate();
    const std::int64_t after = span_clock::now_unix_nanos();
    EXPECT_LT(std::llabs(after - before), kMillisecond) << "recalibration " << i << " jumped";
    EXPECT_LT(distance_to_system(), kMillisecond);
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

TEST(SpanClockTest, ConcurrentRecalibrationAndReads) {
  std::atomic<bool> stop{false};
  std::thread writer([&] {
    while (!stop.load()) {
      span_clock::recalibrate();
      std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
  });
  std::int64_t previous = span_clock::now_unix_nanos();
  std::int64_t worst_step_back = 0;
  for (int i = 0; i < 200'000; ++i) {
    const std::int64_t now = span_clock::now_unix_nanos();
    worst_step_back = std::max(worst_step_back, previous - now);
    previous = now;
  }
  stop = true;
  writer.join();
  // Torn parameters would show as jumps of seconds or more; re-anchoring may step back a
  // little (microseconds of drift), never a millisecond.
  EXPECT_LT(worst_step_back, kMillisecond);
  EXPECT_LT(distance_to_system(), kMillisecond);
}

TEST(SpanClockTest, ThreadsAgree) {
  std::int64_t from_thread = 0;
  const std::int64_t before = span_clock::now_unix_nanos();
  std::thread([&] { from_thread = span_clock::now_unix_nanos(); }).join();
  const std::int64_t after = span_clock::now_unix_nanos();
  EXPECT_GE(from_thread, before - kMillisecond);
  EXPECT_LE(from_thread, after + kMillisecond);
}

}  // namespace
}  // namespace tracebench::tracer
