#pragma once
// An exporter that ships nothing: it measures what exporting would cost without any I/O.
// By default it really encodes each batch as OTLP/JSON (into a reused buffer) and counts
// the bytes; counting_only skips the encoding so the exporter cannot be the bottleneck
// of a hot-path benchmark. It can also keep a bounded sample of the encoded requests, so
// a caller can measure what compression would make of them without I/O in the tracer.

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <span>
#include <string>
#include <vector>

#include "tracebench/tracer/span_exporter.hpp"

namespace tracebench::tracer {

// One export call's OTLP/JSON request, exactly as encoded, and how many spans it holds.
struct encoded_batch {
  std::string payload;
  std::size_t spans = 0;
};

class null_exporter final : public span_exporter {
 public:
  enum class mode : std::uint8_t { encode_otlp_json, counting_only };

  // sample_max_bytes as keep_samples(); 0 keeps nothing.
  explicit null_exporter(mode m = mode::encode_otlp_json, std::size_t sample_max_bytes = 0) noexcept
      : mode_(m), sample_max_bytes_(sample_max_bytes) {}

  // One caller at a time (the span_exporter contract: the encode buffer is not shared);
  // the counters may be read from any thread. Failure only after shutdown or when
  // encoding runs out of memory (a sample that cannot be copied is skipped, not a failure).
  export_result export_spans(std::span<const span_data* const> batch) noexcept override;
  void shutdown() noexcept override { shut_down_.store(true, std::memory_order_relaxed); }

  [[nodiscard]] mode encoding_mode() const noexcept { return mode_; }
  [[nodiscard]] std::uint64_t spans_exported() const noexcept { return spans_.load(std::memory_order_relaxed); }
  [[nodiscard]] std::uint64_t batches() const noexcept { return batches_.load(std::memory_order_relaxed); }
  // Sum of the OTLP/JSON request sizes; stays 0 in counting_only mode.
  [[nodiscard]] std::uint64_t bytes_encoded() const noexcept { return bytes_.load(std::memory_order_relaxed); }

  // Keeps copies of the encoded requests of the first exports, whole batches only, while
  // their payloads total at most max_bytes; the first batch that does not fit ends the
  // sample, so it is the run's prefix and not biased toward small batches. Encoding mode
  // only. Any thread; affects exports that start afterwards. 0 (the default) keeps nothing
  // and leaves the export path as it was: no lock, no allocation.
  void keep_samples(std::size_t max_bytes) noexcept;
  // Moves the kept batches out, in export order (any thread; complete once exports have
  // stopped, e.g. after shutdown). Bytes already kept still count toward the bound.
  [[nodiscard]] std::vector<encoded_batch> take_samples();

 private:
  void keep_sample(std::size_t spans) noexcept;

  mode mode_;
  std::atomic<bool> shut_down_{false};
  std::atomic<std::uint64_t> spans_{0};
  std::atomic<std::uint64_t> batches_{0};
  std::atomic<std::uint64_t> bytes_{0};
  std::string buffer_;

  // Read on every export: nonzero while the sample may still grow.
  std::atomic<std::size_t> sample_max_bytes_;
  std::mutex sample_mutex_;
  std::vector<encoded_batch> samples_;  // guarded by sample_mutex_
  std::size_t sample_bytes_ = 0;        // guarded by sample_mutex_
};

}  // namespace tracebench::tracer
