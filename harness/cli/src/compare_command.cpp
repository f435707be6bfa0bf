// tracebench compare: two results files, BASE and NEW, configuration by configuration: how each
// metric changed, whether that is more than noise, and whether it breaks a threshold.

#include <ostream>
#include <stdexcept>
#include <string>
#include <vector>

#include "tracebench/cli/command.hpp"
#include "tracebench/report/comparison_report.hpp"
#include "tracebench/common/flag_values.hpp"
#include "tracebench/results/results_file.hpp"
#include "tracebench/results/run_comparison.hpp"

namespace tracebench::harness {

namespace {

namespace po = boost::program_options;

constexpr std::string_view kWhere = "tracebench compare";
// Beyond this a "significant" change is a coin toss; below it a gate needs huge samples.
constexpr double kMaxAlpha = 0.5;

struct compare_plan {
  comparison_options options;
  bool markdown = false;
};

compare_plan build_plan(const po::variables_map& values) {
  compare_plan plan;
  if (values.count("threshold") != 0) {
    try {
      plan.options.thresholds = parse_thresholds(values["threshold"].as<std::vector<std::string>>());
    } catch (const std::invalid_argument& e) {
      throw flag_error("--threshold", e.what());
    }
  }
  if (values.count("configs") != 0) plan.options.configurations = split_list("--configs", values["configs"].as<std::string>());
  if (values.count("alpha") != 0) {
    const std::string text = values["alpha"].as<std::string>();
    if (!parse_finite(text, plan.options.alpha) || plan.options.alpha <= 0.0 || plan.options.alpha > kMaxAlpha) {
      throw flag_error("--alpha", "expected a number above 0 and at most 0.5, not \"" + text + "\"");
    }
  }
  const std::string basis = values["basis"].as<std::string>();
  if (basis != "overhead" && basis != "absolute") {
    throw flag_error("--basis", "expected overhead or absolute, not \"" + basis + "\"");
  }
  plan.options.basis = basis == "overhead" ? comparison_basis::overhead : comparison_basis::absolute;
  const std::string format = values["format"].as<std::string>();
  if (format != "text" && format != "markdown") {
    throw flag_error("--format", "expected text or markdown, not \"" + format + "\"");
  }
  plan.markdown = format == "markdown";
  return plan;
}

int run_compare(const command& self, std::span<const std::string> args, std::ostream& out, std::ostream& err) {
  po::options_description flags;
  flags.add_options()("threshold", po::value<std::vector<std::string>>()->composing(),
                      "METRIC=+N% fails on a significant rise beyond N%, METRIC=-N% on a fall; repeatable. "
                      "Metrics: throughput, cpu, latency.mean, latency.p50, latency.p99 (default: none, "
                      "report only)")(
      "configs", po::value<std::string>(), "only these configurations, comma-separated (1/1,1/16)")(
      "basis", po::value<std::string>()->default_value("overhead"),
      "overhead: each configuration against off in the same round; absolute: the raw figures, off included")(
      "alpha", po::value<std::string>(), "significance level over all the gated tests (default 0.05)")(
      "format", po::value<std::string>()->default_value("text"), "text, or markdown for a pull-request comment");
  po::options_description hidden;
  hidden.add_options()("files", po::value<std::vector<std::string>>(), "BASE.json NEW.json");
  po::positional_options_description positional;
  positional.add("files", -1);
  const parsed_flags parsed = parse_flags(self, flags, hidden, positional, args, out, err);
  if (parsed.exit_code) return *parsed.exit_code;

  compare_plan plan;
  try {
    plan = build_plan(parsed.values);
  } catch (const std::invalid_argument& e) {
    err << kWhere << ": " << e.what() << '\n';
    return kExitUsage;
  }
  const std::vector<std::string> files =
      parsed.values.count("files") != 0 ? parsed.values["files"].as<std::vector<std::string>>()
                                        : std::vector<std::string>{};
  if (files.size() != 2) {
    return usage_error(kWhere, "expected two results files, BASE.json and NEW.json, not " +
                                   std::to_string(files.size()), err);
  }

  comparison result;
  try {
    const results_file base = read_results_file(files[0]);
    const results_file fresh = read_results_file(files[1]);
    result = compare_results(base, fresh, plan.options);
  } catch (const std::exception& e) {
    // An unreadable or invalid file (what() names it), or --configs naming what neither has.
    err << kWhere << ": " << e.what() << '\n';
    return kExitUsage;
  }
  out << (plan.markdown ? render_comparison_markdown(result) : render_comparison_text(result)) << std::flush;
  return result.passed() ? kExitOk : kExitFailed;
}

}  // namespace

const command& compare_command() {
  static const command kCommand{
      "compare",
      "[options] BASE.json NEW.json",
      "compare two results files: the change per configuration, its significance, threshold gates",
      "Compares the results files of two `tracebench run`s configuration by configuration. By\n"
      "default each round's tracing overhead (the configuration against off in the same round) is\n"
      "compared, which survives a change of machine better than raw figures; --basis absolute\n"
      "compares the raw figures of every valid run, off included. The change is the Hodges-Lehmann\n"
      "shift of the log values from BASE to NEW with its distribution-free 95% interval, and its\n"
      "Mann-Whitney p-value is Holm-adjusted over all the gated tests. A --threshold fails when\n"
      "its metric changed beyond it in its direction and significantly; too few rounds to see a\n"
      "change of the threshold's size earns a warning. Exits 0 when nothing failed, 1 on a\n"
      "regression, 2 for bad flags or a file that cannot be read as a results file.",
      "  tracebench compare main.json branch.json\n"
      "  tracebench compare main.json branch.json --threshold latency.p99=+5% --threshold throughput=-2%\n"
      "  tracebench compare main.json branch.json --configs 1/1,1/16 --format markdown > comment.md\n"
      "  tracebench compare before.json after.json --basis absolute --threshold cpu=+3%\n",
      run_compare};
  return kCommand;
}

}  // namespace tracebench::harness
