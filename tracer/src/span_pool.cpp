#include "tracebench/tracer/span_pool.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <memory>
#include <mutex>
#include <new>
#include <vector>

#include "tracebench/tracer/thread_slot.hpp"

namespace tracebench::tracer {
namespace {

constexpr std::size_t kRefillEvery = 64;
constexpr std::size_t kReturnCapacity = std::size_t{1} << 14;

// Many writers (exporter threads, serialised by the mutex, once per batch), one reader:
// the home thread, which takes without locking.
struct return_ring {
  std::mutex writers;
  alignas(64) std::atomic<std::size_t> head{0};
  alignas(64) std::atomic<std::size_t> tail{0};
  std::array<span_data*, kReturnCapacity> slots{};

  // Writer side, under `writers`. Returns how many were taken.
  std::size_t put(std::span<const span_data* const> records) noexcept {
    const std::size_t h = head.load(std::memory_order_relaxed);
    const std::size_t room = kReturnCapacity - (h - tail.load(std::memory_order_acquire));
    const std::size_t n = std::min(room, records.size());
    for (std::size_t i = 0; i < n; ++i) slots[(h + i) % kReturnCapacity] = const_cast<span_data*>(records[i]);
    head.store(h + n, std::memory_order_release);
    return n;
  }
  // Reader side: how many are waiting.
  std::size_t available() const noexcept {
    return head.load(std::memory_order_acquire) - tail.load(std::memory_order_relaxed);
  }
  // Reader side: moves up to `max` pointers into `out`.
  std::size_t take(span_data** out, std::size_t max) noexcept {
    const std::size_t t = tail.load(std::memory_order_relaxed);
    const std::size_t n = std::min(max, head.load(std::memory_order_acquire) - t);
    for (std::size_t i = 0; i < n; ++i) out[i] = slots[(t + i) % kReturnCapacity];
    tail.store(t + n, std::memory_order_release);
    return n;
  }
};

// A thread's free records are a LIFO stack, refilled from its return ring every
// kRefillEvery acquisitions with the newest returns on top: reusing the most recently used
// record keeps the working set to what is really in flight. (FIFO reuse cycles through
// every record the pool ever made, and the pool only grows.)
struct alignas(64) home {
  span_data** stack = nullptr;  // owner only: [0, count) free, newest at the top
  std::size_t count = 0;
  std::size_t capacity = 0;
  std::size_t since_refill = 0;
  std::atomic<return_ring*> returns{nullptr};  // made by the owner on its first acquire
};

struct registry {
  std::array<home, kMaxThreadSlots> homes{};
  // Records with nowhere better to go: the overflow slot's, or a full return ring's.
  std::mutex spill_mutex;
  std::vector<span_data*> spill;
  std::atomic<std::size_t> created{0};
};

registry& the_registry() noexcept {
  // Leaked on purpose: records may be released by threads that outlive static destruction.
  static registry* r = new registry();
  return *r;
}

void spill(registry& r, std::span<const span_data* const> records) noexcept {
  std::lock_guard lock(r.spill_mutex);
  for (const span_data* record : records) {
    try {
      r.spill.push_back(const_cast<span_data*>(record));
    } catch (...) {
      delete record;  // out of memory: free it rather than lose track of it
    }
  }
}

std::size_t take_spilled(registry& r, span_data** out, std::size_t max) noexcept {
  std::lock_guard lock(r.spill_mutex);
  const std::size_t n = std::min(max, r.spill.size());
  for (std::size_t i = 0; i < n; ++i) out[i] = r.spill[r.spill.size() - n + i];
  r.spill.resize(r.spill.size() - n);
  return n;
}

span_data* create() noexcept {
  auto* record = new (std::nothrow) span_data();
  if (record != nullptr) the_registry().created.fetch_add(1, std::memory_order_relaxed);
  return record;
}

}  // namespace

namespace {

// Makes room for `n` more entries on the owner's stack; false when memory is exhausted.
bool reserve_stack(home& h, std::size_t n) noexcept {
  if (h.count + n <= h.capacity) return true;
  const std::size_t capacity = std::max<std::size_t>(2 * h.capacity, std::max<std::size_t>(h.count + n, 1024));
  auto* grown = new (std::nothrow) span_data*[capacity];
  if (grown == nullptr) return false;
  std::copy(h.stack, h.stack + h.count, grown);
  delete[] h.stack;
  h.stack = grown;
  h.capacity = capacity;
  return true;
}

// Moves what other threads returned onto the top of the owner's stack.
void refill(registry& r, home& h) noexcept {
  h.since_refill = 0;
  return_ring* ring = h.returns.load(std::memory_order_relaxed);
  if (ring == nullptr) {
    ring = new (std::nothrow) return_ring();
    h.returns.store(ring, std::memory_order_release);  // may stay null: returns then spill
  }
  if (ring != nullptr) {
    const std::size_t waiting = ring->available();
    if (waiting != 0 && reserve_stack(h, waiting)) h.count += ring->take(h.stack + h.count, waiting);
  }
  if (h.count == 0 && reserve_stack(h, 128)) h.count = take_spilled(r, h.stack, 128);
}

}  // namespace

span_data* span_pool::acquire() noexcept {
  registry& r = the_registry();
  const std::size_t slot = current_thread_slot();
  span_data* record = nullptr;
  if (slot == kOverflowSlot) [[unlikely]] {
    if (take_spilled(r, &record, 1) == 0) record = create();
  } else {
    home& h = r.homes[slot];
    if (h.count == 0 || ++h.since_refill >= kRefillEvery) [[unlikely]]
      refill(r, h);
    record = h.count != 0 ? h.stack[--h.count] : create();
  }
  if (record != nullptr) record->prepare_reuse();
  return record;
}

void span_pool::release(span_data* record) noexcept {
  if (record == nullptr) return;
  const std::size_t slot = current_thread_slot();
  const span_data* one[] = {record};
  release_to(slot, one);
}

void span_pool::release_to(std::size_t owner, std::span<const span_data* const> records) noexcept {
  if (records.empty()) return;
  registry& r = the_registry();
  if (owner >= kMaxThreadSlots) return spill(r, records);
  home& h = r.homes[owner];
  // Our own records go straight onto our stack, but only for a thread that starts spans
  // (it made its return ring on its first acquire): a thread that only releases would
  // strand them when it exits, so its records go to the shared spill instead.
  if (owner == current_thread_slot() && h.returns.load(std::memory_order_relaxed) != nullptr &&
      reserve_stack(h, records.size())) {
    for (const span_data* record : records) h.stack[h.count++] = const_cast<span_data*>(record);
    return;
  }
  return_ring* ring = h.returns.load(std::memory_order_acquire);
  if (ring == nullptr) return spill(r, records);
  std::size_t taken = 0;
  {
    std::lock_guard lock(ring->writers);
    taken = ring->put(records);
  }
  if (taken < records.size()) spill(r, records.subspan(taken));
}

std::size_t span_pool::records_created() noexcept { return the_registry().created.load(std::memory_order_relaxed); }

}  // namespace tracebench::tracer
