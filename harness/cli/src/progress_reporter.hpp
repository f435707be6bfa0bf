#pragma once
// tracebench run's progress on stderr. On a terminal, a live line (phase, configuration,
// round, elapsed, ETA) redrawn every second, with a permanent line per finished run above it;
// otherwise, for logs and CI, only the line per finished run.

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <ostream>
#include <string>
#include <thread>

#include "tracebench/experiment/experiment_runner.hpp"

namespace tracebench::harness {

// What the reporter knows of the plan ahead. `budget` is the experiment's time budget
// (adaptive_rounds::time_budget); `open_ended` when precision targets add rounds beyond `rounds`,
// so that the runs' total is only a minimum and the budget the only end known ahead.
struct progress_plan {
  unsigned rounds = 0;
  std::chrono::nanoseconds estimated_run{0};  // one run's planned length, for the ETA until one has finished
  std::optional<std::chrono::nanoseconds> budget;
  bool open_ended = false;
};

class progress_reporter {
 public:
  progress_reporter(std::ostream& err, bool live, const progress_plan& plan);
  // Clears the live line.
  ~progress_reporter();
  progress_reporter(const progress_reporter&) = delete;
  progress_reporter& operator=(const progress_reporter&) = delete;

  // From the experiment's thread.
  void on_event(const progress_event& event);

  // "[3/35] round 1 1/16: 2,345 req/s, p99 4.10 ms" and why a phase was invalid, if it was. Open
  // ended, the total is a minimum: "[3/35+]", and past it "[38]".
  [[nodiscard]] static std::string finished_line(const run_record& r, std::size_t done, std::size_t total,
                                                 bool open_ended = false);

 private:
  [[nodiscard]] std::string live_line() const;  // under mutex_
  void redraw();                                // under mutex_
  void tick();

  std::ostream& err_;
  const bool live_;
  const progress_plan plan_;
  const std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();

  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  progress_event last_;
  std::string configuration_;  // last_.configuration's text, which the event does not own
  std::jthread ticker_;        // last: starts once the rest exists; live only
};

}  // namespace tracebench::harness
