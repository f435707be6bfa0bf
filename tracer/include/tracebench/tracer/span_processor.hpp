#pragma once
// Receives ended sampled spans and gets them to an exporter. Owns the span accounting.

#include <chrono>

#include "tracebench/tracer/span_counters.hpp"
#include "tracebench/tracer/span_data.hpp"

namespace tracebench::tracer {

class span_processor {
 public:
  virtual ~span_processor() = default;
  // Takes ownership of `record` (from span_pool) and releases it to the pool when done.
  // Never blocks the calling thread for long and never throws.
  virtual void on_end(span_data* record) noexcept = 0;
  // Exports every span accepted so far; false if the timeout passed first.
  virtual bool force_flush(std::chrono::milliseconds timeout = std::chrono::seconds(30)) noexcept = 0;
  // Flushes, then stops accepting: later spans are counted as dropped.
  virtual void shutdown() noexcept = 0;

  [[nodiscard]] span_counters& counters() noexcept { return counters_; }
  [[nodiscard]] span_counts counts() const noexcept { return counters_.snapshot(); }

 protected:
  span_counters counters_;
};

}  // namespace tracebench::tracer
