#include "tracebench/common/child_process.hpp"

#include <cerrno>
#include <cstring>
#include <system_error>
#include <utility>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tracebench/common/text_format.hpp"

extern char** environ;

namespace tracebench::harness {
namespace {

using clock = std::chrono::steady_clock;
constexpr int kPollMs = 50;

// Above the standard descriptors and the report descriptor, so the dup2 onto kChildReportFd
// never has the same descriptor on both sides (which would keep its close-on-exec flag).
constexpr int kLowestPipeFd = 10;

class descriptor {
 public:
  explicit descriptor(int fd = -1) noexcept : fd_(fd) {}
  ~descriptor() { reset(); }
  descriptor(const descriptor&) = delete;
  descriptor& operator=(const descriptor&) = delete;
  descriptor& operator=(descriptor&& other) noexcept {
    reset();
    fd_ = std::exchange(other.fd_, -1);
    return *this;
  }
  [[nodiscard]] int get() const noexcept { return fd_; }
  void reset() noexcept {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_;
};

int raised(int fd) {
  const int copy = ::fcntl(fd, F_DUPFD_CLOEXEC, kLowestPipeFd);
  const int saved = errno;
  ::close(fd);
  if (copy < 0) throw std::system_error(saved, std::generic_category(), "fcntl");
  return copy;
}

// The spawn attributes: default dispositions for the signals a parent may handle or ignore, and
// no signal blocked, so the child starts as if from a shell.
struct spawn_attributes {
  posix_spawnattr_t attr{};
  posix_spawn_file_actions_t actions{};
  spawn_attributes(int report_write_end, int report_read_end) {
    ::posix_spawnattr_init(&attr);
    ::posix_spawn_file_actions_init(&actions);
    sigset_t defaults;
    sigemptyset(&defaults);
    for (const int s : {SIGINT, SIGTERM, SIGPIPE, SIGHUP, SIGQUIT}) sigaddset(&defaults, s);
    sigset_t none;
    sigemptyset(&none);
    ::posix_spawnattr_setsigdefault(&attr, &defaults);
    ::posix_spawnattr_setsigmask(&attr, &none);
    ::posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
    ::posix_spawn_file_actions_adddup2(&actions, report_write_end, kChildReportFd);
    ::posix_spawn_file_actions_addclose(&actions, report_read_end);
  }
  ~spawn_attributes() {
    ::posix_spawn_file_actions_destroy(&actions);
    ::posix_spawnattr_destroy(&attr);
  }
  spawn_attributes(const spawn_attributes&) = delete;
  spawn_attributes& operator=(const spawn_attributes&) = delete;
};

std::string signal_name(int number) {
  const char* abbrev = ::sigabbrev_np(number);
  return abbrev != nullptr ? std::string("SIG") + abbrev : std::to_string(number);
}

// Kills and reaps a child this function leaves early (an exception from on_line): never a zombie,
// never an orphan still measuring.
struct reaper {
  pid_t pid;
  bool reaped = false;
  ~reaper() {
    if (reaped) return;
    ::kill(pid, SIGKILL);
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
  }
};

}  // namespace

std::string child_outcome::describe() const {
  switch (how) {
    case kind::exited:
      return "exit code " + std::to_string(exit_code);
    case kind::signaled:
      return "killed by signal " + std::to_string(signal) + " (" + signal_name(signal) + ")";
    case kind::timed_out:
      return printf_string("did not finish within %.1f s: killed", std::chrono::duration<double>(timeout).count());
    case kind::stopped:
      return "stopped on request";
    case kind::too_much_output:
      return "wrote more than a report holds: killed";
    case kind::not_started:
      break;
  }
  return "could not start: " + error;
}

child_outcome run_child(const child_options& options, const std::function<void(std::string_view line)>& on_line) {
  child_outcome outcome;
  if (options.argv.empty()) {
    outcome.error = "no program given";
    return outcome;
  }
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    outcome.error = std::string("pipe2: ") + std::strerror(errno);
    return outcome;
  }
  descriptor read_end;
  descriptor write_end;
  try {
    read_end = descriptor(raised(fds[0]));
  } catch (const std::system_error& e) {
    ::close(fds[1]);
    outcome.error = e.what();
    return outcome;
  }
  try {
    write_end = descriptor(raised(fds[1]));
  } catch (const std::system_error& e) {
    outcome.error = e.what();
    return outcome;
  }

