#pragma once
// The system under test of one run: a service graph under one tracing configuration, wherever
// it runs. In-process, a graph built for the run alone; remote, a graph already running as
// `tracebench serve` processes, reconfigured for the run (see remote_graph.hpp).

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "tracebench/load/load_target.hpp"
#include "tracebench/results/experiment_plan.hpp"
#include "tracebench/results/pipeline_record.hpp"
#include "tracebench/results/span_volume.hpp"
#include "tracebench/services/scenario.hpp"
#include "tracebench/tracer/span_counters.hpp"

namespace tracebench::harness {

// What a run's tracing produced, both phases and warm-ups included.
struct run_spans {
  tracer::span_counts spans;
  std::uint64_t bytes_encoded = 0;                 // OTLP/JSON, when the exporter counts it
  std::optional<compression_figures> compression;  // the run's first export requests, zstd
  // Cores' worth of CPU the graph used on this machine outside this process over the run: not
  // load from others, so the machine-load flag leaves it out.
  double graph_cores_here = 0;
  std::optional<pipeline_record> pipeline;  // when the plan compares pipelines
};

class run_graph {
 public:
  virtual ~run_graph() = default;

  [[nodiscard]] virtual load_target& target() = 0;
  // Returns once every request sent so far was answered and its spans exported, or a bound
  // (seconds) passed: a phase must not start behind the previous one's stragglers.
  virtual void settle() = 0;
  [[nodiscard]] virtual std::uint64_t spans_exported() = 0;
  // For the closed loop's CPU per request: CPU the graph uses outside this process, from any
  // fixed origin; empty when it all runs here.
  [[nodiscard]] virtual std::function<std::chrono::nanoseconds()> cpu_elsewhere() { return {}; }
  // For the closed loop's request-path CPU: CPU of the threads here that are off the request path
  // (the span exporter and what runs behind it), from any fixed origin; empty when unknown.
  [[nodiscard]] virtual std::function<std::chrono::nanoseconds()> cpu_off_path() { return {}; }
  // Phase 2 (the offered load every configuration shares) starts now: peaks restart here.
  virtual void latency_phase_started() {}
  // Ends the run; the graph is not used after it.
  [[nodiscard]] virtual run_spans finish() = 0;
};

// Sets up the graph for one run of `configuration` ("off", "never", "1/16") in round `round`.
using graph_launcher = std::function<std::unique_ptr<run_graph>(const std::string& configuration, unsigned round)>;

// A graph built in this process for every run, with plan.transport between its services and
// `threads` executor threads; the compute work model at `work_iterations_per_us` (0: each graph
// calibrates its own).
[[nodiscard]] graph_launcher inprocess_launcher(const services::scenario& s, const experiment_plan& plan,
                                                unsigned threads, double work_iterations_per_us = 0);

}  // namespace tracebench::harness
