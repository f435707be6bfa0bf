#pragma once
// A child process that reports back over a pipe, bounded in time and stoppable: what runs each
// measured run in a process of its own. Started with posix_spawn (never a bare fork() of this
// multi-threaded process, which can inherit a mutex another thread held), with the pipe's write end
// as the child's descriptor 3 and stdin, stdout and stderr shared with this process.

#include <atomic>
#include <chrono>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace tracebench::harness {

// The descriptor the child writes its lines to.
inline constexpr int kChildReportFd = 3;

struct child_options {
  std::vector<std::string> argv;  // argv[0] is the program's path
  // From the start; past it the child is killed and the outcome is timed_out.
  std::chrono::nanoseconds timeout = std::chrono::minutes(1);
  // Polled about every 50 ms: once true the child gets SIGTERM, then SIGKILL after `grace`.
  const std::atomic<bool>* stop = nullptr;
  std::chrono::nanoseconds grace = std::chrono::seconds(5);
  // A child writing more than this without a newline, or in all, is killed: a report is small.
  std::size_t max_output = std::size_t{64} << 20;
};

struct child_outcome {
  enum class kind : std::uint8_t { exited, signaled, timed_out, stopped, too_much_output, not_started };
  kind how = kind::not_started;
  int exit_code = -1;                   // exited only
  int signal = 0;                       // signaled only
  std::string error;                    // not_started: why
  std::chrono::nanoseconds timeout{0};  // the options'
  // "exit code 3", "killed by signal 11 (SIGSEGV)", "no report within 54.0 s: killed", ...
  [[nodiscard]] std::string describe() const;
  [[nodiscard]] bool ok() const noexcept { return how == kind::exited && exit_code == 0; }
};

// Runs the child to its end, calling `on_line` (on this thread) for each line it writes to
// kChildReportFd, without the newline; a last line without one is passed too. Never throws for
// the child's faults; the child is always reaped before this returns.
[[nodiscard]] child_outcome run_child(const child_options& options,
                                      const std::function<void(std::string_view line)>& on_line);

}  // namespace tracebench::harness
