#include "tracebench/tracer/memory_exporter.hpp"

#include <cstddef>

namespace tracebench::tracer {

export_result memory_exporter::export_spans(std::span<const span_data* const> batch) noexcept {
  std::lock_guard lock(mutex_);
  if (shut_down_) return export_result::failure;
  const std::size_t before = spans_.size();
  try {
    for (const span_data* span : batch) {
      spans_.push_back(
          recorded_span{*span, span->owner != nullptr ? std::string(span->owner->service_name()) : std::string()});
    }
  } catch (...) {
    spans_.erase(spans_.begin() + static_cast<std::ptrdiff_t>(before),
                 spans_.end());  // all or nothing, so a failed export leaves no partial batch
    return export_result::failure;
  }
  return export_result::success;
}

void memory_exporter::shutdown() noexcept {
  std::lock_guard lock(mutex_);
  shut_down_ = true;
}

std::vector<recorded_span> memory_exporter::spans() const {
  std::lock_guard lock(mutex_);
  return spans_;
}

std::size_t memory_exporter::size() const {
  std::lock_guard lock(mutex_);
  return spans_.size();
}

void memory_exporter::clear() {
  std::lock_guard lock(mutex_);
  spans_.clear();
}

}  // namespace tracebench::tracer
