#pragma once
// A tracebench subcommand: its name and help text, and a run function over its own
// arguments. main() picks the command; the command parses its flags with parse_flags.

#include <boost/program_options.hpp>
#include <iosfwd>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace tracebench::harness {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 1;         // it ran, and what it checked did not hold
inline constexpr int kExitUsage = 2;          // bad flags or invalid input: nothing was run
inline constexpr int kExitInterrupted = 130;  // Ctrl-C: 128 + SIGINT, as shells report it

struct command {
  std::string_view name;
  std::string_view synopsis;     // after "tracebench <name> ", e.g. "[options] FILE..."
  std::string_view brief;        // one line for tracebench --help
  std::string_view description;  // the paragraph of <name> --help
  std::string_view examples;     // lines for <name> --help, each a full command
  int (*run)(const command& self, std::span<const std::string> args, std::ostream& out, std::ostream& err);
};

// Every subcommand, in the order tracebench --help lists them.
[[nodiscard]] std::span<const command* const> all_commands();

[[nodiscard]] const command& validate_command();
[[nodiscard]] const command& list_command();
[[nodiscard]] const command& analyze_command();
[[nodiscard]] const command& run_command();
[[nodiscard]] const command& serve_command();
[[nodiscard]] const command& load_command();
[[nodiscard]] const command& collect_command();
[[nodiscard]] const command& report_command();
[[nodiscard]] const command& compare_command();
[[nodiscard]] const command& project_command();
[[nodiscard]] const command& stats_command();

struct parsed_flags {
  boost::program_options::variables_map values;
  std::optional<int> exit_code;  // set when the command must stop: help shown, or a usage error
};

// Parses `args` against `flags` plus --help, and `hidden` (targets of positional
// arguments, left out of the help). A bad flag gives one line on `err`
// ("tracebench <name>: <problem> (try 'tracebench <name> --help')") and kExitUsage.
[[nodiscard]] parsed_flags parse_flags(const command& cmd, const boost::program_options::options_description& flags,
                                       const boost::program_options::options_description& hidden,
                                       const boost::program_options::positional_options_description& positional,
                                       std::span<const std::string> args, std::ostream& out, std::ostream& err);

// The one-line usage error every command reports the same way; returns kExitUsage.
int usage_error(std::string_view where, std::string_view problem, std::ostream& err);

}  // namespace tracebench::harness
