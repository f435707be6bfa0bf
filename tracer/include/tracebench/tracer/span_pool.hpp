#pragma once
// Process-wide pool of span records with thread affinity. Each thread takes records from
// its own cache (a pointer pop: no lock, no allocation once warmed up). Records ended and
// exported elsewhere come back as arrays of pointers into the thread's return ring, so
// the exporting thread never writes into a record and its cache lines stay where the
// spans are recorded.

#include <cstddef>
#include <span>

#include "tracebench/tracer/span_data.hpp"

namespace tracebench::tracer {

class span_pool {
 public:
  // A record ready to fill, or nullptr if memory is exhausted. Only what a start does not
  // set is cleared (attributes, events, links, status, end time): the caller (the tracer)
  // must set context, parent, name, kind, owner and start time.
  [[nodiscard]] static span_data* acquire() noexcept;
  // Returns one record to the calling thread's cache. Any thread may call it.
  static void release(span_data* record) noexcept;
  // Returns records to the thread slot `home` (see thread_slot.hpp), without touching them:
  // the batch processor knows which thread's ring each record came from. Ownership comes
  // back with the pointers, which are const only because exporters read them.
  static void release_to(std::size_t home, std::span<const span_data* const> records) noexcept;
  // Records ever created: the pool's high-water mark, for tests and memory reports.
  [[nodiscard]] static std::size_t records_created() noexcept;
};

}  // namespace tracebench::tracer
