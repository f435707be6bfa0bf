// tracebench validate: loads scenario files, prints every error found, or what a valid
// scenario implies per request.

#include <cstdio>
#include <ostream>
#include <string>
#include <vector>

#include "scenario_directory.hpp"
#include "tracebench/cli/command.hpp"
#include "tracebench/common/text_format.hpp"
#include "tracebench/services/scenario_loader.hpp"
#include "tracebench/services/scenario_summary.hpp"

namespace tracebench::harness {

namespace {

namespace po = boost::program_options;
namespace ts = tracebench::services;

void print_summary(const ts::scenario& s, const ts::scenario_summary& sum, bool per_service, std::ostream& out) {
  const auto line = [&](std::string_view label, const std::string& value) {
    out << "  " << label << std::string(18 - label.size(), ' ') << value << '\n';
  };
  if (!s.description.empty()) line("description", s.description);
  line("services", std::to_string(sum.services) + " (entry " + s.entry + ")");
  line("depth", std::to_string(sum.depth));
  line("spans/request", format_count(sum.spans_per_request) + " in " + format_count(sum.traces_per_request) +
                            (sum.traces_per_request == 1 ? " trace" : " traces"));
  line("cpu/request", format_duration_us(sum.cpu_us_per_request) + " (mean busy work, summed over services)");
  line("wait/request", format_duration_us(sum.wait_us_per_request) + " (mean timer waits, summed over services)");
  std::string latency = format_duration_us(sum.critical_path_us) + " (critical path estimate";
  if (sum.critical_path_us > 0) {
    const ts::service_figures& top = sum.largest_latency_contributor();
    latency += "; " + top.name + " " + format_duration_us(top.critical_path_us) + " of it, " +
               format_percent(top.critical_path_us / sum.critical_path_us);
  }
  line("latency", latency + ")");
  line("default load", format_count(s.load.rate) + " req/s for " + format_count(s.load.duration_s) + " s");
  if (sum.projected_spans_per_second) {
    line("span volume", format_thousands(*sum.projected_spans_per_second) + " spans/s projected for " +
                            format_thousands(s.production->requests_per_second) + " req/s over " +
                            std::to_string(s.production->services) + " services");
  }
  if (per_service) {
    out << "  service              calls/req  spans/req        cpu       wait   on critical path\n";
    for (const ts::service_figures& f : sum.per_service) {
      char row[160];
      std::snprintf(row, sizeof row, "  %-20s %9s %10s %10s %10s %18s\n", f.name.c_str(),
                    format_count(f.invocations).c_str(), format_count(f.spans).c_str(),
                    format_duration_us(f.cpu_us).c_str(), format_duration_us(f.wait_us).c_str(),
                    format_duration_us(f.critical_path_us).c_str());
      out << row;
    }
  }
}

int run_validate(const command& self, std::span<const std::string> args, std::ostream& out, std::ostream& err) {
  po::options_description flags;
  flags.add_options()("per-service", "add a table of each service's share of the work");
  po::options_description hidden;
  hidden.add_options()("file", po::value<std::vector<std::string>>(), "scenario file or shipped scenario name");
  po::positional_options_description positional;
  positional.add("file", -1);
  const parsed_flags parsed = parse_flags(self, flags, hidden, positional, args, out, err);
  if (parsed.exit_code) return *parsed.exit_code;
  if (parsed.values.count("file") == 0) return usage_error("tracebench validate", "no scenario file given", err);

  int status = kExitOk;
  bool first = true;
  for (const std::string& arg : parsed.values["file"].as<std::vector<std::string>>()) {
    const std::string file = resolve_scenario(arg).string();
    const ts::load_result result = ts::load_scenario_file(file);
    if (!result.ok()) {
      for (const std::string& e : result.errors) err << (result.unreadable ? "tracebench: " : file + ": ") << e << '\n';
      status = kExitUsage;
      continue;
    }
    if (!first) out << '\n';
    first = false;
    out << file << ": ok, scenario " << result.value->name << '\n';
    print_summary(*result.value, ts::summarize(*result.value), parsed.values.count("per-service") != 0, out);
  }
  return status;
}

}  // namespace

const command& validate_command() {
  static const command kCommand{
      "validate",
      "[--per-service] FILE...",
      "check scenario files and print what each implies per request",
      "Checks scenario files and prints, for each valid one, what it implies per request; for an\n"
      "invalid one, every error as FILE: JSON.PATH: PROBLEM. Exits 2 if any file is invalid.\n"
      "A bare name such as `checkout` means that shipped scenario.",
      "  tracebench validate scenarios/checkout.json\n"
      "  tracebench validate --per-service web-search\n"
      "  tracebench validate my-graph.json other-graph.json\n",
      run_validate};
  return kCommand;
}

}  // namespace tracebench::harness
