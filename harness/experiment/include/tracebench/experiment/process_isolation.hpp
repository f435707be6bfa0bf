#pragma once
// Each run in a process of its own (`tracebench run --isolation process`, the default): whatever a
// run leaves behind (heap, threads, caches, a wedged socket) dies with it, and a run that crashes
// or hangs costs that run, not the experiment. The child is this same binary, re-run with the
// parent's own arguments and the run to do, so it builds the same scenario and plan; it reports
// over a pipe (common/child_process.hpp) in lines: "phase N" as each phase starts, "record JSON"
// (results/run_report.hpp) at the end, or "error TEXT" when it failed.

#include <atomic>
#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "tracebench/experiment/experiment_runner.hpp"

namespace tracebench::harness {

// How long `request`'s run of `plan` may take before its process is killed: twice both phases
// with their warm-ups (as lengthened, and the probes when it sizes the closed loop), plus the open
// loop's drain and room to build and tear down a graph.
[[nodiscard]] std::chrono::nanoseconds run_time_limit(const experiment_plan& plan, const run_request& request) noexcept;

using run_time_limit_for = std::function<std::chrono::nanoseconds(const run_request&)>;

// Runs each request as `command` plus the request (its to_json()) as one more argument, within
// `time_limit(request)`; on `stop` the child gets SIGTERM (then SIGKILL). A child that crashes, is
// killed, overruns or reports nothing comes back as a failed run naming why.
[[nodiscard]] run_executor child_process_executor(std::vector<std::string> command, run_time_limit_for time_limit,
                                                  const std::atomic<bool>* stop);
// The same with run_time_limit(plan, request).
[[nodiscard]] run_executor child_process_executor(std::vector<std::string> command, const experiment_plan& plan,
                                                  const std::atomic<bool>* stop);

// The child's side: run_here, reporting to the parent. Returns the process's exit code.
[[nodiscard]] int report_run_to_parent(const services::scenario& s, const experiment_plan& plan,
                                       const run_request& request, const std::atomic<bool>* stop,
                                       const graph_launcher& launch = {});

}  // namespace tracebench::harness
