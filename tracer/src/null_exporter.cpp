#include "tracebench/tracer/null_exporter.hpp"

#include <algorithm>
#include <utility>

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
    if (sample_max_bytes_.load(std::memory_order_relaxed) != 0 && !batch.empty()) [[unlikely]] {
      keep_sample(batch.size());
    }
  }
  spans_.fetch_add(batch.size(), std::memory_order_relaxed);
  batches_.fetch_add(1, std::memory_order_relaxed);
  return export_result::success;
}

void null_exporter::keep_sample(std::size_t spans) noexcept {
  const std::lock_guard lock(sample_mutex_);
  const std::size_t max_bytes = sample_max_bytes_.load(std::memory_order_relaxed);
  if (buffer_.size() > max_bytes - std::min(max_bytes, sample_bytes_)) {
    // The sample is full: stop looking, so later exports skip the lock.
    sample_max_bytes_.store(0, std::memory_order_relaxed);
    return;
  }
  try {
    samples_.push_back(encoded_batch{buffer_, spans});
    sample_bytes_ += buffer_.size();
  } catch (...) {
    // Out of memory: the sample is only a sample, the export itself succeeded.
  }
}

void null_exporter::keep_samples(std::size_t max_bytes) noexcept {
  const std::lock_guard lock(sample_mutex_);
  sample_max_bytes_.store(max_bytes, std::memory_order_relaxed);
}

std::vector<encoded_batch> null_exporter::take_samples() {
  const std::lock_guard lock(sample_mutex_);
  return std::exchange(samples_, {});
}

}  // namespace tracebench::tracer
