#pragma once
// Ships each batch as one OTLP/HTTP JSON request (POST of an ExportTraceServiceRequest to a
// collector's /v1/traces) over a kept-alive connection, retrying what the OTLP spec calls
// retryable (429, 502, 503, 504, and connection failures) with exponential backoff.
//
// There is no queue here on purpose: the batch_processor in front of it already is the bounded
// queue (per-thread rings that drop and count when full), and it calls export_spans from its
// one thread. While an export is retrying, spans wait in those rings, so a slow or dead
// collector shows as processor drops, never as unbounded memory. A batch the exporter gives up
// on is counted in spans_dropped() and returned as failure, which the processor counts as
// dropped too. The processor's shutdown flushes through the exporter first, so against a dead
// collector it can take one export time limit per queued batch: calling this exporter's
// shutdown() first (from any thread) makes those batches fail at once, counted.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <random>
#include <span>
#include <string>
#include <string_view>

#include "tracebench/tracer/http_post.hpp"
#include "tracebench/tracer/span_exporter.hpp"

namespace tracebench::tracer {

struct otlp_http_options {
  std::string endpoint = "http://127.0.0.1:4318/v1/traces";  // http://HOST[:PORT][/PATH]
  std::chrono::milliseconds timeout{10'000};                 // one attempt: connect, send, the whole response
  int max_attempts = 5;                                      // the first try included
  std::chrono::milliseconds initial_backoff{100};            // doubles per retry, with jitter
  std::chrono::milliseconds max_backoff{5'000};
  // The whole export, retries and waits included: min(timeout * max_attempts, this). Capped so
  // one batch cannot hold the processor's thread for long while its rings fill.
  std::chrono::milliseconds max_export_time{30'000};
};

class otlp_http_exporter final : public span_exporter {
 public:
  static constexpr std::string_view kContentType = "application/json";

  // Throws std::invalid_argument (one line) for a bad endpoint URL or nonsensical options.
  // Connects lazily, on the first export.
  explicit otlp_http_exporter(otlp_http_options options = {});
  ~otlp_http_exporter() override;

  // One caller at a time (the processor's thread). Success on a 2xx answer; a 2xx with an OTLP
  // partial success counts its rejectedSpans as dropped but is still success. Failure when
  // every attempt failed, on a non-retryable status, or after shutdown: the whole batch is
  // counted in spans_dropped. An empty batch sends nothing.
  export_result export_spans(std::span<const span_data* const> batch) noexcept override;
  // Nothing is buffered between exports.
  bool force_flush(std::chrono::milliseconds /*timeout*/) noexcept override { return true; }
  // Any thread: later exports fail at once, and one waiting out a backoff stops waiting.
  void shutdown() noexcept override;

  [[nodiscard]] const otlp_http_options& options() const noexcept { return options_; }

  // Counters, readable from any thread.
  [[nodiscard]] std::uint64_t batches_sent() const noexcept { return load(batches_sent_); }
  [[nodiscard]] std::uint64_t spans_sent() const noexcept { return load(spans_sent_); }
  [[nodiscard]] std::uint64_t retries() const noexcept { return load(retries_); }
  // Given up on (attempts or time exhausted, shut down) or rejected by the collector.
  [[nodiscard]] std::uint64_t spans_dropped() const noexcept { return load(spans_dropped_); }
  // The part of spans_dropped the collector refused: a non-retryable status or partial success.
  [[nodiscard]] std::uint64_t spans_rejected() const noexcept { return load(spans_rejected_); }
  // Bytes written to the network, request headers and every attempt included.
  [[nodiscard]] std::uint64_t bytes_sent() const noexcept { return load(bytes_sent_); }
  // The latest failure, one line ("" while none): what a report shows next to the drops.
  [[nodiscard]] std::string last_error() const;

 private:
  static std::uint64_t load(const std::atomic<std::uint64_t>& v) noexcept { return v.load(std::memory_order_relaxed); }
  // Sends body_ with retries; throws only what allocation does.
  export_result send(std::size_t spans);
  // Counts spans as dropped (`rejected` of them refused by the collector) and keeps the error.
  void drop(std::size_t spans, std::size_t rejected, std::string_view error) noexcept;
  [[nodiscard]] std::chrono::milliseconds jittered(std::chrono::milliseconds backoff);
  // Sleeps until `until` unless shut down first; false when shut down.
  bool wait_until(std::chrono::steady_clock::time_point until);

  otlp_http_options options_;
  http_post_connection connection_;  // processor thread only
  std::string body_;                 // reused request encoding, processor thread only
  std::minstd_rand jitter_;          // processor thread only

  std::atomic<std::uint64_t> batches_sent_{0};
  std::atomic<std::uint64_t> spans_sent_{0};
  std::atomic<std::uint64_t> retries_{0};
  std::atomic<std::uint64_t> spans_dropped_{0};
  std::atomic<std::uint64_t> spans_rejected_{0};
  std::atomic<std::uint64_t> bytes_sent_{0};

  mutable std::mutex mutex_;
  std::condition_variable shutdown_cv_;
  std::atomic<bool> shut_down_{false};  // set under mutex_, so a waiting export cannot miss it
  std::string last_error_;              // guarded by mutex_
};

}  // namespace tracebench::tracer
