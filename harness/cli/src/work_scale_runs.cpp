#include "work_scale_runs.hpp"

#include <algorithm>
#include <cstdio>
#include <system_error>

#include "stop_signals.hpp"
#include "tracebench/cli/command.hpp"
#include "tracebench/common/atomic_file.hpp"
#include "tracebench/common/flag_values.hpp"
#include "tracebench/report/request_cost_report.hpp"
#include "tracebench/results/request_cost.hpp"
#include "tracebench/services/work_scale.hpp"

namespace tracebench::harness {
namespace {

constexpr std::string_view kWhere = "tracebench run";

// "x0.5"; with `prefix` before the x's place, e.g. "-work0.5" for a file name.
std::string scale_text(double scale, std::string_view prefix = "") {
  char text[32];
  std::snprintf(text, sizeof text, "%g", scale);
  return std::string(prefix).append(text);
}

std::string heading(double scale, const std::string& format) {
  const std::string x = scale_text(scale, "x");
  if (format == "markdown") return "# Work scale " + x + "\n\nEvery cpu_us and wait_us of the scenario " + x + ".\n\n";
  return "=== Work scale " + x + ": every cpu_us and wait_us of the scenario " + x + " ===\n";
}

}  // namespace

std::vector<double> parse_work_scales(std::string_view text) {
  std::vector<double> scales;
  for (const std::string& entry : split_list("--work-scale", text)) {
    double scale = 0;
    if (!parse_finite(entry, scale)) throw flag_error("--work-scale", "\"" + entry + "\" is not a finite number");
    if (!(scale > 0)) throw flag_error("--work-scale", "\"" + entry + "\" must be above 0");
    if (std::find(scales.begin(), scales.end(), scale) != scales.end()) {
      throw flag_error("--work-scale", "\"" + entry + "\" is listed twice");
    }
    scales.push_back(scale);
  }
  return scales;
}

int run_work_scales(std::span<const double> scales, const services::scenario& s, const experiment_plan& plan,
                    const work_scale_output& output, const experiment_step& step, std::ostream& out,
                    std::ostream& err) {
  std::vector<experiment_summary> done;
  std::vector<std::string> files;
  int status = kExitOk;
  for (std::size_t k = 0; k < scales.size(); ++k) {
    const double scale = scales[k];
    if (stop_signals::flag().load(std::memory_order_relaxed)) {
      err << kWhere << ": interrupted before work scale " << scale_text(scale, "x") << "; " << done.size()
          << " finished, their results files kept\n";
      return kExitInterrupted;
    }
    err << "work scale " << scale_text(scale, "x") << " (" << k + 1 << " of " << scales.size() << ")\n";
    if (output.format != "json") out << (k == 0 ? "" : "\n") << heading(scale, output.format) << std::flush;
    experiment_plan scaled_plan = plan;
    scaled_plan.work_scale = scale;
    const experiment_outcome outcome =
        step(services::scale_work(s, scale), scaled_plan, output.format != "json", scale_text(scale, "-work"));
    if (outcome.interrupted) {
      err << kWhere << ": interrupted during work scale " << scale_text(scale, "x") << "; " << done.size()
          << " scales finished before it, their results files kept; no request-cost chart\n";
      return kExitInterrupted;
    }
    if (!outcome.summary) return outcome.exit_code;
    status = std::max(status, outcome.exit_code);
    done.push_back(*outcome.summary);
    files.push_back(outcome.results_file.string());
  }

  request_cost_points points = make_request_cost_points(done);
  for (request_cost_scale& scale : points.scales) {
    for (std::size_t i = 0; i < done.size(); ++i) {
      if (done[i].work_scale == scale.work_scale) scale.results_file = files[i];
    }
  }
  const std::string document = request_cost_document(points).dump(2) + '\n';
  if (output.format == "json") {
    out << document;
  } else {
    out << '\n'
        << render_request_cost_table(points, output.format == "markdown" ? table_style::markdown : table_style::text);
  }
  out << std::flush;
  const std::filesystem::path base = output.dir / ("request-cost-" + output.stem);
  try {
    write_file_atomically(base.string() + ".json", document);
    write_file_atomically(base.string() + ".svg", render_request_cost_svg(points));
  } catch (const std::system_error& e) {
    err << kWhere << ": " << e.what() << '\n';
    return kExitFailed;
  }
  err << "request-cost chart written to " << base.string() << ".svg (points in " << base.string() << ".json)\n";
  return status;
}

}  // namespace tracebench::harness
