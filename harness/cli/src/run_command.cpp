// tracebench run: carries out an overhead experiment on one scenario, prints the overhead
// table (or JSON) and keeps every raw run in a results file.

#include <algorithm>
#include <chrono>
#include <cmath>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <system_error>
#include <vector>

#include <unistd.h>

#include "optional_flag.hpp"
#include "pipeline_flags.hpp"
#include "progress_reporter.hpp"
#include "scenario_directory.hpp"
#include "stop_signals.hpp"
#include "tracebench/cli/command.hpp"
#include "tracebench/common/atomic_file.hpp"
#include "tracebench/common/flag_values.hpp"
#include "tracebench/experiment/experiment_runner.hpp"
#include "tracebench/experiment/memory_sweep.hpp"
#include "tracebench/experiment/process_isolation.hpp"
#include "tracebench/experiment/remote_graph.hpp"
#include "tracebench/experiment/trace_capture.hpp"
#include "tracebench/net/http_url.hpp"
#include "tracebench/report/overhead_table.hpp"
#include "tracebench/report/pipeline_table.hpp"
#include "tracebench/results/adaptive_rounds.hpp"
#include "tracebench/results/experiment_plan.hpp"
#include "tracebench/results/experiment_summary.hpp"
#include "tracebench/results/pipeline_summary.hpp"
#include "tracebench/results/precision_target.hpp"
#include "tracebench/results/results_document.hpp"
#include "tracebench/services/inprocess_transport.hpp"
#include "tracebench/services/scenario_loader.hpp"
#include "tracebench/services/scenario_summary.hpp"
#include "tracebench/services/tracing_config.hpp"
#include "tracebench/services/work_scale.hpp"
#include "tracebench/tracer/sampler.hpp"
#include "work_scale_runs.hpp"

