#include "tracebench/experiment/process_isolation.hpp"

#include <cerrno>
#include <exception>
#include <optional>
#include <utility>

#include <unistd.h>

#include "tracebench/common/child_process.hpp"
#include "tracebench/results/closed_loop_sizing.hpp"
#include "tracebench/results/run_report.hpp"

namespace tracebench::harness {
namespace {

using namespace std::chrono_literals;

constexpr std::string_view kPhase = "phase ";
constexpr std::string_view kRecord = "record ";
constexpr std::string_view kError = "error ";

// Graph set-up and tear-down, the open loop's drain of late replies (10 s), the exporter's flush.
constexpr std::chrono::nanoseconds kRunOverhead = 30s;

run_record failed_run(const run_request& request, const std::string& why) {
  run_record r;
  r.configuration = request.configuration;
  r.round = request.round;
  r.offered_rate = request.offered_rate;
  r.throughput_valid = false;
  r.latency_valid = false;
  r.throughput_invalid_reason = why;
  r.latency_invalid_reason = why;
  return r;
}

// The whole line, retrying short writes; false when the parent is gone.
bool write_line(std::string line) {
  line += '\n';
  std::string_view rest = line;
  while (!rest.empty()) {
    const ssize_t n = ::write(kChildReportFd, rest.data(), rest.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    rest.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

}  // namespace

std::chrono::nanoseconds run_time_limit(const experiment_plan& plan, const run_request& request) noexcept {
  const std::chrono::nanoseconds longest = kMaxPhaseStretch * plan.phase_duration;
  // Nine probes of at most 3 s after their warm-up, then a phase 1 that may be run again longer.
  std::chrono::nanoseconds capacity = plan.phase_duration;
  if (request.size_closed_loop) {
    capacity = 9 * 6s + plan.phase_duration + longest;
  } else if (request.capacity_window > std::chrono::nanoseconds(0)) {
    capacity = request.capacity_window;
  }
  const std::chrono::nanoseconds latency =
      request.offered_rate > 0 ? phase_length(plan.phase_duration, request.offered_rate) : longest;
  return 2 * (2 * plan.warmup + capacity + latency) + kRunOverhead;
}

run_executor child_process_executor(std::vector<std::string> command, const experiment_plan& plan,
                                    const std::atomic<bool>* stop) {
  return child_process_executor(
      std::move(command), [plan](const run_request& request) { return run_time_limit(plan, request); }, stop);
}

run_executor child_process_executor(std::vector<std::string> command, run_time_limit_for time_limit,
                                    const std::atomic<bool>* stop) {
  return [command = std::move(command), time_limit = std::move(time_limit), stop](const run_request& request,
                                                                                  const phase_callback& phase_started) {
    child_options options;
    options.argv = command;
    options.argv.push_back(request.to_json());
    options.timeout = time_limit(request);
    options.stop = stop;
    std::optional<run_record> record;
    std::string problem;  // the child's own words, or what was wrong with its report
    const child_outcome outcome = run_child(options, [&](std::string_view line) {
      if (line.starts_with(kPhase)) {
        if (phase_started) phase_started(line.substr(kPhase.size()) == "2" ? 2 : 1);
      } else if (line.starts_with(kRecord)) {
        try {
          record = parse_run_report(line.substr(kRecord.size()), "the run's report");
        } catch (const std::exception& e) {
          problem = e.what();
        }
      } else if (line.starts_with(kError)) {
        problem = std::string(line.substr(kError.size()));
      } else {
        problem = "unexpected report line \"" + std::string(line.substr(0, 80)) + "\"";
      }
    });
    if (outcome.ok() && record) {
      record->round = request.round;  // the parent's bookkeeping, whatever the child thought
      return std::move(*record);
    }
    std::string why = "its process: " + outcome.describe();
    if (!problem.empty()) {
      why += ": " + problem;
    } else if (outcome.ok()) {
      why += " without a report";
    }
    return failed_run(request, why);
  };
}

int report_run_to_parent(const services::scenario& s, const experiment_plan& plan, const run_request& request,
                         const std::atomic<bool>* stop, const graph_launcher& launch) {
  try {
    const run_record record = run_here(
        s, plan, request, [](int phase) { (void)write_line(std::string(kPhase) + std::to_string(phase)); }, stop,
        launch);
    return write_line(std::string(kRecord) + run_report(record)) ? 0 : 1;
  } catch (const std::exception& e) {
    (void)write_line(std::string(kError) + e.what());
    return 1;
  }
}

}  // namespace tracebench::harness
