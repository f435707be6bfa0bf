#pragma once
// `tracebench run --work-scale 0.1,1,10`: the whole plan once per work scale, on the scenario with
// every cpu_us and wait_us multiplied by it, each scale with its own overhead table and results
// file; then overhead against request cost from those experiments: its table after theirs, and
// its chart (SVG) and points (JSON) beside their results files.

#include <filesystem>
#include <functional>
#include <optional>
#include <ostream>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "tracebench/results/experiment_plan.hpp"
#include "tracebench/results/experiment_summary.hpp"
#include "tracebench/services/scenario.hpp"

namespace tracebench::harness {

// --work-scale's list: finite numbers above 0, each once ("1" and "1.0" are the same). Throws
// flag_error naming --work-scale and the entry.
[[nodiscard]] std::vector<double> parse_work_scales(std::string_view text);

// What one experiment of `tracebench run` left behind.
struct experiment_outcome {
  int exit_code = 0;                          // as `tracebench run` would exit for it alone
  std::optional<experiment_summary> summary;  // once its results file is written
  std::filesystem::path results_file;
  bool interrupted = false;
};

// Runs one experiment on `s` under `plan`; prints its tables on stdout when `print`, and writes
// its results file with `file_label` ("-work0.5") in its name.
using experiment_step = std::function<experiment_outcome(const services::scenario& s, const experiment_plan& plan,
                                                         bool print, std::string_view file_label)>;

struct work_scale_output {
  std::string format;         // table, markdown or json: json prints only the combined points
  std::filesystem::path dir;  // where the chart and the points go, beside the results files
  std::string stem;           // their names: request-cost-<stem>.svg and .json
};

// Each scale in the order given, stopping at the first experiment that is interrupted (its
// partial results file stays, as do the finished scales'; no chart is drawn) or fails before its
// results file is written. The exit status: 130 interrupted, 1 when any experiment failed or had
// invalid runs, else 0. Ctrl-C is the caller's: stop_signals must be installed.
[[nodiscard]] int run_work_scales(std::span<const double> scales, const services::scenario& s,
                                  const experiment_plan& plan, const work_scale_output& output,
                                  const experiment_step& step, std::ostream& out, std::ostream& err);

}  // namespace tracebench::harness
