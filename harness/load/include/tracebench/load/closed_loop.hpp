#pragma once
// Closed-loop load: a fixed number of request slots, each sending its next request only once its
// last replied (from the reply itself, so no generator thread competes with the target). It measures maximum
// throughput; its latencies hide stalls (coordinated omission), so latency claims come from the open loop.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

#include "tracebench/load/latency_histogram.hpp"
#include "tracebench/load/load_target.hpp"

namespace tracebench::harness {

struct closed_loop_options {
  unsigned concurrency = 1;                                     // requests in flight; > 0
  std::chrono::nanoseconds duration = std::chrono::seconds(1);  // warm-up included
  // < duration; slots start spread over its first half, so they do not run in lockstep
  std::chrono::nanoseconds warmup = std::chrono::nanoseconds(0);
  // How long after the end replies may still come; a slot still waiting then counts its request
  // lost. A slot never sends a second request while one is in flight, whatever this is.
  std::chrono::nanoseconds reply_timeout = std::chrono::seconds(1);
  // When set and true, no slot sends again: the run ends as if its duration were up.
  const std::atomic<bool>* stop = nullptr;
  // When set: CPU time the target uses outside this process (its servers' processes), read at
  // both ends of the window and added to process_cpu.
  std::function<std::chrono::nanoseconds()> cpu_elsewhere;
  // When set: CPU of the target's threads that are off the request path (its span exporter), read
  // at both ends of the window; part of process_cpu, reported apart as off_path_cpu.
  std::function<std::chrono::nanoseconds()> cpu_off_path;
};

struct closed_loop_result {
  // Requests sent after the warm-up; a request belongs to the window it was sent in.
  std::uint64_t sent = 0;
  std::uint64_t completed = 0;
  std::uint64_t errors = 0;
  std::uint64_t warmup_completed = 0;  // excluded from everything else
  std::uint64_t lost = 0;              // whole run: reply timed out
  std::chrono::nanoseconds window{0};  // duration - warmup
  double throughput = 0.0;             // completed / window, per second
  latency_histogram latency;           // per slot, merged
  // CPU this process used over the window, every thread: the target's, its exporter's and the
  // generator's, plus the target's elsewhere (options.cpu_elsewhere). Per request it is steadier than throughput on a
  // machine whose cores are shared (a stolen or throttled core lowers requests per second, not CPU per request).
  std::chrono::nanoseconds process_cpu{0};
  std::chrono::nanoseconds off_path_cpu{0};  // of process_cpu, options.cpu_off_path's; 0 without it
  bool valid = true;
  std::string invalid_reason;  // set when replies were lost

  // process_cpu / completed, in ns; 0 when nothing completed.
  [[nodiscard]] double cpu_ns_per_request() const noexcept {
    return completed == 0 ? 0.0 : static_cast<double>(process_cpu.count()) / static_cast<double>(completed);
  }
};

// Sends from the calling thread and from `target`'s reply callbacks for options.duration, then
// waits at most reply_timeout for the last replies. Throws std::invalid_argument on bad options.
[[nodiscard]] closed_loop_result run_closed_loop(load_target& target, const closed_loop_options& options);

}  // namespace tracebench::harness
