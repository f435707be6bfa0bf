#include "stop_signals.hpp"

#include <signal.h>

namespace tracebench::harness {

namespace {

std::atomic<bool> g_stop{false};
std::atomic<int> g_signal{0};
static_assert(std::atomic<bool>::is_always_lock_free && std::atomic<int>::is_always_lock_free,
              "set from a signal handler");

extern "C" void on_stop_signal(int number) {
  g_signal.store(number, std::memory_order_relaxed);
  g_stop.store(true, std::memory_order_relaxed);
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

}  // namespace

stop_signals::stop_signals(bool terminate_too) {
  g_stop.store(false);
  g_signal.store(0);
  install(g_int);
  if (terminate_too) install(g_term);
}

stop_signals::~stop_signals() {
  restore(g_int);
  restore(g_term);
}

const std::atomic<bool>& stop_signals::flag() noexcept { return g_stop; }

int stop_signals::received() noexcept { return g_signal.load(std::memory_order_relaxed); }

}  // namespace tracebench::harness
