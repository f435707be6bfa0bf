#pragma once
// Open-loop load: requests go out on a fixed schedule whatever the replies do, and each one's
// latency is taken from when it was *due*, so a stall that delays sending still shows (the
// coordinated-omission correction). Latency from the actual send is kept beside it, and a
// generator that could not keep its schedule marks the run invalid and says why.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>

#include "tracebench/load/arrival_schedule.hpp"
#include "tracebench/load/latency_histogram.hpp"
#include "tracebench/load/load_target.hpp"

namespace tracebench::harness {

struct open_loop_options {
  double rate = 100.0;                                            // requests per second; > 0
  std::chrono::nanoseconds duration = std::chrono::seconds(1);    // warm-up included
  std::chrono::nanoseconds warmup = std::chrono::nanoseconds(0);  // < duration
  arrival_process arrivals = arrival_process::constant;
  std::uint64_t seed = 1;  // Poisson gaps
  // Send-lag p99 above this means the generator fell behind. 1 ms is what an otherwise idle
  // machine keeps at thousands of requests per second; loosen it on a busy one, do not ignore it.
  std::chrono::nanoseconds lag_bound = std::chrono::milliseconds(1);
  // The bound rises to this share of the run's corrected p99 latency when that is larger: a lag
  // a tenth of the latency measured cannot be what the latency shows. 0 keeps lag_bound fixed.
  double lag_share_of_latency = 0.1;
  // Requests in flight beyond which a due request is dropped (counted, never queued): queueing
  // it in the generator would hide the target's backlog.
  std::uint64_t max_outstanding = 10'000;
  // How long replies may still come after the last send; the rest are counted lost.
  std::chrono::nanoseconds drain_timeout = std::chrono::seconds(1);
  // When set and true, sending stops; the run is marked invalid ("interrupted").
  const std::atomic<bool>* stop = nullptr;
};

struct open_loop_result {
  // Counts for requests due in the measurement window (after the warm-up) unless marked.
  std::uint64_t scheduled = 0;  // due in the window
  std::uint64_t sent = 0;
  std::uint64_t completed = 0;
  std::uint64_t errors = 0;
  std::uint64_t warmup_sent = 0;       // sent in the warm-up: excluded from everything else
  std::uint64_t dropped_sends = 0;     // whole run: due while max_outstanding were in flight
  std::uint64_t unsent = 0;            // due in the window but the run ended before it went out
  std::uint64_t lost = 0;              // whole run: no reply within drain_timeout
  std::chrono::nanoseconds window{0};  // duration - warmup
  double target_rate = 0.0;
  double achieved_rate = 0.0;     // sent / window
  latency_histogram latency;      // reply - due: the corrected one
  latency_histogram uncorrected;  // reply - actual send
  latency_histogram send_lag;     // actual send - due
  bool valid = true;
  std::string invalid_reason;  // every reason, "; "-separated; empty when valid
};

// Drives `target` from the calling thread for options.duration plus at most drain_timeout.
// Invalid when under 99% of the scheduled requests were sent (the schedule's own count, so a
// Poisson run is not judged by its random total), send-lag p99 > max(lag_bound,
// lag_share_of_latency x corrected p99), any send was dropped, or any reply was lost. Throws std::invalid_argument on
// bad options.
[[nodiscard]] open_loop_result run_open_loop(load_target& target, const open_loop_options& options);

}  // namespace tracebench::harness
