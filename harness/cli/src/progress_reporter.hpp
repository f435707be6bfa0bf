#pragma once
// tracebench run's progress on stderr. On a terminal, a live line (phase, configuration,
// round, elapsed, ETA) redrawn every second, with a permanent line per finished run above it;
// otherwise, for logs and CI, only the line per finished run.

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <ostream>
#include <string>
#include <thread>

#include "tracebench/experiment/experiment_runner.hpp"

namespace tracebench::harness {

class progress_reporter {
 public:
  // `estimated_run` is the planned length of one run, for the ETA until a run has finished.
  progress_reporter(std::ostream& err, bool live, unsigned rounds, std::chrono::nanoseconds estimated_run);
  // Clears the live line.
  ~progress_reporter();
  progress_reporter(const progress_reporter&) = delete;
  progress_reporter& operator=(const progress_reporter&) = delete;

  // From the experiment's thread.
  void on_event(const progress_event& event);

  // "[3/35] round 1 1/16: 2,345 req/s, p99 4.10 ms" and why a phase was invalid, if it was.
  [[nodiscard]] static std::string finished_line(const run_record& r, std::size_t done, std::size_t total);

 private:
  [[nodiscard]] std::string live_line() const;  // under mutex_
  void redraw();                                // under mutex_
  void tick();

  std::ostream& err_;
  const bool live_;
  const unsigned rounds_;
  const std::chrono::nanoseconds estimated_run_;
  const std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();

  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  progress_event last_;
  std::string configuration_;  // last_.configuration's text, which the event does not own
  std::jthread ticker_;        // last: starts once the rest exists; live only
};

}  // namespace tracebench::harness
