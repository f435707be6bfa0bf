#pragma once
// An exporter that keeps deep copies of every span it is given, for tests. Thread-safe.

#include <cstddef>
#include <mutex>
#include <span>
#include <string>
#include <vector>

#include "tracebench/tracer/span_exporter.hpp"

namespace tracebench::tracer {

// A copied span. `owner` still points at the tracer's resource, which is only guaranteed
// to outlive the tracer, so the service name is copied as well for tests that outlive it.
struct recorded_span : span_data {
  std::string service_name;  // empty when the span had no owner
};

class memory_exporter final : public span_exporter {
 public:
  // Failure after shutdown (as the SDK specification asks) or when copying runs out of
  // memory; then none of the batch is kept.
  export_result export_spans(std::span<const span_data* const> batch) noexcept override;
  void shutdown() noexcept override;

  // A snapshot copy, in export order.
  [[nodiscard]] std::vector<recorded_span> spans() const;
  [[nodiscard]] std::size_t size() const;
  void clear();

 private:
  mutable std::mutex mutex_;
  std::vector<recorded_span> spans_;
  bool shut_down_ = false;
};

}  // namespace tracebench::tracer
