// tracebench project: span storage per day at a production scale, after each sampling pipeline.

#include <cstdio>
#include <ostream>
#include <string>
#include <vector>

#include "tracebench/cli/command.hpp"
#include "tracebench/common/flag_values.hpp"
#include "tracebench/common/text_format.hpp"
#include "tracebench/results/results_file.hpp"
#include "tracebench/results/storage_projection.hpp"
#include "tracebench/tracer/sampler.hpp"

namespace tracebench::harness {
namespace {

namespace po = boost::program_options;

constexpr std::string_view kWhere = "tracebench project";

double parse_fraction(std::string_view flag, const std::string& text, bool zero_allowed) {
  try {
    const double value = tracer::parse_sampling_ratio(text);
    if (value == 0 && !zero_allowed) throw flag_error(flag, "must be above 0, got \"" + text + "\"");
    return value;
  } catch (const flag_error&) {
    throw;
  } catch (const std::invalid_argument& e) {
    throw flag_error(flag, e.what());
  }
}

double parse_positive(std::string_view flag, const std::string& text) {
  double value = 0;
  if (!parse_finite(trim_blanks(text), value) || value <= 0) {
    throw flag_error(flag, "expected a number above 0, got \"" + text + "\"");
  }
  return value;
}

std::vector<double> parse_rates(const std::string& text) {
  std::vector<double> rates;
  for (const std::string& item : split_list("--sampling", text))
    rates.push_back(parse_fraction("--sampling", item, false));
  return rates;
}

// The measured bytes per span of a results file: its most sampled configuration's, where the
// exporter saw the most spans.
void take_measured(const std::string& path, projection_input& in) {
  const results_file results = read_results_file(path);
  const configuration_summary* best = nullptr;
  for (const configuration_summary& row : results.summary.rows) {
    if (row.bytes_per_span > 0 && (best == nullptr || row.spans.exported > best->spans.exported)) best = &row;
  }
  if (best == nullptr) throw results_file_error(path + ": no configuration exported a span to measure");
  in.measured_bytes_per_span = best->bytes_per_span;
  in.measured_zstd_bytes_per_span = best->zstd_bytes_per_span;
  if (!results.pipelines) return;
  for (const pipeline_row& row : results.pipelines->rows) {
    if (row.requests > 0 && row.configuration != "never") {
      in.measured_pipelines.push_back(
          {row.configuration + " (" + results.summary.scenario_name + ")", row.kept_fraction()});
    }
  }
}

int run_project(const command& self, std::span<const std::string> args, std::ostream& out, std::ostream& err) {
  po::options_description flags;
  flags.add_options()("services", po::value<std::string>()->default_value("20"), "services in the deployment")(
      "rps", po::value<std::string>()->default_value("10000"), "requests per second at the entry")(
      "spans-per-request", po::value<std::string>()->default_value("50"), "spans per request, all services")(
      "bytes-per-span", po::value<std::string>()->default_value("426"), "bytes a stored span takes (Dapper's: 426)")(
      "results", po::value<std::string>(), "a results file: adds our measured OTLP/JSON and zstd bytes per span")(
      "sampling", po::value<std::string>()->default_value("1/1,1/16,1/1024"), "head-sampling rates to project")(
      "errors", po::value<std::string>()->default_value("0.1%"), "share of traces with an error")(
      "slow", po::value<std::string>()->default_value("0.1%"), "share of traces over the latency policy's threshold")(
      "tail-baseline", po::value<std::string>()->default_value("10%"), "share of the other traces the tail keeps")(
      "two-tier-head", po::value<std::string>()->default_value("1/16"), "head rate before the tail, two-tier")(
      "format", po::value<std::string>()->default_value("text"), "text or markdown");
  const parsed_flags parsed = parse_flags(self, flags, {}, {}, args, out, err);
  if (parsed.exit_code) return *parsed.exit_code;
  const auto text = [&](const char* name) { return parsed.values[name].as<std::string>(); };

  projection_input in;
  try {
    in.services = static_cast<unsigned>(parse_count("--services", text("services"), 1, 1'000'000));
    in.requests_per_second = parse_positive("--rps", text("rps"));
    in.spans_per_request = parse_positive("--spans-per-request", text("spans-per-request"));
    in.bytes_per_span = parse_positive("--bytes-per-span", text("bytes-per-span"));
    in.head_rates = parse_rates(text("sampling"));
    in.error_fraction = parse_fraction("--errors", text("errors"), true);
    in.slow_fraction = parse_fraction("--slow", text("slow"), true);
    in.tail_baseline = parse_fraction("--tail-baseline", text("tail-baseline"), true);
    in.two_tier_head = parse_fraction("--two-tier-head", text("two-tier-head"), false);
  } catch (const flag_error& e) {
    return usage_error(kWhere, e.what(), err);
  }
  const std::string format = text("format");
  if (format != "text" && format != "markdown") {
    return usage_error(kWhere, "--format must be text or markdown, not '" + format + "'", err);
  }
  if (parsed.values.count("results") != 0) {
    try {
      take_measured(text("results"), in);
    } catch (const results_file_error& e) {
      err << kWhere << ": " << e.what() << '\n';
      return kExitUsage;
    }
  }

  const double spans = in.requests_per_second * in.spans_per_request;
  out << "Storage projection: " << format_thousands(in.requests_per_second) << " requests/s x "
      << format_count(in.spans_per_request) << " spans = " << format_thousands(spans) << " spans/s (" << in.services
      << " services, " << format_thousands(spans / in.services) << " spans/s each)\n"
      << "Bytes per span: " << format_count(in.bytes_per_span) << " stored";
  if (in.measured_bytes_per_span) {
    out << "; ours " << format_count(*in.measured_bytes_per_span) << " OTLP/JSON"
        << (in.measured_zstd_bytes_per_span ? ", " + format_count(*in.measured_zstd_bytes_per_span) + " zstd" : "")
        << " (" << text("results") << ")";
  }
  out << "\nTraces with errors " << format_count(in.error_fraction * 100) << "%, slow "
      << format_count(in.slow_fraction * 100)
      << "%; every tier reads the trace id's randomness, so a tail baseline above the head's rate keeps everything "
         "the head kept.\n\n";

  std::vector<std::vector<std::string>> table{
      {"pipeline", "kept", "spans/s", "spans/day", format_count(in.bytes_per_span) + " B/span/day"}};
  if (in.measured_bytes_per_span) table.front().emplace_back("ours OTLP/JSON/day");
  if (in.measured_zstd_bytes_per_span) table.front().emplace_back("ours zstd/day");
  for (const projection_row& r : project_storage(in)) {
    std::vector<std::string> cells{r.pipeline, format_count(r.kept_fraction * 100) + "%", format_si(r.spans_per_second),
                                   format_si(r.spans_per_day), format_bytes(r.bytes_per_day)};
    if (r.measured_bytes_per_day) cells.push_back(format_bytes(*r.measured_bytes_per_day));
    if (r.measured_zstd_bytes_per_day) cells.push_back(format_bytes(*r.measured_zstd_bytes_per_day));
    table.push_back(std::move(cells));
  }
  out << (format == "markdown" ? pipe_table(table) : aligned_table(table));
  return kExitOk;
}

}  // namespace

const command& project_command() {
  static const command kCommand{
      "project",
      "[options]",
      "span storage per day at a production scale, after each sampling pipeline",
      "Projects spans and bytes per day for a deployment (default: Dapper's 20 services at 10,000\n"
      "requests/s, 50 spans per request, 426 bytes a span: about 18 TB a day before sampling),\n"
      "after head sampling at each --sampling rate, after a tail pipeline that keeps every error\n"
      "and slow trace and a baseline of the rest, and after head then tail. With --results, our\n"
      "own measured OTLP/JSON and zstd bytes per span from a results file are projected beside.",
      "  tracebench project\n"
      "  tracebench project --services 20 --rps 10000 --spans-per-request 50 --bytes-per-span 426\n"
      "  tracebench project --results results/reference/web-search.json --sampling 1/1,1/16\n",
      run_project};
  return kCommand;
}

}  // namespace tracebench::harness
