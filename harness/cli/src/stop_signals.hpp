#pragma once
// Ctrl-C (and, for servers, SIGTERM) as the one way a command learns it should stop: a flag the
// long-running loops poll, and a wait that wakes an io_context, so each command stops at a
// point of its choosing, flushing what it holds and printing what it counted. The default action
// comes back after the first signal, so a second one ends the process at once.

#include <atomic>
#include <functional>
#include <memory>
#include <string_view>

namespace boost::asio {
class io_context;
}  // namespace boost::asio

namespace tracebench::harness {

class stop_signals {
 public:
  // Installs the handlers for SIGINT, and SIGTERM too when `terminate_too`; clears the flag.
  // One instance at a time (the flag is process-wide, as signals are).
  explicit stop_signals(bool terminate_too);
  // Restores the previous handlers; drops a wait still pending.
  ~stop_signals();
  stop_signals(const stop_signals&) = delete;
  stop_signals& operator=(const stop_signals&) = delete;

  // Set by the first signal; the load generators take it as their `stop`.
  [[nodiscard]] static const std::atomic<bool>& flag() noexcept;
  // The signal that set the flag; 0 when none came.
  [[nodiscard]] static int received() noexcept;
  // "SIGINT" or "SIGTERM", for the line saying why a server stopped.
  [[nodiscard]] static std::string_view received_name() noexcept;

  // Calls `on_stop` on a thread running `io` once a signal came (at once if one came already),
  // unless cancel_wait() came first. One wait at a time; `io` must outlive this object.
  void async_wait(boost::asio::io_context& io, std::function<void()> on_stop);
  // Drops the wait, so that `io` can run out of work.
  void cancel_wait();

 private:
  struct waiter;
  std::unique_ptr<waiter> waiter_;
};

}  // namespace tracebench::harness
