#include "tracebench/tracer/jsonl_file.hpp"

#include <cerrno>
#include <stdexcept>
#include <system_error>
#include <utility>

namespace tracebench::tracer {

jsonl_file::jsonl_file(std::string path) : path_(std::move(path)) {
  file_ = std::fopen(path_.c_str(), "wb");
  if (file_ == nullptr) {
    const int error = errno;
    throw std::runtime_error("cannot open span output file '" + path_ + "': " + std::generic_category().message(error));
  }
  // One export is one line of tens of kilobytes; a large buffer turns it into few syscalls.
  std::setvbuf(file_, nullptr, _IOFBF, kBufferSize);
}

jsonl_file::~jsonl_file() { close(); }

bool jsonl_file::write(std::string_view line) noexcept {
  if (file_ == nullptr) return false;
  const std::size_t written = std::fwrite(line.data(), 1, line.size(), file_);
  if (written != line.size() || std::ferror(file_) != 0) {
    ++write_errors_;
    std::clearerr(file_);  // so the next write reports its own outcome
    return false;
  }
  bytes_written_ += written;
  return true;
}

bool jsonl_file::flush() noexcept {
  if (file_ == nullptr) return false;
  if (std::fflush(file_) != 0) {
    ++write_errors_;
    std::clearerr(file_);
    return false;
  }
  return true;
}

bool jsonl_file::close() noexcept {
  if (file_ == nullptr) return true;
  // fclose flushes, but its result cannot tell a flush failure from a close failure.
  bool ok = flush();
  if (std::fclose(file_) != 0 && ok) {
    ++write_errors_;
    ok = false;
  }
  file_ = nullptr;
  return ok;
}

}  // namespace tracebench::tracer
