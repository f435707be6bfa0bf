#pragma once
// An output file of JSON Lines for the file exporters: opened (truncated) on construction,
// written through a large stdio buffer, every failed write counted. Not synchronised:
// each exporter serialises its own calls.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

namespace tracebench::tracer {

class jsonl_file {
 public:
  static constexpr std::size_t kBufferSize = std::size_t{1} << 18;

  // Throws std::runtime_error naming the path and the system's reason when it cannot open.
  explicit jsonl_file(std::string path);
  ~jsonl_file();
  jsonl_file(const jsonl_file&) = delete;
  jsonl_file& operator=(const jsonl_file&) = delete;

  // Writes `line`, which must end in '\n'. False on a write error or once closed. With
  // buffering, an error may only surface on a later write or on flush().
  bool write(std::string_view line) noexcept;
  bool flush() noexcept;
  // Flushes and closes; later writes fail. False if the final flush failed.
  bool close() noexcept;

  [[nodiscard]] bool is_open() const noexcept { return file_ != nullptr; }
  [[nodiscard]] const std::string& path() const noexcept { return path_; }
  [[nodiscard]] std::uint64_t bytes_written() const noexcept { return bytes_written_; }
  [[nodiscard]] std::uint64_t write_errors() const noexcept { return write_errors_; }

 private:
  std::string path_;
  std::FILE* file_ = nullptr;
  std::uint64_t bytes_written_ = 0;  // of lines write() accepted; on disk once flush() succeeds
  std::uint64_t write_errors_ = 0;
};

}  // namespace tracebench::tracer
