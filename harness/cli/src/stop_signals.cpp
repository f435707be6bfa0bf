#include "stop_signals.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/system/error_code.hpp>
#include <cerrno>
#include <system_error>
#include <utility>

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

namespace tracebench::harness {

namespace {

std::atomic<bool> g_stop{false};
std::atomic<int> g_signal{0};
// The write end of the wake pipe: the handler writes a byte there, which an io_context can wait
// on where it cannot poll the flag. -1 until the first stop_signals made the pipe.
std::atomic<int> g_wake{-1};
static_assert(std::atomic<bool>::is_always_lock_free && std::atomic<int>::is_always_lock_free,
              "set from a signal handler");

extern "C" void on_stop_signal(int number) {
  g_signal.store(number, std::memory_order_relaxed);
  g_stop.store(true, std::memory_order_release);
  const int saved = errno;  // the interrupted code may be about to read it
  if (const int fd = g_wake.load(std::memory_order_relaxed); fd >= 0) {
    [[maybe_unused]] const ssize_t written = ::write(fd, "", 1);  // full: a wake is pending anyway
  }
  errno = saved;
}

// Made once and never closed, so a handler still running on another thread never writes to a
// descriptor reused for something else. Both ends non-blocking.
int wake_pipe_read_end() {
  static const int read_end = [] {
    int fds[2];
    if (::pipe2(fds, O_NONBLOCK | O_CLOEXEC) != 0) throw std::system_error(errno, std::generic_category(), "pipe2");
    g_wake.store(fds[1]);
    return fds[0];
  }();
  return read_end;
}

// Empties the wake pipe of bytes from signals of an earlier instance or already handled.
void drain_wake_pipe() {
  char buffer[64];
  while (::read(wake_pipe_read_end(), buffer, sizeof buffer) > 0) {
  }
}

struct installed {
  explicit installed(int signal_number) noexcept : number(signal_number) {}
  int number;
  bool active = false;
  struct sigaction previous {};
};

installed g_int{SIGINT};
installed g_term{SIGTERM};

void install(installed& slot) {
  struct sigaction action {};
  action.sa_handler = on_stop_signal;
  action.sa_flags = static_cast<int>(SA_RESETHAND);
  sigemptyset(&action.sa_mask);
  slot.active = ::sigaction(slot.number, &action, &slot.previous) == 0;
}

void restore(installed& slot) {
  if (slot.active) ::sigaction(slot.number, &slot.previous, nullptr);
  slot.active = false;
}

int duplicate(int fd) {
  const int copy = ::fcntl(fd, F_DUPFD_CLOEXEC, 0);
  if (copy < 0) throw std::system_error(errno, std::generic_category(), "duplicating the wake pipe");
  return copy;
}

}  // namespace

struct stop_signals::waiter {
  explicit waiter(boost::asio::io_context& io) : pipe(io, duplicate(wake_pipe_read_end())) {}
  boost::asio::posix::stream_descriptor pipe;  // owns a duplicate of the read end, closed with it
};

stop_signals::stop_signals(bool terminate_too) {
  drain_wake_pipe();
  g_stop.store(false);
  g_signal.store(0);
  install(g_int);
  if (terminate_too) install(g_term);
}

stop_signals::~stop_signals() {
  restore(g_int);
  restore(g_term);
  waiter_.reset();
}

const std::atomic<bool>& stop_signals::flag() noexcept { return g_stop; }

int stop_signals::received() noexcept { return g_signal.load(std::memory_order_relaxed); }

std::string_view stop_signals::received_name() noexcept { return received() == SIGTERM ? "SIGTERM" : "SIGINT"; }

void stop_signals::async_wait(boost::asio::io_context& io, std::function<void()> on_stop) {
  waiter_ = std::make_unique<waiter>(io);
  // The handler owns on_stop: cancel_wait() may destroy the waiter before an aborted wait completes.
  waiter_->pipe.async_wait(boost::asio::posix::stream_descriptor::wait_read,
                           [on_stop = std::move(on_stop)](const boost::system::error_code& ec) {
                             if (ec) return;
                             drain_wake_pipe();
                             on_stop();
                           });
}

void stop_signals::cancel_wait() { waiter_.reset(); }

}  // namespace tracebench::harness
