#pragma once
// Encodes and ships a batch of finished spans. Called by one processor thread at a time
// unless the exporter says otherwise; records are valid only during the call.

#include <chrono>
#include <cstdint>
#include <span>

#include "tracebench/tracer/span_data.hpp"

namespace tracebench::tracer {

enum class export_result : std::uint8_t { success, failure };

class span_exporter {
 public:
  virtual ~span_exporter() = default;
  virtual export_result export_spans(std::span<const span_data* const> batch) noexcept = 0;
  virtual bool force_flush(std::chrono::milliseconds /*timeout*/) noexcept { return true; }
  virtual void shutdown() noexcept {}
};

}  // namespace tracebench::tracer
