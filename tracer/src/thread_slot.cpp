#include "tracebench/tracer/thread_slot.hpp"

#include <mutex>
#include <vector>

namespace tracebench::tracer::detail {
namespace {

struct slot_registry {
  slot_registry() { free.reserve(kMaxThreadSlots); }  // so the releaser never allocates
  std::mutex mutex;
  std::vector<std::uint32_t> free;  // returned slots, reused before fresh ones
  std::uint32_t next = 0;
};

slot_registry& registry() noexcept {
  static slot_registry r;
  return r;
}

// Constructed only by the slow path, so only threads that trace pay for its destructor.
struct slot_releaser {
  std::uint32_t slot = 0;
  ~slot_releaser() {
    if (slot == 0) return;
    slot_registry& r = registry();
    std::lock_guard lock(r.mutex);
    r.free.push_back(slot - 1);
    tls_thread_slot = 0;
  }
};

}  // namespace

constinit thread_local std::uint32_t tls_thread_slot = 0;

std::size_t assign_thread_slot() noexcept {
  thread_local slot_releaser releaser;
  slot_registry& r = registry();
  std::uint32_t slot = 0;
  {
    std::lock_guard lock(r.mutex);
    if (!r.free.empty()) {
      slot = r.free.back();
      r.free.pop_back();
    } else if (r.next < kMaxThreadSlots) {
      slot = r.next++;
    } else {
      return kOverflowSlot;  // not cached: the thread retries when a slot frees up
    }
  }
  releaser.slot = slot + 1;
  tls_thread_slot = slot + 1;
  return slot;
}

}  // namespace tracebench::tracer::detail