  std::vector<char*> argv;
  argv.reserve(options.argv.size() + 1);
  for (const std::string& a : options.argv) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  pid_t pid = -1;
  {
    const spawn_attributes spawn(write_end.get(), read_end.get());
    if (const int rc = ::posix_spawn(&pid, argv[0], &spawn.actions, &spawn.attr, argv.data(), environ); rc != 0) {
      outcome.error = options.argv[0] + ": " + std::strerror(rc);
      return outcome;
    }
  }
  write_end.reset();  // the child's copy is the only one: its exit ends the stream
  reaper guard{pid};
  outcome.timeout = options.timeout;

  const clock::time_point deadline = clock::now() + options.timeout;
  clock::time_point kill_at = clock::time_point::max();
  bool stopping = false;
  bool timed_out = false;
  bool flooded = false;
  bool eof = false;
  std::string pending;
  // Passes on every whole line of `pending` (and, at the end, what follows the last newline);
  // nothing once the child flooded the pipe.
  const auto deliver_lines = [&](bool at_end) {
    std::size_t begin = 0;
    for (std::size_t nl; (nl = pending.find('\n', begin)) != std::string::npos; begin = nl + 1) {
      if (on_line && !flooded) on_line(std::string_view(pending).substr(begin, nl - begin));
    }
    if (at_end && begin < pending.size() && on_line && !flooded) on_line(std::string_view(pending).substr(begin));
    pending.erase(0, begin);
  };
  std::size_t total = 0;
  int status = 0;
  for (;;) {
    if (!eof) {
      pollfd p{read_end.get(), POLLIN, 0};
      if (::poll(&p, 1, kPollMs) > 0) {
        char buffer[65536];
        const ssize_t n = ::read(read_end.get(), buffer, sizeof buffer);
        if (n > 0) {
          total += static_cast<std::size_t>(n);
          pending.append(buffer, static_cast<std::size_t>(n));
          deliver_lines(false);
          if (total > options.max_output && !flooded) {
            flooded = true;
            ::kill(pid, SIGKILL);
          }
        } else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
          eof = true;
        }
      }
    } else {
      ::poll(nullptr, 0, kPollMs);
    }
    const pid_t reaped = ::waitpid(pid, &status, WNOHANG);
    if (reaped == pid) {
      guard.reaped = true;
      // Whatever it wrote before it ended is still in the pipe.
      char buffer[65536];
      ssize_t n;
      while (!flooded && (n = ::read(read_end.get(), buffer, sizeof buffer)) > 0) pending.append(buffer, size_t(n));
      deliver_lines(true);
      break;
    }
    const clock::time_point now = clock::now();
    if (!timed_out && !stopping && now >= deadline) {
      timed_out = true;
      ::kill(pid, SIGKILL);
    }
    if (!stopping && !timed_out && options.stop != nullptr && options.stop->load(std::memory_order_relaxed)) {
      stopping = true;
      ::kill(pid, SIGTERM);
      kill_at = now + options.grace;
    }
    if (now >= kill_at) {
      ::kill(pid, SIGKILL);
      kill_at = clock::time_point::max();
    }
  }

  if (flooded) {
    outcome.how = child_outcome::kind::too_much_output;
  } else if (timed_out) {
    outcome.how = child_outcome::kind::timed_out;
  } else if (stopping) {
    outcome.how = child_outcome::kind::stopped;
  } else if (WIFEXITED(status)) {
    outcome.how = child_outcome::kind::exited;
    outcome.exit_code = WEXITSTATUS(status);
  } else {
    outcome.how = child_outcome::kind::signaled;
    outcome.signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
  }
  return outcome;
}

}  // namespace tracebench::harness
