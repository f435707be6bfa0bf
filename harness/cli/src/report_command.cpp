// tracebench report: a results file as Markdown, self-contained HTML with charts, CSV, or
// OpenMetrics text.

#include <filesystem>
#include <ostream>
#include <stdexcept>
#include <string>
#include <system_error>
#include <vector>

#include "tracebench/cli/command.hpp"
#include "tracebench/common/atomic_file.hpp"
#include "tracebench/report/html_report.hpp"
#include "tracebench/report/report_formats.hpp"
#include "tracebench/report/request_cost_report.hpp"
#include "tracebench/results/request_cost.hpp"
#include "tracebench/results/results_file.hpp"

namespace tracebench::harness {
namespace {

namespace po = boost::program_options;

constexpr std::string_view kWhere = "tracebench report";

// Several results files, one per work scale of one scenario (tracebench run --work-scale): the
// overhead against request cost, as Markdown (its table) or HTML (its chart above the table).
int report_request_cost(const std::vector<std::string>& files, std::string_view format, std::string& report,
                        std::ostream& err) {
  if (format != "markdown" && format != "html") {
    std::string problem = "--format ";
    problem.append(format).append(
        " takes one results file; several make the overhead-against-request-cost report, as markdown or html");
    return usage_error(kWhere, problem, err);
  }
  std::vector<experiment_summary> summaries;
  std::vector<std::string> origins;
  for (const std::string& file : files) {
    try {
      results_file results = read_results_file(file);
      for (std::size_t i = 0; i < summaries.size(); ++i) {
        const experiment_summary& seen = summaries[i];
        if (seen.scenario_name != results.summary.scenario_name) {
          err << kWhere << ": " << file << ": scenario \"" << results.summary.scenario_name << "\", but " << origins[i]
              << " ran \"" << seen.scenario_name << "\": give the work scales of one scenario\n";
          return kExitUsage;
        }
        if (seen.work_scale == results.summary.work_scale) {
          err << kWhere << ": " << file << " and " << origins[i] << " both ran work scale "
              << results.summary.work_scale << ": give one file per scale\n";
          return kExitUsage;
        }
      }
      summaries.push_back(std::move(results.summary));
      origins.push_back(file);
    } catch (const results_file_error& e) {
      err << kWhere << ": " << e.what() << '\n';
      return kExitUsage;
    }
  }
  request_cost_points points = make_request_cost_points(summaries);
  for (request_cost_scale& scale : points.scales) {
    for (std::size_t i = 0; i < summaries.size(); ++i) {
      if (summaries[i].work_scale == scale.work_scale) scale.results_file = origins[i];
    }
  }
  report =
      format == "html" ? render_request_cost_html(points) : render_request_cost_table(points, table_style::markdown);
  return kExitOk;
}

int run_report(const command& self, std::span<const std::string> args, std::ostream& out, std::ostream& err) {
  po::options_description flags;
  flags.add_options()("format", po::value<std::string>()->default_value(std::string(report_formats().front().name)),
                      report_format_names(", ", " or ").c_str())(
      "output,o", po::value<std::string>(), "write the report to FILE (atomically) instead of stdout")(
      "assets", po::value<std::string>(),
      "HTML: the node_modules directory holding vega, vega-lite and vega-embed (default: "
      "$TRACEBENCH_REPORT_ASSETS, else the source tree's harness/report-assets/node_modules)");
  po::options_description hidden;
  hidden.add_options()("results", po::value<std::vector<std::string>>(), "results file");
  po::positional_options_description positional;
  positional.add("results", -1);
  const parsed_flags parsed = parse_flags(self, flags, hidden, positional, args, out, err);
  if (parsed.exit_code) return *parsed.exit_code;

  const std::string format_name = parsed.values["format"].as<std::string>();
  const report_format* const format = find_report_format(format_name);
  if (format == nullptr) {
    return usage_error(kWhere, "--format must be " + report_format_names(", ", " or ") + ", not '" + format_name + "'",
                       err);
  }
  if (parsed.values.count("results") == 0) return usage_error(kWhere, "no results file given", err);
  const auto files = parsed.values["results"].as<std::vector<std::string>>();
  if (parsed.values.count("assets") != 0 && !format->takes_assets) {
    std::string takers;
    for (const report_format& f : report_formats()) {
      if (f.takes_assets) takers += std::string(takers.empty() ? "" : " or ") + std::string(f.name);
    }
    return usage_error(kWhere, "--assets is for --format " + takers, err);
  }

  std::string report;
  if (files.size() > 1) {
    if (const int status = report_request_cost(files, format_name, report, err); status != kExitOk) return status;
  } else {
    try {
      const results_file results = read_results_file(files.front());
      std::filesystem::path assets;
      if (format->takes_assets) {
        assets = parsed.values.count("assets") != 0 ? std::filesystem::path(parsed.values["assets"].as<std::string>())
                                                    : default_report_assets();
      }
      report = format->render(results, assets);
    } catch (const results_file_error& e) {
      err << kWhere << ": " << e.what() << '\n';
      return kExitUsage;
    } catch (const report_assets_error& e) {
      err << kWhere << ": " << e.what() << '\n';
      return kExitUsage;
    } catch (const std::invalid_argument& e) {
      // What OpenMetrics cannot carry, such as a configuration named twice in the file.
      err << kWhere << ": " << files.front() << ": " << e.what() << '\n';
      return kExitUsage;
    }
  }

  if (parsed.values.count("output") == 0) {
    out << report << std::flush;
    return kExitOk;
  }
  try {
    write_file_atomically(parsed.values["output"].as<std::string>(), report);
  } catch (const std::system_error& e) {
    err << kWhere << ": " << e.what() << '\n';
    return kExitFailed;
  }
  return kExitOk;
}

}  // namespace

const command& report_command() {
  static const std::string kSynopsis =
      "[--format " + report_format_names("|", "|") + "] [--output FILE] RESULTS.json...";
  static const command kCommand{
      "report",
      kSynopsis,
      "turn a results file into a report: Markdown, HTML with charts, CSV, or OpenMetrics",
      "Reads a results file written by 'tracebench run' and renders it. Markdown: the Dapper-style\n"
      "table (latency mean/p50/p99, throughput and CPU changes with their intervals, spans/s,\n"
      "bytes/span, sampled fraction) with Dapper's published figures beside it, span volume and its\n"
      "per-day projection, memory (peak RSS, heap in use and allocations per request against off),\n"
      "generator health, the slowest trace and the environment. HTML: one\n"
      "self-contained page (no network needed to view it) with the same tables and Vega-Lite charts:\n"
      "overhead against sampling rate, the latency percentile spectrum, throughput per\n"
      "configuration, the slowest trace's waterfall with its critical path, and span volume. CSV:\n"
      "one row per configuration, numbers unformatted. When the run compared sampling pipelines,\n"
      "Markdown and HTML add its tables (what each kept, reweighting, collector memory) and HTML\n"
      "a chart of the collector memory sweep. OpenMetrics: the histogram family\n"
      "tracebench_request_latency_seconds, a series per configuration from its merged latency\n"
      "histogram, with the stored traces' ids as exemplars when the run compared pipelines; it\n"
      "ends in '# EOF'. A file that is not a valid results file gets one line naming the file and\n"
      "the JSON path of the problem, and exit status 2.\n"
      "Several results files, one per work scale of one scenario ('tracebench run --work-scale'), make\n"
      "the overhead-against-request-cost report instead: CPU/req and p50 latency changes against\n"
      "off's mean latency at each scale, one line per configuration; Markdown gives its table, HTML\n"
      "a page with its chart (inline SVG, no assets needed) above the table.",
      "  tracebench report results/run-checkout-20261122T101500Z.json\n"
      "  tracebench report --format html --output report.html results/run-checkout-20261122T101500Z.json\n"
      "  tracebench report --format csv results/run-checkout-20261122T101500Z.json > checkout.csv\n"
      "  tracebench report --format openmetrics -o latency.txt results/run-rare-failures-20261122T101500Z.json\n"
      "  tracebench report --format html -o cost.html results/run-web-search-work*.json\n",
      run_report};
  return kCommand;
}

}  // namespace tracebench::harness
