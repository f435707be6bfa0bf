#include "tracebench/tracer/null_exporter.hpp"

#include "tracebench/tracer/otlp_json.hpp"

namespace tracebench::tracer {

export_result null_exporter::export_spans(std::span<const span_data* const> batch) noexcept {
  if (shut_down_.load(std::memory_order_relaxed)) return export_result::failure;
  if (mode_ == mode::encode_otlp_json) {
    try {
      bytes_.fetch_add(otlp_json_size(batch, buffer_), std::memory_order_relaxed);
    } catch (...) {
      return export_result::failure;  // out of memory while encoding
    }
  }
  spans_.fetch_add(batch.size(), std::memory_order_relaxed);
  batches_.fetch_add(1, std::memory_order_relaxed);
  return export_result::success;
}

}  // namespace tracebench::tracer
