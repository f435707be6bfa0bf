#pragma once
// An exporter that writes each batch as one line of a JSON Lines file, in the encoding
// its subclass picks. Export, flush and shutdown may come from different threads (a
// processor thread and the code shutting the provider down); a mutex orders them.

#include <chrono>
#include <cstdint>
#include <mutex>
#include <span>
#include <string>

#include "tracebench/tracer/jsonl_file.hpp"
#include "tracebench/tracer/span_exporter.hpp"

namespace tracebench::tracer {

class jsonl_file_exporter : public span_exporter {
 public:
  // Appends the encoding of a whole batch (no newline) to `out`.
  using encoder = void (*)(std::string& out, std::span<const span_data* const> batch);

  // Opens (truncates) the file now, so a bad path fails at setup rather than mid-run:
  // throws std::runtime_error naming the path and the reason.
  jsonl_file_exporter(std::string path, encoder encode);
  ~jsonl_file_exporter() override;  // shuts down

  // One line per non-empty batch; an empty batch writes nothing. Failure on a write
  // error (counted in write_errors()) or after shutdown.
  export_result export_spans(std::span<const span_data* const> batch) noexcept override;
  // Pushes buffered lines to the file; blocking, so the timeout is not used.
  bool force_flush(std::chrono::milliseconds timeout) noexcept override;
  // Flushes and closes the file; later exports fail.
  void shutdown() noexcept override;

  [[nodiscard]] const std::string& path() const noexcept { return file_.path(); }
  [[nodiscard]] std::uint64_t spans_exported() const;  // in batches whose line was written
  [[nodiscard]] std::uint64_t batches_exported() const;
  [[nodiscard]] std::uint64_t bytes_written() const;  // newlines included
  [[nodiscard]] std::uint64_t write_errors() const;

 private:
  mutable std::mutex mutex_;
  jsonl_file file_;
  encoder encode_;
  std::string line_;  // reused so a warmed-up exporter encodes without allocating
  std::uint64_t spans_exported_ = 0;
  std::uint64_t batches_exported_ = 0;
};

}  // namespace tracebench::tracer
