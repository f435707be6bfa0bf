// tracebench compare: two results files, BASE and NEW, configuration by configuration: how each
// metric changed, whether that is more than noise, and whether it breaks a threshold. Or two
// hot-path instruction files, operation by operation, for scripts/hot-path-gate.

#include <optional>
#include <ostream>
#include <stdexcept>
#include <string>
#include <vector>

#include "tracebench/cli/command.hpp"
#include "tracebench/common/flag_values.hpp"
#include "tracebench/report/comparison_report.hpp"
#include "tracebench/results/instruction_comparison.hpp"
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
  std::optional<double> instruction_threshold;  // instruction files: the allowed rise, in percent
  bool markdown = false;
};

bool holds_instruction_counts(const nlohmann::ordered_json& document) {
  if (!document.is_object()) return false;
  const auto schema = document.find("schema");
  return schema != document.end() && schema->is_string() && schema->get<std::string>() == kInstructionCountsSchema;
}

// Instruction counts have one figure per operation and side: nothing to select, test or adjust.
void plan_instructions(const po::variables_map& values, compare_plan& plan) {
  for (const char* flag : {"configs", "alpha", "basis"}) {
    if (values.count(flag) != 0 && !values[flag].defaulted()) {
      throw flag_error("--" + std::string(flag), "applies to results files, not to hot-path instruction files");
    }
  }
  if (values.count("threshold") == 0) return;
  for (const std::string& text : values["threshold"].as<std::vector<std::string>>()) {
    threshold_parts t;
    try {
      t = split_threshold(text);
    } catch (const std::invalid_argument& e) {
      throw flag_error("--threshold", e.what());
    }
    if (t.metric != kInstructionsMetric || !t.rise_is_bad) {
      throw flag_error("--threshold",
                       "hot-path instruction files take instructions=+N% (a rise fails), not \"" + text + "\"");
    }
    if (plan.instruction_threshold) throw flag_error("--threshold", "instructions has two thresholds");
    plan.instruction_threshold = t.limit_percent;
  }
}

void plan_results(const po::variables_map& values, compare_plan& plan) {
  if (values.count("threshold") != 0) {
    try {
      plan.options.thresholds = parse_thresholds(values["threshold"].as<std::vector<std::string>>());
    } catch (const std::invalid_argument& e) {
      throw flag_error("--threshold", e.what());
    }
  }
  if (values.count("configs") != 0)
    plan.options.configurations = split_list("--configs", values["configs"].as<std::string>());
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
}

compare_plan build_plan(const po::variables_map& values, bool instructions) {
  compare_plan plan;
  if (instructions) {
    plan_instructions(values, plan);
  } else {
    plan_results(values, plan);
  }
  const std::string format = values["format"].as<std::string>();
  if (format != "text" && format != "markdown") {
    throw flag_error("--format", "expected text or markdown, not \"" + format + "\"");
  }
  plan.markdown = format == "markdown";
  return plan;
}

template <typename Comparison>
int report(const Comparison& result, bool markdown, std::ostream& out) {
  out << (markdown ? render_comparison_markdown(result) : render_comparison_text(result)) << std::flush;
  return result.passed() ? kExitOk : kExitFailed;
}

int run_compare(const command& self, std::span<const std::string> args, std::ostream& out, std::ostream& err) {
  po::options_description flags;
  flags.add_options()("threshold", po::value<std::vector<std::string>>()->composing(),
                      "METRIC=+N% fails on a significant rise beyond N%, METRIC=-N% on a fall; repeatable. "
                      "Metrics: throughput, cpu, latency.mean, latency.p50, latency.p99; for instruction files, "
                      "instructions=+N% (default: none, report only)")(
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

  const std::vector<std::string> files = parsed.values.count("files") != 0
                                             ? parsed.values["files"].as<std::vector<std::string>>()
                                             : std::vector<std::string>{};
  if (files.size() != 2) {
    return usage_error(kWhere,
                       "expected two results files, BASE.json and NEW.json, not " + std::to_string(files.size()), err);
  }
  try {
    // BASE's schema decides what both files are; NEW of another kind fails its own check.
    const nlohmann::ordered_json base = read_json_file(files[0]);
    const nlohmann::ordered_json fresh = read_json_file(files[1]);
    const compare_plan plan = build_plan(parsed.values, holds_instruction_counts(base));
    if (holds_instruction_counts(base)) {
      return report(compare_instruction_counts(parse_instruction_counts(base, files[0]),
                                               parse_instruction_counts(fresh, files[1]), plan.instruction_threshold),
                    plan.markdown, out);
    }
    return report(
        compare_results(parse_results_file(base, files[0]), parse_results_file(fresh, files[1]), plan.options),
        plan.markdown, out);
  } catch (const std::exception& e) {
    // A bad flag, an unreadable or invalid file (what() names it), or --configs naming what neither has.
    err << kWhere << ": " << e.what() << '\n';
    return kExitUsage;
  }
}

}  // namespace

const command& compare_command() {
  static const command kCommand{
      "compare",
      "[options] BASE.json NEW.json",
      "compare two results files (or hot-path instruction files): the change, its significance, gates",
      "Compares the results files of two `tracebench run`s configuration by configuration. By\n"
      "default each round's tracing overhead (the configuration against off in the same round) is\n"
      "compared, which survives a change of machine better than raw figures; --basis absolute\n"
      "compares the raw figures of every valid run, off included. The change is the Hodges-Lehmann\n"
      "shift of the log values from BASE to NEW with its distribution-free 95% interval, and its\n"
      "Mann-Whitney p-value is Holm-adjusted over all the gated tests. A --threshold fails when\n"
      "its metric changed beyond it in its direction and significantly; too few rounds to see a\n"
      "change of the threshold's size earns a warning. Exits 0 when nothing failed, 1 on a\n"
      "regression, 2 for bad flags or a file that cannot be read as a results file.\n\n"
      "Two hot-path instruction files (tracebench.hot-path-instructions/1, from\n"
      "scripts/profile-hot-path --json) are compared operation by operation instead: the change\n"
      "in instructions per operation, failing with --threshold instructions=+N% on a rise beyond\n"
      "N% or on an operation of BASE that NEW did not measure. Callgrind's counts repeat, so there\n"
      "is no significance test; --configs, --basis and --alpha do not apply.",
      "  tracebench compare main.json branch.json\n"
      "  tracebench compare main.json branch.json --threshold latency.p99=+5% --threshold throughput=-2%\n"
      "  tracebench compare main.json branch.json --configs 1/1,1/16 --format markdown > comment.md\n"
      "  tracebench compare before.json after.json --basis absolute --threshold cpu=+3%\n"
      "  tracebench compare results/reference/hot-path-instructions.json now.json --threshold instructions=+3%\n",
      run_compare};
  return kCommand;
}

}  // namespace tracebench::harness
