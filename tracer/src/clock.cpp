#include "tracebench/tracer/clock.hpp"

#include <ctime>
#include <mutex>
#include <thread>

namespace tracebench::tracer {
namespace detail {
constinit clock_params g_clock{};
}  // namespace detail

namespace {

__extension__ using uint128 = unsigned __int128;

#if defined(__x86_64__)
inline std::uint64_t read_ticks() noexcept { return __rdtsc(); }

bool cpu_has_invariant_tsc() noexcept {
  unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
  __asm__ volatile("cpuid" : "=a"(eax), "=b"(ebx), "=c"(ecx), "=d"(edx) : "a"(0x80000000u));
  if (eax < 0x80000007u) return false;
  __asm__ volatile("cpuid" : "=a"(eax), "=b"(ebx), "=c"(ecx), "=d"(edx) : "a"(0x80000007u));
  return (edx & (1u << 8)) != 0;
}
#else
inline std::uint64_t read_ticks() noexcept { return 0; }
bool cpu_has_invariant_tsc() noexcept { return false; }
#endif

// The writer's side: one thread at a time, about once a second.
struct writer_state {
  std::mutex mutex;
  std::once_flag calibrated;
  bool tsc = false;
  std::uint64_t first_ticks = 0;
  std::int64_t first_nanos = 0;
};

writer_state& writer() noexcept {
  static writer_state w;
  return w;
}

// Pairs a tick reading with the wall clock, keeping the tightest of a few brackets so a
// preemption between the two reads does not skew the anchor.
void anchor(std::uint64_t& ticks, std::int64_t& nanos) noexcept {
  std::uint64_t best_width = ~0ULL;
  for (int i = 0; i < 5; ++i) {
    const std::uint64_t before = read_ticks();
    const std::int64_t wall = span_clock::system_unix_nanos();
    const std::uint64_t after = read_ticks();
    if (after - before < best_width) {
      best_width = after - before;
      ticks = before + (after - before) / 2;
      nanos = wall;
    }
  }
}

void publish(std::uint64_t ticks, std::int64_t nanos, std::uint64_t q32) noexcept {
  detail::clock_params& c = detail::g_clock;
  const std::uint64_t seq = c.sequence.load(std::memory_order_relaxed);
  c.sequence.store(seq + 1, std::memory_order_relaxed);
  // A release store orders only what precedes it; the fence keeps the data stores below
  // from moving above the odd sequence (free on x86, needed on weaker hardware).
  std::atomic_thread_fence(std::memory_order_release);
  c.base_ticks.store(ticks, std::memory_order_relaxed);
  c.base_nanos.store(nanos, std::memory_order_relaxed);
  c.nanos_per_tick_q32.store(q32, std::memory_order_relaxed);
  c.sequence.store(seq + 2, std::memory_order_release);
}

std::uint64_t slope_q32(std::uint64_t t0, std::int64_t n0, std::uint64_t t1, std::int64_t n1) noexcept {
  return static_cast<std::uint64_t>((static_cast<uint128>(static_cast<std::uint64_t>(n1 - n0)) << 32) / (t1 - t0));
}

void calibrate() noexcept {
  writer_state& w = writer();
  std::call_once(w.calibrated, [&w] {
    std::uint64_t t0 = 0, t1 = 0;
    std::int64_t n0 = 0, n1 = 0;
    if (cpu_has_invariant_tsc()) {
      anchor(t0, n0);
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      anchor(t1, n1);
    }
    std::lock_guard lock(w.mutex);
    if (t1 > t0 && n1 > n0) {
      w.tsc = true;
      w.first_ticks = t0;
      w.first_nanos = n0;
      publish(t1, n1, slope_q32(t0, n0, t1, n1));
    } else {
      publish(0, 0, 0);  // calibrated, but without a TSC: the slow path asks the kernel
    }
  });
}

}  // namespace

std::int64_t detail::now_slow() noexcept {
  calibrate();
  if (!writer().tsc) return span_clock::system_unix_nanos();
  // A recalibration was in progress: wait it out (a few stores) and read again.
  for (;;) {
    clock_params& c = g_clock;
    const std::uint64_t seq = c.sequence.load(std::memory_order_acquire);
    const std::uint64_t base_ticks = c.base_ticks.load(std::memory_order_relaxed);
    const std::int64_t base_nanos = c.base_nanos.load(std::memory_order_relaxed);
    const std::uint64_t q32 = c.nanos_per_tick_q32.load(std::memory_order_relaxed);
    std::atomic_thread_fence(std::memory_order_acquire);
    if ((seq & 1) != 0 || seq != c.sequence.load(std::memory_order_relaxed)) continue;
    __extension__ using int128 = __int128;
    const auto delta = static_cast<std::int64_t>(read_ticks() - base_ticks);
    return base_nanos + static_cast<std::int64_t>((static_cast<int128>(delta) * static_cast<int128>(q32)) >> 32);
  }
}

std::int64_t span_clock::system_unix_nanos() noexcept {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

bool span_clock::uses_tsc() noexcept {
  calibrate();
  return writer().tsc;
}

void span_clock::recalibrate() noexcept {
  calibrate();
  writer_state& w = writer();
  if (!w.tsc) return;
  std::lock_guard lock(w.mutex);
  std::uint64_t ticks = 0;
  std::int64_t nanos = 0;
  anchor(ticks, nanos);
  if (ticks <= w.first_ticks || nanos <= w.first_nanos) return;
  // The slope over the whole life of the process is the most accurate one we have.
  publish(ticks, nanos, slope_q32(w.first_ticks, w.first_nanos, ticks, nanos));
}

}  // namespace tracebench::tracer
