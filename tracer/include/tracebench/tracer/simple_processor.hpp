#pragma once
// Exports each span inline on the ending thread, one at a time: simple and slow, the
// reference point the batch processor is compared with.

#include <atomic>
#include <memory>
#include <mutex>

#include "tracebench/tracer/span_exporter.hpp"
#include "tracebench/tracer/span_processor.hpp"

namespace tracebench::tracer {

class simple_processor final : public span_processor {
 public:
  explicit simple_processor(std::shared_ptr<span_exporter> exporter) noexcept;
  ~simple_processor() override;

  void on_end(span_data* record) noexcept override;
  bool force_flush(std::chrono::milliseconds timeout) noexcept override;
  void shutdown() noexcept override;

 private:
  std::shared_ptr<span_exporter> exporter_;
  std::mutex export_mutex_;  // exporters are called by one thread at a time
  std::atomic<bool> stopped_{false};
};

}  // namespace tracebench::tracer
