#pragma once
// An exporter that ships nothing: it measures what exporting would cost without any I/O.
// By default it really encodes each batch as OTLP/JSON (into a reused buffer) and counts
// the bytes; counting_only skips the encoding so the exporter cannot be the bottleneck
// of a hot-path benchmark.

#include <atomic>
#include <cstdint>
#include <span>
#include <string>

#include "tracebench/tracer/span_exporter.hpp"

namespace tracebench::tracer {

class null_exporter final : public span_exporter {
 public:
  enum class mode : std::uint8_t { encode_otlp_json, counting_only };

  explicit null_exporter(mode m = mode::encode_otlp_json) noexcept : mode_(m) {}

  // One caller at a time (the span_exporter contract: the encode buffer is not shared);
  // the counters may be read from any thread. Failure only after shutdown or when
  // encoding runs out of memory.
  export_result export_spans(std::span<const span_data* const> batch) noexcept override;
  void shutdown() noexcept override { shut_down_.store(true, std::memory_order_relaxed); }

  [[nodiscard]] mode encoding_mode() const noexcept { return mode_; }
  [[nodiscard]] std::uint64_t spans_exported() const noexcept { return spans_.load(std::memory_order_relaxed); }
  [[nodiscard]] std::uint64_t batches() const noexcept { return batches_.load(std::memory_order_relaxed); }
  // Sum of the OTLP/JSON request sizes; stays 0 in counting_only mode.
  [[nodiscard]] std::uint64_t bytes_encoded() const noexcept { return bytes_.load(std::memory_order_relaxed); }

 private:
  mode mode_;
  std::atomic<bool> shut_down_{false};
  std::atomic<std::uint64_t> spans_{0};
  std::atomic<std::uint64_t> batches_{0};
  std::atomic<std::uint64_t> bytes_{0};
  std::string buffer_;
};

}  // namespace tracebench::tracer
