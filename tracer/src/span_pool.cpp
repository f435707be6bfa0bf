#include "tracebench/tracer/span_pool.hpp"

#include <array>
#include <atomic>
#include <mutex>
#include <new>

#include "tracebench/tracer/thread_slot.hpp"

namespace tracebench::tracer {
namespace {

struct alignas(64) home {
  span_data* free = nullptr;                // owner thread only
  std::atomic<span_data*> inbox{nullptr};  // chains pushed by other threads, taken whole by the owner
};

struct registry {
  std::array<home, kMaxThreadSlots> homes{};
  std::mutex overflow_mutex;  // threads without a slot share one locked list
  span_data* overflow_free = nullptr;
  std::atomic<std::size_t> created{0};
};

registry& the_registry() noexcept {
  // Leaked on purpose: records may be released by threads that outlive static destruction.
  static registry* r = new registry();
  return *r;
}

}  // namespace

span_data* span_pool::create(std::uint32_t home) noexcept {
  auto* record = new (std::nothrow) span_data();
  if (record == nullptr) return nullptr;
  record->pool_home_ = home;
  the_registry().created.fetch_add(1, std::memory_order_relaxed);
  return record;
}

void span_pool::push_chain(std::atomic<span_data*>& inbox, span_data* first, span_data* last) noexcept {
  span_data* head = inbox.load(std::memory_order_relaxed);
  do {
    last->pool_next_ = head;
  } while (!inbox.compare_exchange_weak(head, first, std::memory_order_release, std::memory_order_relaxed));
}


span_data* span_pool::acquire() noexcept {
  registry& r = the_registry();
  const std::size_t slot = current_thread_slot();
  span_data* record = nullptr;
  if (slot == kOverflowSlot) [[unlikely]] {
    std::lock_guard lock(r.overflow_mutex);
    record = r.overflow_free;
    if (record != nullptr) r.overflow_free = record->pool_next_;
  } else {
    home& h = r.homes[slot];
    record = h.free;
    if (record == nullptr) [[unlikely]] record = h.inbox.exchange(nullptr, std::memory_order_acquire);
    if (record != nullptr) h.free = record->pool_next_;
  }
  if (record == nullptr) [[unlikely]] return create(static_cast<std::uint32_t>(slot));
  record->reset();
  return record;
}

void span_pool::release(span_data* record) noexcept {
  if (record == nullptr) return;
  const span_data* one[] = {record};
  release(one);
}

void span_pool::release(std::span<const span_data* const> records) noexcept {
  registry& r = the_registry();
  const std::size_t self = current_thread_slot();
  std::size_t i = 0;
  while (i < records.size()) {
    // The pool owns every record; a batch hands them back as const only because exporters read them.
    auto* first = const_cast<span_data*>(records[i]);
    const std::uint32_t owner = first->pool_home_;
    // Link the run of records that share an owner; the batch processor drains ring by
    // ring, so runs are long and one CAS returns hundreds of records.
    span_data* last = first;
    for (++i; i < records.size() && records[i]->pool_home_ == owner; ++i) {
      last->pool_next_ = const_cast<span_data*>(records[i]);
      last = last->pool_next_;
    }
    if (owner == kOverflowSlot) {
      std::lock_guard lock(r.overflow_mutex);
      last->pool_next_ = r.overflow_free;
      r.overflow_free = first;
    } else if (owner == self) {
      home& h = r.homes[owner];
      last->pool_next_ = h.free;
      h.free = first;
    } else {
      push_chain(r.homes[owner].inbox, first, last);
    }
  }
}

std::size_t span_pool::records_created() noexcept { return the_registry().created.load(std::memory_order_relaxed); }

}  // namespace tracebench::tracer