namespace tracebench::harness {

namespace {

namespace po = boost::program_options;
namespace fs = std::filesystem;

constexpr std::string_view kWhere = "tracebench run";
// Long enough for a slow outlier among a few hundred requests, short beside the experiment.
constexpr std::chrono::seconds kCaptureDuration{1};

// Whole-number flags of the plan: at least `minimum`, at most what `Unsigned` holds.
template <typename Unsigned>
Unsigned parse_whole(std::string_view flag, std::string_view text, Unsigned minimum) {
  return static_cast<Unsigned>(parse_count(flag, text, minimum, std::numeric_limits<Unsigned>::max()));
}

// "off" and "never" first, as every comparison needs them, then the rates as written; "none"
// leaves only those two (for measuring the harness itself).
std::vector<std::string> parse_rates(std::string_view text) {
  std::vector<std::string> configurations{"off", "never"};
  if (trim_blanks(text) == "none") return configurations;
  for (const std::string& entry : split_list("--rates", text)) {
    double ratio = 0;
    try {
      // "tail" and "1/16+tail" too: a pipeline with a tail collector.
      const services::tracing_config config = services::tracing_config::parse(entry);
      ratio = config.tracing == services::tracing_config::mode::probability ? config.probability : 0;
    } catch (const std::invalid_argument& e) {
      throw flag_error("--rates", e.what());
    }
    if (ratio == 0) {
      throw flag_error("--rates", "sampling ratio \"" + entry + "\" samples nothing; \"never\" always runs already");
    }
    for (const std::string& seen : configurations) {
      if (seen == entry) throw flag_error("--rates", "sampling ratio \"" + entry + "\" is listed twice");
    }
    configurations.push_back(entry);
  }
  return configurations;
}

experiment_plan build_plan(const po::variables_map& values) {
  experiment_plan plan;
  if (const auto v = optional_flag(values, "rates")) plan.configurations = parse_rates(*v);
  if (const auto v = optional_flag(values, "rounds")) plan.rounds = parse_whole<unsigned>("--rounds", *v, 1);
  if (const auto v = optional_flag(values, "duration")) plan.phase_duration = parse_duration("--duration", *v, false);
  if (const auto v = optional_flag(values, "warmup")) plan.warmup = parse_duration("--warmup", *v, true);
  if (const auto v = optional_flag(values, "threads")) plan.graph_threads = parse_whole<unsigned>("--threads", *v, 1);
  if (const auto v = optional_flag(values, "concurrency")) {
    plan.concurrency = parse_whole<unsigned>("--concurrency", *v, 1);
  }
  if (const auto v = optional_flag(values, "seed")) plan.seed = parse_whole<std::uint64_t>("--seed", *v, 0);
  if (const auto v = optional_flag(values, "lag-bound")) {
    plan.lag_bound = parse_duration("--lag-bound", *v, false);
    plan.lag_bound_adapts = false;
  }
  if (const auto v = optional_flag(values, "transport")) {
    if (*v == "inproc") {
      plan.transport = transport_kind::inproc;
    } else if (*v == "loopback") {
      plan.transport = transport_kind::loopback;
    } else {
      throw flag_error("--transport", "expected inproc or loopback, not \"" + *v + "\"");
    }
  }
  if (const auto v = optional_flag(values, "target")) {
    if (values.count("transport") != 0) throw flag_error("--target", "give --target or --transport, not both");
    if (values.count("threads") != 0) {
      throw flag_error("--target", "--threads is for a graph built here; a running graph has its own");
    }
    try {
      (void)net::parse_http_url(*v);
    } catch (const std::invalid_argument& e) {
      throw flag_error("--target", e.what());
    }
    plan.transport = transport_kind::remote;
    plan.target = *v;
  }
  if (const auto v = optional_flag(values, "load")) {
    try {
      plan.load = offered_load::parse(*v);
    } catch (const std::invalid_argument& e) {
      throw flag_error("--load", e.what());
    }
  }
  if (values.count("precision") != 0) {
    try {
      plan.precision = parse_precision_targets(values["precision"].as<std::vector<std::string>>());
    } catch (const std::invalid_argument& e) {
      throw flag_error("--precision", e.what());
    }
  }
  if (const auto v = optional_flag(values, "max-time")) plan.max_time = parse_time_with_units("--max-time", *v);
  return plan;
}

// The help text says so.
static_assert(kDefaultPrecisionBudget == std::chrono::minutes(30));

std::string utc_timestamp() {
  const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm utc{};
  ::gmtime_r(&now, &utc);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y%m%dT%H%M%SZ", &utc);
  return buffer;
}

// Scenario names go into a file name: keep it to characters every shell and file system take.
std::string file_safe(std::string_view name) {
  std::string safe;
  for (const char c : name) {
    const bool plain =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
    safe += plain ? c : '_';
  }
  return safe.empty() ? "scenario" : safe;
}

// The live progress line only where a person watches it: the real stderr, on a terminal.
bool live_progress(const std::ostream& err) { return &err == &std::cerr && ::isatty(STDERR_FILENO) == 1; }

// This binary again, with the parent's own arguments: the child builds the same scenario and plan.
// The run request comes last, as the value of --child-run.
std::vector<std::string> child_command(std::span<const std::string> args) {
  std::error_code ec;
  fs::path self = fs::read_symlink("/proc/self/exe", ec);
  if (ec) self = "/proc/self/exe";
  std::vector<std::string> command{self.string(), "run"};
  command.insert(command.end(), args.begin(), args.end());
  command.emplace_back("--child-run");
  return command;
}

// One run for a parent `tracebench run`, reported on descriptor 3; its own SIGINT or the parent's
// SIGTERM cuts it short.
int run_as_child(const services::scenario& s, const experiment_plan& plan, const std::optional<net::http_url>& target,
                 const std::string& request_text, std::ostream& err) {
  run_request request;
  try {
    request = run_request::from_json(request_text);
  } catch (const std::invalid_argument& e) {
    err << kWhere << ": --child-run: " << e.what() << '\n';
    return kExitUsage;
  }
  const stop_signals signals(true);
  // The parent ran scale_work on the scenario it loaded; this one is loaded afresh.
  const services::scenario scaled = services::scale_work(s, request.work_scale);
  experiment_plan scaled_plan = plan;
  scaled_plan.work_scale = request.work_scale;
  const graph_launcher launch = target ? remote_launcher(scaled, scaled_plan, *target) : graph_launcher{};
  return report_run_to_parent(scaled, scaled_plan, request, &stop_signals::flag(), launch);
}

// Where and how one experiment reports: the --format, the --out directory, and the graph at
// --target when there is one.
struct experiment_output {
  std::string format;
  fs::path out_dir;
  std::optional<net::http_url> target;
  // --isolation process: the command each run's child process is (child_command); empty: none.
  std::vector<std::string> child_command;
};

// One experiment on `s`: runs it, prints its tables (or its document, as json) when `print`, and
// writes its results file, `file_label` after the scenario in its name. Ctrl-C is the caller's.
experiment_outcome run_one_experiment(const services::scenario& s, const experiment_plan& plan,
                                      const experiment_output& output, bool print, std::string_view file_label,
                                      std::ostream& out, std::ostream& err) {
  const std::optional<net::http_url>& target = output.target;
  experiment_outcome outcome;
  experiment_result result;
  try {
    progress_reporter progress(
        err, live_progress(err),
        {plan.rounds, 2 * (plan.warmup + plan.phase_duration), time_budget(plan), !plan.precision.empty()});
    const graph_launcher launch = target ? remote_launcher(s, plan, *target) : graph_launcher{};
    const run_executor execute = output.child_command.empty()
                                     ? run_executor{}
                                     : child_process_executor(output.child_command, plan, &stop_signals::flag());
    result = run_experiment(
        s, plan, [&progress](const progress_event& e) { progress.on_event(e); }, &stop_signals::flag(), launch,
        execute);
    // A running graph's spans are its exporters'; here the waterfall's trace comes from a run
    // of its own, after the measured ones.
    const std::optional<std::string> capture = capture_configuration(plan);
    if (!target && capture && !result.interrupted && result.offered_rate > 0) {
      err << "capturing the slowest trace under " << *capture << " for the report's waterfall\n";
      result.slowest_trace = capture_slowest_trace(
          s, plan, {*capture, result.offered_rate, kCaptureDuration, result.graph_threads, plan.seed});
    }
    if (plan.pipeline && has_tail(plan) && !result.interrupted && result.offered_rate > 0) {
      err << "sweeping the tail collector's memory against decision wait and load\n";
      memory_sweep_options sweep;
      sweep.offered_rate = result.offered_rate;
      sweep.threads = result.graph_threads;
      sweep.duration = plan.phase_duration;
      sweep.stop = &stop_signals::flag();
      result.memory_sweep = sweep_collector_memory(s, plan, sweep);
    }
  } catch (const std::exception& e) {
    err << kWhere << ": " << e.what() << '\n';
    outcome.exit_code = kExitFailed;
    return outcome;
  }
  if (target) {
    // Each serve process calibrated its own work kernel at start; the results say what each got.
    // Not worth the measurements when it cannot be read: they are written without it.
    try {
      result.remote_work = read_remote_work(*target);
    } catch (const std::runtime_error& e) {
      err << kWhere << ": leaving the serve processes' work calibration out: " << e.what() << '\n';
    }
  }
  const experiment_summary summary = summarize_experiment(result);
  const std::optional<pipeline_summary> pipelines = summarize_pipelines(result);
  const nlohmann::ordered_json document = results_document(result, summary);
  const std::string text = document.dump(2) + '\n';

  if (print && output.format == "json") {
    out << text;
  } else if (print) {
    const table_style style = output.format == "markdown" ? table_style::markdown : table_style::text;
    out << render_overhead_table(summary, style);
    if (pipelines) out << '\n' << render_pipeline_tables(*pipelines, style);
  }
  out << std::flush;

  const fs::path results_file = output.out_dir / ("run-" + file_safe(result.scenario_name) + std::string(file_label) +
                                                  "-" + utc_timestamp() + ".json");
  try {
    write_file_atomically(results_file, text);
  } catch (const std::system_error& e) {
    err << kWhere << ": " << e.what() << '\n';
    outcome.exit_code = kExitFailed;
    return outcome;
  }
  outcome.summary = summary;
  outcome.results_file = results_file;
  err << "results written to " << results_file.string() << (result.interrupted ? " (incomplete)" : "") << '\n';
  if (result.interrupted) {
    err << kWhere << ": interrupted after " << result.runs.size() << " of " << summary.runs_planned << " runs\n";
    outcome.interrupted = true;
    outcome.exit_code = kExitInterrupted;
    return outcome;
  }
  bool all_valid = true;
  for (const run_record& r : result.runs) all_valid = all_valid && r.valid();
  if (!all_valid) err << kWhere << ": some runs were invalid; their figures are left out of the deltas\n";
  outcome.exit_code = all_valid ? kExitOk : kExitFailed;
  return outcome;
}

int run_run(const command& self, std::span<const std::string> args, std::ostream& out, std::ostream& err) {
  po::options_description flags;
  flags.add_options()("rates", po::value<std::string>(),
                      "sampling ratios to compare with off and never, e.g. 1/1,1/16,1/1024, or none "
                      "(default: 1/1,1/2,1/4,1/16,1/1024)")("rounds", po::value<std::string>(),
                                                            "rounds, each running every configuration (default 40)")(
      "duration", po::value<std::string>(),
      "measured seconds per phase, e.g. 1 (default 0.5, lengthened when a phase would complete under 200 requests)")(
      "warmup", po::value<std::string>(), "discarded seconds before each phase (default 0.25)")(
      "load", po::value<std::string>(),
      "open-loop load: fraction of off capacity (0.5, 50%) or rate (2000/s); "
      "default 50%")("threads", po::value<std::string>(),
                     "executor threads per service graph (default: one per core but one, for the generator)")(
      "concurrency", po::value<std::string>(),
      "closed-loop requests in flight (default: chosen in round 1's off run, doubling from 16 while "
      "throughput grows by more than 5%, up to 4096)")("seed", po::value<std::string>(), "random seed (default 1)")(
      "transport", po::value<std::string>(),
      "inproc (function calls) or loopback (HTTP/1.1 on 127.0.0.1); "
      "default inproc")("target", po::value<std::string>(),
                        "run on a graph already running as 'tracebench serve' processes: the entry service's URL, "
                        "http://HOST:PORT")(
      "pipeline", po::value<std::string>(),
      "compare sampling pipelines, comma-separated: head (each --rates ratio; without --rates, the "
      "scenario's, else 1/16 and 1/1024), tail (head 1/1, then a tail-sampling collector), two-tier (each "
      "ratio, then the collector); tracks every request's outcome against what storage kept (default: "
      "the scenario's \"sampling\" block, else none)")("decision-wait", po::value<std::string>(),
                                                       "the collector's wait after a trace's first span, seconds "
                                                       "(default: the scenario's, else 1)")(
      "slow", po::value<std::string>(),
      "the collector keeps traces at least this long, seconds (default: the "
      "scenario's slow_us, else 10x its mean latency)")("baseline", po::value<std::string>(),
                                                        "the collector keeps this share of the rest (default 0.1)")(
      "num-traces", po::value<std::string>(), "traces the collector holds at most (default 50000)")(
      "collectors", po::value<std::string>(),
      "tail collectors behind a trace-id router: N, or N:M to grow to M halfway through each run's latency "
      "phase and count the traces split between two (default 1)")(
      "precision", po::value<std::vector<std::string>>()->composing(),
      "METRIC=\u00b1N%, repeatable: add rounds until the 95% interval of METRIC (throughput, cpu, latency.mean, "
      "latency.p50, latency.p99; mean, p50, p99 for short) is at most N percentage points either side of its "
      "median in every configuration but off; --rounds is then the minimum")(
      "max-time", po::value<std::string>(),
      "time budget for the whole run, e.g. 600, 90s, 10m: no round starts that would end after it (default "
      "with --precision: 30 minutes; without, the planned rounds are only cut short)")(
      "lag-bound", po::value<std::string>(),
      "open-loop send-lag p99 above which a run is invalid, in "
      "seconds (default 0.001, raised to a tenth of the run's own p99 "
      "latency when that is larger)")("no-aa", po::bool_switch(),
                                      "leave out the A/A row (off': off run again each round, against off), the "
                                      "noise floor every other change is judged against")(
      "isolation", po::value<std::string>()->default_value("process"),
      "process (each run in a fresh child process of this binary, so no run inherits another's heap or "
      "threads, and a run that crashes or hangs fails alone) or none (every run in this process, for "
      "debugging)")(
      "work-scale", po::value<std::string>(),
      "run the whole plan once per scale, e.g. 0.1,1,10, with every cpu_us and wait_us of the scenario multiplied "
      "by it: a table and results file per scale, then overhead against request cost (a table, and "
      "request-cost-*.svg and .json beside the results files)")(
      "format", po::value<std::string>()->default_value("table"), "table, markdown or json, on stdout")(
      "out", po::value<std::string>()->default_value("results"), "directory for the results file");
  po::options_description hidden;
  hidden.add_options()("scenario", po::value<std::string>(), "scenario file or shipped scenario name")(
      "child-run", po::value<std::string>(), "internal: carry out this one run (JSON) and report it on descriptor 3");
  po::positional_options_description positional;
  positional.add("scenario", 1);
  const parsed_flags parsed = parse_flags(self, flags, hidden, positional, args, out, err);
  if (parsed.exit_code) return *parsed.exit_code;

  const std::string format = parsed.values["format"].as<std::string>();
  if (format != "table" && format != "markdown" && format != "json") {
    err << kWhere << ": --format: expected table, markdown or json, not \"" << format << "\"\n";
    return kExitUsage;
  }
  const std::string isolation = parsed.values["isolation"].as<std::string>();
  if (isolation != "process" && isolation != "none") {
    err << kWhere << ": --isolation: expected process or none, not \"" << isolation << "\"\n";
    return kExitUsage;
  }
  experiment_plan plan;
  std::vector<double> work_scales;
  try {
    plan = build_plan(parsed.values);  // validated once the scenario's pipelines are applied
    if (const auto v = optional_flag(parsed.values, "work-scale")) {
      if (plan.transport == transport_kind::remote) {
        throw flag_error("--work-scale",
                         "scales the scenario of a graph built here; a running graph's services "
                         "run theirs (serve a scaled scenario instead)");
      }
      work_scales = parse_work_scales(*v);
    }
  } catch (const std::invalid_argument& e) {
    err << kWhere << ": " << e.what() << '\n';
    return kExitUsage;
  }
  if (parsed.values.count("scenario") == 0) return usage_error(kWhere, "no scenario given", err);
  const std::string file = resolve_scenario(parsed.values["scenario"].as<std::string>()).string();
  const services::load_result loaded = services::load_scenario_file(file);
  if (!loaded.ok()) {
    for (const std::string& e : loaded.errors) err << (loaded.unreadable ? "tracebench: " : file + ": ") << e << '\n';
    return kExitUsage;
  }
  try {
    apply_pipelines(plan, parsed.values, *loaded.value);
    if (!parsed.values["no-aa"].as<bool>()) add_noise_floor(plan);
    validate(plan);
  } catch (const std::invalid_argument& e) {
    err << kWhere << ": " << e.what() << '\n';
    return kExitUsage;
  }
  std::optional<net::http_url> target;
  if (plan.transport == transport_kind::remote) target = net::parse_http_url(plan.target);
  if (parsed.values.count("child-run") != 0) {
    return run_as_child(*loaded.value, plan, target, parsed.values["child-run"].as<std::string>(), err);
  }
  if (target) {
    // Found now rather than after the calibration: the graph answers and has every service.
    if (const std::string problem = check_remote_graph(*loaded.value, *target); !problem.empty()) {
      err << kWhere << ": --target: " << problem << '\n';
      return kExitFailed;
    }
  }
  if (plan.transport == transport_kind::inproc) {
    if (const std::string problem = services::check_inprocess(*loaded.value); !problem.empty()) {
      err << kWhere << ": " << problem << " (use --transport loopback)\n";
      return kExitUsage;
    }
  }
  const fs::path out_dir = parsed.values["out"].as<std::string>();
  std::error_code ec;
  fs::create_directories(out_dir, ec);
  if (ec) {
    // Found now rather than after minutes of measuring.
    err << kWhere << ": --out: cannot create " << out_dir.string() << ": " << ec.message() << '\n';
    return kExitUsage;
  }

  // Ctrl-C or SIGTERM: the experiment under way stops after cutting its run short.
  const stop_signals signals(true);
  const experiment_output output{format, out_dir, target,
                                 isolation == "process" ? child_command(args) : std::vector<std::string>{}};
  const experiment_step one = [&](const services::scenario& s, const experiment_plan& p, bool print,
                                  std::string_view label) {
    return run_one_experiment(s, p, output, print, label, out, err);
  };
  if (work_scales.empty()) return one(*loaded.value, plan, true, "").exit_code;
  return run_work_scales(work_scales, *loaded.value, plan,
                         {format, out_dir, file_safe(loaded.value->name) + "-" + utc_timestamp()}, one, out, err);
}

}  // namespace

const command& run_command() {
  static const command kCommand{
      "run",
      "[options] SCENARIO",
      "measure tracing overhead on a scenario: off, never and sampling rates",
      "Runs an overhead experiment on one scenario: every round runs each configuration (off, never,\n"
      "then each sampling rate) on a fresh service graph, first a closed loop for capacity, then an\n"
      "open loop at a fixed offered load for latency. Shows progress on stderr (a live line with\n"
      "an ETA on a terminal), prints the overhead and span-volume tables (or Markdown, or JSON) on\n"
      "stdout, and writes every raw run and the summary to DIR/run-<scenario>-<UTC time>.json.\n"
      "With --target, the graph is one already running as 'tracebench serve' processes: before each\n"
      "run every service gets the run's configuration through the entry service (POST\n"
      "/tracebench/configure, passed on to every peer), and spans and CPU are what they report.\n"
      "With --precision, --rounds is the minimum: after each further round the intervals are\n"
      "checked, and rounds go on until every target is met in every configuration but off (off'\n"
      "included), or until another round would overrun the time budget (--max-time, else 30\n"
      "minutes), judged by the longest round so far; the trace capture after the rounds is\n"
      "outside it. Which targets were reached, and how far the others got, is printed after the\n"
      "table. --max-time alone only cuts the planned rounds short.\n"
      "Each run is a fresh child process of this binary (--isolation none keeps them all in this one); a\n"
      "run whose process crashes or overruns is listed as failed, with why, and the experiment goes on.\n"

      "With --work-scale, the whole plan runs once per scale on the scenario with every cpu_us and\n"
      "wait_us multiplied by it, each under its own heading with its own results file\n"
      "(run-<scenario>-work<scale>-<UTC time>.json); then a table of overhead against request cost\n"
      "(CPU/req and p50 latency changes against off's mean latency at each scale), drawn in\n"
      "request-cost-<scenario>-<UTC time>.svg with its points in the .json beside it (as json, stdout\n"
      "gets only those points). Ctrl-C keeps the finished scales' files and stops.\n"
      "Ctrl-C or SIGTERM stops after cutting the current run short and writes what finished, marked\n"
      "incomplete. Exits 2 for bad flags or an invalid scenario, 1 when the experiment failed or\n"
      "some runs were invalid (the results file is still written), 130 when interrupted.",
      "  tracebench run checkout\n"
      "  tracebench run --rates 1/1,1/16,1/1024 --rounds 3 --duration 5 web-search\n"
      "  tracebench run --load 2000/s --format json --out /tmp/results my-graph.json\n"
      "  tracebench run --rounds 10 --format markdown checkout > overhead.md\n"
      "  tracebench run --target http://127.0.0.1:9001 --rates 1/1,1/16 chain.json\n"
      "  tracebench run checkout --precision cpu=\u00b11% --precision throughput=\u00b11% --max-time 10m\n"
      "  tracebench run --work-scale 0.1,1,10 --rates 1/1,1/16 web-search\n",
      run_run};
  return kCommand;
}

}  // namespace tracebench::harness
