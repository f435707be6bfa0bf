#pragma once
// Process-wide pool of span records with thread affinity: a record goes back to the
// thread that took it, so its cache lines stay in that core's cache. Acquire and a
// same-thread release are a pointer pop/push; a batch released by another thread (the
// batch processor's exporter) is handed over as one chain with one compare-and-swap.

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <span>

#include "tracebench/tracer/span_data.hpp"

namespace tracebench::tracer {

class span_pool {
 public:
  // A record ready to fill (the caller overwrites every field; counts and limits are
  // reset here), or nullptr if memory is exhausted.
  [[nodiscard]] static span_data* acquire() noexcept;
  // Returns one record. Any thread may call it.
  static void release(span_data* record) noexcept;
  // Returns many records at once (an exported batch: ownership comes back with it),
  // grouped by owning thread, one atomic per group.
  static void release(std::span<const span_data* const> records) noexcept;
  // Records ever created: the pool's high-water mark, for tests and memory reports.
  [[nodiscard]] static std::size_t records_created() noexcept;

 private:
  static span_data* create(std::uint32_t home) noexcept;
  static void push_chain(std::atomic<span_data*>& inbox, span_data* first, span_data* last) noexcept;
};

}  // namespace tracebench::tracer
