#include "tracebench/tracer/simple_processor.hpp"

#include "tracebench/tracer/span_pool.hpp"

namespace tracebench::tracer {

simple_processor::simple_processor(std::shared_ptr<span_exporter> exporter) noexcept : exporter_(std::move(exporter)) {}

simple_processor::~simple_processor() { shutdown(); }

void simple_processor::on_end(span_data* record) noexcept {
  counters_.add(span_counters::ended);
  bool ok = false;
  if (!stopped_.load(std::memory_order_acquire)) {
    const span_data* batch[] = {record};
    std::lock_guard lock(export_mutex_);
    // Checked again under the lock: shutdown() may have shut the exporter down while this
    // thread waited for it.
    if (!stopped_.load(std::memory_order_relaxed)) ok = exporter_->export_spans(batch) == export_result::success;
  }
  counters_.add(ok ? span_counters::exported : span_counters::dropped);
  span_pool::release(record);
}

bool simple_processor::force_flush(std::chrono::milliseconds timeout) noexcept {
  std::lock_guard lock(export_mutex_);
  return exporter_->force_flush(timeout);
}

void simple_processor::shutdown() noexcept {
  if (stopped_.exchange(true, std::memory_order_acq_rel)) return;
  std::lock_guard lock(export_mutex_);
  exporter_->force_flush(std::chrono::seconds(30));
  exporter_->shutdown();
}

}  // namespace tracebench::tracer
