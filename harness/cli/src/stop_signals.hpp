#pragma once
// Ctrl-C (and, for servers, SIGTERM) as a flag that a long-running command polls, so it stops
// at a point of its choosing: flushing what it holds and printing what it counted. The default
// action comes back after the first signal, so a second one ends the process at once.

#include <atomic>

namespace tracebench::harness {

class stop_signals {
 public:
  // Installs the handlers for SIGINT, and SIGTERM too when `terminate_too`; clears the flag.
  // One instance at a time (the flag is process-wide, as signals are).
  explicit stop_signals(bool terminate_too);
  // Restores the previous handlers.
  ~stop_signals();
  stop_signals(const stop_signals&) = delete;
  stop_signals& operator=(const stop_signals&) = delete;

  // Set by the first signal; the load generators take it as their `stop`.
  [[nodiscard]] static const std::atomic<bool>& flag() noexcept;
  // The signal that set the flag; 0 when none came.
  [[nodiscard]] static int received() noexcept;
};

}  // namespace tracebench::harness
