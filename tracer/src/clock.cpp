#include "tracebench/tracer/clock.hpp"

#include <ctime>
#include <mutex>
#include <thread>

#if defined(__x86_64__)
#include <x86intrin.h>
#endif

namespace tracebench::tracer {
namespace {

__extension__ using int128 = __int128;
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

// Seqlock around the conversion parameters: readers never block, the writer (one
// processor thread, about once a second) bumps the sequence around its update.
struct shared_params {
  std::atomic<std::uint64_t> sequence{0};
  std::atomic<std::uint64_t> base_ticks{0};
  std::atomic<std::int64_t> base_nanos{0};
  std::atomic<std::uint64_t> nanos_per_tick_q32{0};
  std::atomic<bool> tsc{false};
  std::mutex writer;
  std::uint64_t first_ticks = 0;
  std::int64_t first_nanos = 0;
};

shared_params& state() noexcept {
  static shared_params s;
  return s;
}

// Pairs a tick reading with the wall clock, taking the pair with the tightest bracket
// so a preemption between the two reads does not skew the anchor.
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

void store(shared_params& s, std::uint64_t ticks, std::int64_t nanos, std::uint64_t q32) noexcept {
  s.sequence.fetch_add(1, std::memory_order_relaxed);
  // A release RMW orders only what came before it; the fence keeps the data stores below
  // from becoming visible while readers still see the old, even sequence (they pair with
  // the readers' acquire fence). Free on x86, needed on weaker hardware.
  std::atomic_thread_fence(std::memory_order_release);
  s.base_ticks.store(ticks, std::memory_order_relaxed);
  s.base_nanos.store(nanos, std::memory_order_relaxed);
  s.nanos_per_tick_q32.store(q32, std::memory_order_relaxed);
  s.sequence.fetch_add(1, std::memory_order_release);
}

void initialise(shared_params& s) noexcept {
  if (!cpu_has_invariant_tsc()) return;
  std::uint64_t t0 = 0, t1 = 0;
  std::int64_t n0 = 0, n1 = 0;
  anchor(t0, n0);
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  anchor(t1, n1);
  if (t1 <= t0 || n1 <= n0) return;
  const auto q32 = static_cast<std::uint64_t>(
      (static_cast<uint128>(static_cast<std::uint64_t>(n1 - n0)) << 32) / (t1 - t0));
  s.first_ticks = t0;
  s.first_nanos = n0;
  store(s, t1, n1, q32);
  s.tsc.store(true, std::memory_order_release);
}

}  // namespace

std::int64_t span_clock::system_unix_nanos() noexcept {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

const span_clock::params& span_clock::initial() noexcept {
  static const params p = [] {
    shared_params& s = state();
    initialise(s);
    return params{};
  }();
  return p;
}

bool span_clock::uses_tsc() noexcept {
  (void)initial();
  return state().tsc.load(std::memory_order_acquire);
}

span_clock::params span_clock::load() noexcept {
  shared_params& s = state();
  params p{};
  std::uint64_t seq = 0;
  do {
    seq = s.sequence.load(std::memory_order_acquire);
    p.base_ticks = s.base_ticks.load(std::memory_order_relaxed);
    p.base_nanos = s.base_nanos.load(std::memory_order_relaxed);
    p.nanos_per_tick_q32 = s.nanos_per_tick_q32.load(std::memory_order_relaxed);
    std::atomic_thread_fence(std::memory_order_acquire);
  } while ((seq & 1) != 0 || seq != s.sequence.load(std::memory_order_relaxed));
  return p;
}

std::int64_t span_clock::now_unix_nanos() noexcept {
  if (!uses_tsc()) [[unlikely]] return system_unix_nanos();
  const params p = load();
  const std::uint64_t ticks = read_ticks();
  // Ticks read just before a re-anchor can precede base_ticks; signed delta keeps them right.
  const auto delta = static_cast<std::int64_t>(ticks - p.base_ticks);
  const auto scaled = (static_cast<int128>(delta) * static_cast<int128>(p.nanos_per_tick_q32)) >> 32;
  return p.base_nanos + static_cast<std::int64_t>(scaled);
}

void span_clock::recalibrate() noexcept {
  if (!uses_tsc()) return;
  shared_params& s = state();
  std::lock_guard lock(s.writer);
  std::uint64_t ticks = 0;
  std::int64_t nanos = 0;
  anchor(ticks, nanos);
  if (ticks <= s.first_ticks || nanos <= s.first_nanos) return;
  // The slope over the whole life of the process is the most accurate one we have.
  const auto q32 = static_cast<std::uint64_t>(
      (static_cast<uint128>(static_cast<std::uint64_t>(nanos - s.first_nanos)) << 32) /
      (ticks - s.first_ticks));
  store(s, ticks, nanos, q32);
}

}  // namespace tracebench::tracer
