// The counting operator new: every form counts once, deletes count nothing, and allocations on
// other threads (exited ones included) are in the sum.

#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <latch>
#include <new>
#include <thread>
#include <vector>

#include "tracebench/common/allocation_counter.hpp"

namespace harness = tracebench::harness;

namespace {

// Pointers stored here escape, so the compiler may not drop a new/delete pair as unused.
void* volatile escaped = nullptr;

struct alignas(64) over_aligned {
  char bytes[64];
};

// Allocations that `action` makes, counted from this thread's view of every thread's.
template <typename F>
std::uint64_t allocations_in(F&& action) {
  const std::uint64_t before = harness::allocations_so_far();
  action();
  return harness::allocations_so_far() - before;
}

TEST(AllocationCounter, EveryFormOfOperatorNewCountsOnceAndDeleteNone) {
  int* plain = nullptr;
  EXPECT_EQ(allocations_in([&] { escaped = plain = new int(1); }), 1U);
  EXPECT_EQ(allocations_in([&] { delete plain; }), 0U);

  int* array = nullptr;
  EXPECT_EQ(allocations_in([&] { escaped = array = new int[16]; }), 1U);
  EXPECT_EQ(allocations_in([&] { delete[] array; }), 0U);

  int* nothrow = nullptr;
  EXPECT_EQ(allocations_in([&] { escaped = nothrow = new (std::nothrow) int(2); }), 1U);
  ASSERT_NE(nothrow, nullptr);
  delete nothrow;

  int* nothrow_array = nullptr;
  EXPECT_EQ(allocations_in([&] { escaped = nothrow_array = new (std::nothrow) int[4]; }), 1U);
  delete[] nothrow_array;

  over_aligned* aligned = nullptr;
  EXPECT_EQ(allocations_in([&] { escaped = aligned = new over_aligned; }), 1U);
  EXPECT_EQ(reinterpret_cast<std::uintptr_t>(aligned) % alignof(over_aligned), 0U);
  EXPECT_EQ(allocations_in([&] { delete aligned; }), 0U);

  over_aligned* aligned_array = nullptr;
  EXPECT_EQ(allocations_in([&] { escaped = aligned_array = new over_aligned[3]; }), 1U);
  EXPECT_EQ(reinterpret_cast<std::uintptr_t>(aligned_array) % alignof(over_aligned), 0U);
  delete[] aligned_array;

  over_aligned* aligned_nothrow = nullptr;
  EXPECT_EQ(allocations_in([&] { escaped = aligned_nothrow = new (std::nothrow) over_aligned; }), 1U);
  delete aligned_nothrow;

  void* raw = nullptr;
  EXPECT_EQ(allocations_in([&] { escaped = raw = ::operator new(0); }), 1U);  // size 0 still allocates
  EXPECT_NE(raw, nullptr);
  EXPECT_EQ(allocations_in([&] { ::operator delete (raw, std::size_t{0}); }), 0U);  // sized delete

  void* raw_aligned = nullptr;
  EXPECT_EQ(allocations_in([&] { escaped = raw_aligned = ::operator new (100, std::align_val_t{256}); }), 1U);
  EXPECT_EQ(reinterpret_cast<std::uintptr_t>(raw_aligned) % 256, 0U);
  ::operator delete (raw_aligned, 100, std::align_val_t{256});
}

TEST(AllocationCounter, ThrowingFormFailsWithBadAllocAndNothrowWithNull) {
#if defined(__SANITIZE_ADDRESS__)
  GTEST_SKIP() << "AddressSanitizer reports an impossible allocation rather than failing it";
#endif
  const volatile std::size_t impossible = static_cast<std::size_t>(-1) / 2;
  EXPECT_THROW(escaped = ::operator new(impossible), std::bad_alloc);
  EXPECT_EQ(::operator new(impossible, std::nothrow), nullptr);
  EXPECT_EQ(::operator new (impossible, std::align_val_t{64}, std::nothrow), nullptr);
}

// `threads` threads, all alive at once, each making `each` allocations; returns what was counted.
std::uint64_t count_in_threads(int threads, int each) {
  std::vector<std::thread> started;
  started.reserve(static_cast<std::size_t>(threads));
  std::latch all_alive(threads);
  const std::uint64_t before = harness::allocations_so_far();
  for (int t = 0; t < threads; ++t) {
    started.emplace_back([&all_alive, each] {
      all_alive.arrive_and_wait();
      for (int i = 0; i < each; ++i) {
        void* p = ::operator new(24);
        escaped = p;
        ::operator delete(p);
      }
    });
  }
  for (std::thread& t : started) t.join();
  return harness::allocations_so_far() - before;
}

TEST(AllocationCounter, SumsEveryThreadIncludingThoseThatExited) {
  // Twice: the second batch takes over the slots the first gave back, whose counts must stay.
  for (int batch = 0; batch < 2; ++batch) {
    constexpr int kThreads = 40;
    constexpr int kEach = 5'000;
    const std::uint64_t counted = count_in_threads(kThreads, kEach);
    const std::uint64_t planted = std::uint64_t{kThreads} * kEach;
    EXPECT_GE(counted, planted);
    // Besides them only std::thread allocates: its state, once per thread (twice leaves slack).
    EXPECT_LE(counted, planted + 2 * kThreads) << counted;
  }
}

TEST(AllocationCounter, MoreLiveThreadsThanSlotsShareOneAndStillCountExactly) {
  constexpr int kThreads = 300;  // the counter has 256 slots of its own
  constexpr int kEach = 1'000;
  const std::uint64_t counted = count_in_threads(kThreads, kEach);
  const std::uint64_t planted = std::uint64_t{kThreads} * kEach;
  EXPECT_GE(counted, planted);
  EXPECT_LE(counted, planted + 2 * kThreads) << counted;
}

}  // namespace
