#pragma once
// What an overhead experiment runs: which tracing configurations, how many rounds, how long each
// phase, and the open-loop load. Plain values; run_experiment carries them out.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tracebench/results/pipeline_record.hpp"
#include "tracebench/results/precision_target.hpp"

namespace tracebench::harness {

// Phase 2's offered load: a fraction of the off configuration's measured capacity, or a rate.
struct offered_load {
  enum class kind : std::uint8_t { fraction, rate };
  kind type = kind::fraction;
  double value = 0.5;  // fraction in (0, 1], or requests per second > 0

  // "50%" and "0.5" are fractions, "2000/s" a rate. Throws std::invalid_argument with a
  // one-line message naming the text.
  [[nodiscard]] static offered_load parse(std::string_view text);
  // Requests per second given the off configuration's closed-loop throughput.
  [[nodiscard]] double rate_for(double off_capacity) const noexcept;
  // "50% of off capacity", "2000/s".
  [[nodiscard]] std::string describe() const;
};

[[nodiscard]] std::vector<std::string> default_configurations();

// How the graph's services call each other: function calls on the event loop, or real HTTP/1.1
// over 127.0.0.1 (each service its own port), both in this process; or a graph already running
// as `tracebench serve` processes, at `experiment_plan::target`.
enum class transport_kind : std::uint8_t { inproc, loopback, remote };
[[nodiscard]] std::string_view transport_name(transport_kind kind) noexcept;

// Where each run executes: a fresh child process of the harness, or the harness's own process.
enum class isolation_kind : std::uint8_t { process, none };
[[nodiscard]] std::string_view isolation_name(isolation_kind kind) noexcept;

struct experiment_plan {
  // Names tracing_config::parse accepts; "off" is required, as the baseline of every delta.
  std::vector<std::string> configurations = default_configurations();
  // Many short rounds rather than a few long ones, chosen by measurement (README, "Choosing the
  // defaults"): on this 2-vCPU VM, web-search's A/A row in the same 92 s of running came out at
  // +-10.6% (CPU/req) with 10 rounds of 1 s phases, +-5.8% with 20 of 0.5 s and +-5.8% with 40 of
  // 0.25 s. A process's speed here wanders run to run, not within a run, so the interval narrows
  // with the number of paired runs, not their length. 0.5 s keeps a warm-up of several request
  // latencies for slower graphs (a phase that completes under 200 requests is lengthened anyway).
  // 40 rounds of the 8 default configurations take about 9 minutes.
  unsigned rounds = 40;
  std::chrono::nanoseconds phase_duration = std::chrono::milliseconds(500);  // measured, per phase
  std::chrono::nanoseconds warmup = std::chrono::milliseconds(250);          // before each phase, discarded
  // Closed-loop requests in flight; 0 chooses them by probing in round 1's off run (closed_loop_sizing).
  unsigned concurrency = 0;
  unsigned graph_threads = 0;  // executor threads per service graph; 0: default_graph_threads()
  offered_load load;
  transport_kind transport = transport_kind::inproc;
  std::string target;                                  // remote only: the entry service's URL
  isolation_kind isolation = isolation_kind::process;  // run_experiment sets it to what it did
  // What every service's cpu_us and wait_us were multiplied by (services::scale_work), for
  // overhead against request cost; whoever builds the graph applies it, the plan records it.
  double work_scale = 1.0;
  // Open-loop send-lag p99 above which a run is invalid; see open_loop_options::lag_bound.
  std::chrono::nanoseconds lag_bound = std::chrono::milliseconds(1);
  // Raise each run's bound to open_loop_options::lag_share_of_latency of its own p99 latency:
  // a VM whose vCPUs stall for milliseconds delays sends and replies alike, and a lag that small
  // beside the latency measured is not what that latency shows. False keeps lag_bound exactly
  // (an explicit --lag-bound).
  bool lag_bound_adapts = true;
  std::uint64_t seed = 1;
  // Set to compare sampling pipelines: every run, off included, then tracks each request's outcome
  // and which traces reached storage (a pipeline_record), and the "tail" configurations put this
  // collector before storage. Required by any "tail" configuration; in-process only.
  std::optional<collector::tail_collector_settings> pipeline;
  // --precision: `rounds` becomes the minimum, and rounds are added until every target is reached
  // (adaptive_rounds), within the time budget. One target per metric.
  std::vector<precision_target> precision;
  // --max-time: no round starts that is predicted to end later than this after the experiment
  // started (calibration included); the first round always runs. Without targets it only cuts
  // the planned rounds short.
  std::optional<std::chrono::nanoseconds> max_time;
};

// One executor thread per core but one: the open loop's pacer and the batch exporter need a core
// of their own, or their wake-ups wait behind the target and the schedule slips. At least 1.
[[nodiscard]] unsigned default_graph_threads() noexcept;

// graph_threads, or default_graph_threads() when it is 0.
[[nodiscard]] unsigned graph_threads_for(const experiment_plan& plan) noexcept;

// Puts the A/A configuration (services::kOffAgain) right after "off", unless the plan has it: off
// run again each round, the noise floor the summary judges every other change against.
void add_noise_floor(experiment_plan& plan);

// Throws std::invalid_argument (one line) for no rounds, an empty or non-positive duration,
// zero concurrency, a configuration tracing_config cannot parse, duplicates, or no "off"; a
// "tail" configuration without plan.pipeline, or plan.pipeline on a remote graph; a precision
// target not above 0 or a metric targeted twice, a max_time not above 0.
void validate(const experiment_plan& plan);

// orders[r] lists the indices 0..configs-1 starting at r mod configs and wrapping, so every
// configuration takes every position in turn and drift does not favour one. Round r's order
// depends on r alone: a prefix of a longer list is the shorter list, however many rounds run.
[[nodiscard]] std::vector<std::vector<std::size_t>> round_orders(std::size_t configs, unsigned rounds);

}  // namespace tracebench::harness
