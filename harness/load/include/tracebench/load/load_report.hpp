#pragma once
// What `tracebench load` reports about one run against an HTTP endpoint, and its two
// renderings: a wrk2-like text block for people and one JSON object for scripts.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "tracebench/load/closed_loop.hpp"
#include "tracebench/load/http_target.hpp"
#include "tracebench/load/latency_summary.hpp"
#include "tracebench/load/open_loop.hpp"

namespace tracebench::harness {

struct load_setup {
  std::string url;
  std::string method;
  unsigned connections = 0;
  unsigned threads = 0;
  std::chrono::nanoseconds duration{0};  // warm-up included
  std::chrono::nanoseconds warmup{0};
};

struct load_report {
  load_setup setup;
  bool open_loop = true;
  double target_rate = 0;    // open loop: requests per second asked for
  unsigned concurrency = 0;  // closed loop: requests in flight
  // Counts of the measured window (after the warm-up), except `lost` (the whole run).
  std::uint64_t sent = 0;
  std::uint64_t completed = 0;
  std::uint64_t errors = 0;  // completed with an error: connect, io, timeout or status
  std::uint64_t lost = 0;    // no reply at all before the run gave up waiting
  double achieved_rate = 0;  // open: sent per second; closed: completed per second
  http_error_counts by_category;
  latency_summary latency;                     // open: from the intended send time (corrected)
  std::optional<latency_summary> uncorrected;  // open only: from the actual send
  std::optional<std::int64_t> send_lag_p99;    // open only, ns
  bool valid = true;                           // open: the generator kept its schedule
  std::string invalid_reason;

  // Success for the exit status: valid, and nothing failed.
  [[nodiscard]] bool clean() const noexcept { return valid && errors == 0 && lost == 0 && by_category.total() == 0; }
};

[[nodiscard]] load_report make_load_report(const load_setup& setup, double rate, const open_loop_result& run,
                                           const http_error_counts& errors);
[[nodiscard]] load_report make_load_report(const load_setup& setup, unsigned concurrency, const closed_loop_result& run,
                                           const http_error_counts& errors);

// Several lines, each ending in '\n'.
[[nodiscard]] std::string render_load_text(const load_report& report);
// One JSON object and '\n'; latencies in nanoseconds.
[[nodiscard]] std::string render_load_json(const load_report& report);

}  // namespace tracebench::harness
