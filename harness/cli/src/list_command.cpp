// tracebench list: the shipped scenarios, one line each, from the scenario directory.

#include <cstdio>
#include <ostream>
#include <string>
#include <system_error>

#include "scenario_directory.hpp"
#include "tracebench/cli/command.hpp"
#include "tracebench/common/text_format.hpp"
#include "tracebench/services/scenario_loader.hpp"
#include "tracebench/services/scenario_summary.hpp"

namespace tracebench::harness {

namespace {

namespace po = boost::program_options;
namespace ts = tracebench::services;

int run_list(const command& self, std::span<const std::string> args, std::ostream& out, std::ostream& err) {
  const po::options_description flags;
  const po::options_description hidden;
  const po::positional_options_description positional;
  const parsed_flags parsed = parse_flags(self, flags, hidden, positional, args, out, err);
  if (parsed.exit_code) return *parsed.exit_code;

  const std::filesystem::path dir = scenario_directory();
  std::error_code ec;
  const std::vector<std::filesystem::path> files = scenario_files(dir, ec);
  if (ec) {
    err << "tracebench list: cannot read scenario directory " << dir.string() << ": " << ec.message() << '\n';
    return kExitUsage;
  }
  if (files.empty()) {
    err << "tracebench list: no scenarios (*.json) in " << dir.string() << '\n';
    return kExitUsage;
  }

  int status = kExitOk;
  char row[256];
  std::snprintf(row, sizeof row, "%-20s %8s %5s %9s  %s\n", "scenario", "services", "depth", "spans/req",
                "description");
  out << row;
  for (const std::filesystem::path& file : files) {
    const ts::load_result result = ts::load_scenario_file(file);
    const std::string name = file.stem().string();
    if (!result.ok()) {
      std::snprintf(row, sizeof row, "%-20s %8s %5s %9s  invalid: run tracebench validate %s\n", name.c_str(), "-", "-",
                    "-", file.string().c_str());
      out << row;
      status = kExitUsage;
      continue;
    }
    const ts::scenario_summary sum = ts::summarize(*result.value);
    std::snprintf(row, sizeof row, "%-20s %8zu %5zu %9s  ", name.c_str(), sum.services, sum.depth,
                  format_count(sum.spans_per_request).c_str());
    out << row << result.value->description << '\n';
  }
  out << "(from " << dir.string() << "; set TRACEBENCH_SCENARIOS to list another directory)\n";
  return status;
}

}  // namespace

const command& list_command() {
  static const command kCommand{"list",
                                "",
                                "list the shipped scenarios",
                                "Lists the shipped scenarios: services, call depth, expected spans per request.",
                                "  tracebench list\n  TRACEBENCH_SCENARIOS=./my-scenarios tracebench list\n",
                                run_list};
  return kCommand;
}

}  // namespace tracebench::harness
