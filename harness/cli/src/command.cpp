#include "tracebench/cli/command.hpp"

#include <ostream>
#include <vector>

namespace tracebench::harness {

namespace po = boost::program_options;

std::span<const command* const> all_commands() {
  static const command* const kCommands[] = {&validate_command(), &list_command(),    &analyze_command(),
                                             &run_command(),      &collect_command(), &serve_command(),
                                             &load_command(),     &report_command(),  &compare_command(),
                                             &project_command(),  &stats_command()};
  return kCommands;
}

int usage_error(std::string_view where, std::string_view problem, std::ostream& err) {
  err << where << ": " << problem << " (try '" << where << " --help')\n";
  return kExitUsage;
}

parsed_flags parse_flags(const command& cmd, const po::options_description& flags,
                         const po::options_description& hidden, const po::positional_options_description& positional,
                         std::span<const std::string> args, std::ostream& out, std::ostream& err) {
  const std::string where = "tracebench " + std::string(cmd.name);
  po::options_description all("options");
  for (const auto& option : flags.options()) all.add(option);
  all.add_options()("help,h", "show this help");
  po::options_description accepted;
  accepted.add(all).add(hidden);
  parsed_flags result;
  try {
    const std::vector<std::string> argv(args.begin(), args.end());
    po::store(po::command_line_parser(argv).options(accepted).positional(positional).run(), result.values);
    if (result.values.count("help") != 0) {
      out << "usage: " << where << ' ' << cmd.synopsis << "\n\n" << cmd.description << "\n\n" << all;
      if (!cmd.examples.empty()) out << "\nexamples:\n" << cmd.examples;
      result.exit_code = kExitOk;
      return result;
    }
    po::notify(result.values);
  } catch (const po::error& e) {
    result.exit_code = usage_error(where, e.what(), err);
  }
  return result;
}

}  // namespace tracebench::harness
