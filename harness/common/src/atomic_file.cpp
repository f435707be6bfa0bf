#include "tracebench/common/atomic_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <system_error>
#include <vector>

namespace tracebench::harness {

namespace {

[[noreturn]] void fail(int error, const std::string& what) {
  throw std::system_error(error, std::generic_category(), what);
}

}  // namespace

void write_file_atomically(const std::filesystem::path& file, std::string_view text) {
  // Same directory as the target, so the rename stays within one file system and is atomic.
  // Appended rather than built with "." + string: GCC 12 gives a false -Wrestrict for that.
  std::string hidden(".");
  hidden += file.filename().string();
  hidden += ".XXXXXX";
  const std::string pattern = (file.parent_path() / hidden).string();
  std::vector<char> name(pattern.begin(), pattern.end());
  name.push_back('\0');
  const int fd = ::mkstemp(name.data());
  if (fd < 0) fail(errno, "cannot create a temporary file beside " + file.string());
  const std::string temp(name.data());
  const auto abandon = [&](const std::string& what) {
    const int error = errno;
    ::close(fd);
    ::unlink(temp.c_str());
    fail(error, what);
  };
  std::size_t written = 0;
  while (written < text.size()) {
    const ::ssize_t n = ::write(fd, text.data() + written, text.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      abandon("cannot write " + temp);
    }
    written += static_cast<std::size_t>(n);
  }
  // mkstemp creates 0600; a results file is meant to be shared like any other output.
  if (::fchmod(fd, 0644) != 0) abandon("cannot set the mode of " + temp);
  if (::fsync(fd) != 0) abandon("cannot flush " + temp);
  if (::close(fd) != 0) {
    const int error = errno;
    ::unlink(temp.c_str());
    fail(error, "cannot close " + temp);
  }
  if (::rename(temp.c_str(), file.c_str()) != 0) {
    const int error = errno;
    ::unlink(temp.c_str());
    fail(error, "cannot rename " + temp + " to " + file.string());
  }
}

}  // namespace tracebench::harness
