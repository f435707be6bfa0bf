#include "tracebench/tracer/jsonl_file_exporter.hpp"

#include <utility>

namespace tracebench::tracer {

jsonl_file_exporter::jsonl_file_exporter(std::string path, encoder encode) : file_(std::move(path)), encode_(encode) {}

jsonl_file_exporter::~jsonl_file_exporter() { shutdown(); }

export_result jsonl_file_exporter::export_spans(std::span<const span_data* const> batch) noexcept {
  std::lock_guard lock(mutex_);
  if (!file_.is_open()) return export_result::failure;
  if (batch.empty()) return export_result::success;
  try {
    line_.clear();
    encode_(line_, batch);
    line_.push_back('\n');
  } catch (...) {
    return export_result::failure;  // out of memory while encoding
  }
  if (!file_.write(line_)) return export_result::failure;
  spans_exported_ += batch.size();
  ++batches_exported_;
  return export_result::success;
}

bool jsonl_file_exporter::force_flush(std::chrono::milliseconds /*timeout*/) noexcept {
  std::lock_guard lock(mutex_);
  return file_.flush();
}

void jsonl_file_exporter::shutdown() noexcept {
  std::lock_guard lock(mutex_);
  file_.close();
}

std::uint64_t jsonl_file_exporter::spans_exported() const {
  std::lock_guard lock(mutex_);
  return spans_exported_;
}

std::uint64_t jsonl_file_exporter::batches_exported() const {
  std::lock_guard lock(mutex_);
  return batches_exported_;
}

std::uint64_t jsonl_file_exporter::bytes_written() const {
  std::lock_guard lock(mutex_);
  return file_.bytes_written();
}

std::uint64_t jsonl_file_exporter::write_errors() const {
  std::lock_guard lock(mutex_);
  return file_.write_errors();
}

}  // namespace tracebench::tracer
