#include "tracebench/common/allocation_counter.hpp"

#include <atomic>
#include <cstddef>
#include <cstdlib>
#include <new>

namespace tracebench::harness {
namespace {

// Past this many threads slots are shared, which stays correct (the adds are atomic) and rarely
// contends: the graph, its exporter and the load generator run a few dozen at most.
constexpr std::size_t kSlots = 64;

// Two cache lines: x86's adjacent-line prefetcher pairs them, so one line apart would still
// bounce between cores.
struct alignas(128) slot {
  std::atomic<std::uint64_t> allocations{0};
};

constinit slot slots[kSlots];
constinit std::atomic<std::size_t> next_slot{0};
// Trivially initialised: reading it costs no TLS guard, even inside the first allocation a
// thread makes.
constinit thread_local slot* own_slot = nullptr;

void count_allocation() noexcept {
  slot* s = own_slot;
  if (s == nullptr) [[unlikely]] {
    s = &slots[next_slot.fetch_add(1, std::memory_order_relaxed) % kSlots];
    own_slot = s;
  }
  s->allocations.fetch_add(1, std::memory_order_relaxed);
}

// As the standard's operator new: retry through the new-handler, std::bad_alloc without one.
void* allocate(std::size_t size) {
  count_allocation();
  if (size == 0) size = 1;
  for (;;) {
    if (void* p = std::malloc(size)) return p;
    const std::new_handler handler = std::get_new_handler();
    if (handler == nullptr) throw std::bad_alloc();
    handler();
  }
}

void* allocate_aligned(std::size_t size, std::align_val_t alignment) {
  count_allocation();
  if (size == 0) size = 1;
  std::size_t align = static_cast<std::size_t>(alignment);
  if (align < sizeof(void*)) align = sizeof(void*);  // posix_memalign's minimum
  for (;;) {
    void* p = nullptr;
    if (::posix_memalign(&p, align, size) == 0) return p;
    const std::new_handler handler = std::get_new_handler();
    if (handler == nullptr) throw std::bad_alloc();
    handler();
  }
}

}  // namespace

std::uint64_t allocations_so_far() noexcept {
  std::uint64_t total = 0;
  for (const slot& s : slots) total += s.allocations.load(std::memory_order_relaxed);
  return total;
}

}  // namespace tracebench::harness

// The replaceable global allocation functions ([new.delete]). The nothrow forms call the
// throwing ones, as the standard specifies; posix_memalign's memory is freed by free().
using tracebench::harness::allocate;
using tracebench::harness::allocate_aligned;

void* operator new(std::size_t size) { return allocate(size); }
void* operator new[](std::size_t size) { return allocate(size); }
void* operator new(std::size_t size, std::align_val_t alignment) { return allocate_aligned(size, alignment); }
void* operator new[](std::size_t size, std::align_val_t alignment) { return allocate_aligned(size, alignment); }

void* operator new(std::size_t size, const std::nothrow_t&) noexcept {
  try {
    return allocate(size);
  } catch (...) {
    return nullptr;
  }
}
void* operator new[](std::size_t size, const std::nothrow_t&) noexcept {
  try {
    return allocate(size);
  } catch (...) {
    return nullptr;
  }
}
void* operator new(std::size_t size, std::align_val_t alignment, const std::nothrow_t&) noexcept {
  try {
    return allocate_aligned(size, alignment);
  } catch (...) {
    return nullptr;
  }
}
void* operator new[](std::size_t size, std::align_val_t alignment, const std::nothrow_t&) noexcept {
  try {
    return allocate_aligned(size, alignment);
  } catch (...) {
    return nullptr;
  }
}

void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t, const std::nothrow_t&) noexcept { std::free(p); }
