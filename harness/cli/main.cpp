// The tracebench command line: global flags, then a subcommand that parses the rest.
// Usage errors are one line on stderr and exit 2, so scripts can tell them from failures.

#include <algorithm>
#include <boost/program_options.hpp>
#include <cstdio>
#include <exception>
#include <iostream>
#include <string>
#include <vector>

#include "tracebench/cli/command.hpp"

#ifndef TRACEBENCH_VERSION
#error "TRACEBENCH_VERSION must be the project version"
#endif

namespace {

namespace po = boost::program_options;
namespace th = tracebench::harness;

void print_help(const po::options_description& flags) {
  std::cout << "tracebench " TRACEBENCH_VERSION
               ": measures what distributed tracing costs on simulated call graphs.\n\n"
               "usage: tracebench [--help | --version] <command> [options] [args]\n\ncommands:\n";
  for (const th::command* cmd : th::all_commands()) {
    std::string name(cmd->name);
    name.resize(std::max<std::size_t>(name.size(), 12), ' ');
    std::cout << "  " << name << cmd->brief << '\n';
  }
  std::cout << '\n'
            << flags << "\nexamples:\n"
            << "  tracebench list\n"
               "  tracebench validate scenarios/checkout.json\n"
               "  tracebench validate checkout web-search   (shipped scenarios by name)\n"
               "  tracebench analyze spans.otlp.jsonl\n"
               "  tracebench run --rates 1/1,1/16 --rounds 3 checkout\n"
               "  tracebench serve --service api --listen 127.0.0.1:8080 checkout\n"
               "  tracebench load --rate 1000 --duration 10 http://127.0.0.1:8080/call/api\n"
               "  tracebench validate --help\n\n"
               "'tracebench <command> --help' describes a command and its options.\n"
               "Exit status: 0 success, 1 a check that did not hold, 2 bad usage or invalid input.\n";
}

int dispatch(const std::vector<std::string>& args) {
  // Global flags come before the command; everything after it belongs to the command.
  const auto command_at =
      std::find_if(args.begin(), args.end(), [](const std::string& a) { return a.empty() || a[0] != '-'; });
  po::options_description flags("options");
  flags.add_options()("help,h", "show this help")("version", "print the version");
  po::variables_map values;
  try {
    const std::vector<std::string> global(args.begin(), command_at);
    po::store(po::command_line_parser(global).options(flags).run(), values);
  } catch (const po::error& e) {
    return th::usage_error("tracebench", e.what(), std::cerr);
  }
  if (values.count("help") != 0) {
    print_help(flags);
    return th::kExitOk;
  }
  if (values.count("version") != 0) {
    std::cout << "tracebench " TRACEBENCH_VERSION "\n";
    return th::kExitOk;
  }
  if (command_at == args.end()) return th::usage_error("tracebench", "no command given", std::cerr);
  for (const th::command* cmd : th::all_commands()) {
    if (cmd->name == *command_at) {
      const std::vector<std::string> rest(command_at + 1, args.end());
      return cmd->run(*cmd, rest, std::cout, std::cerr);
    }
  }
  return th::usage_error("tracebench", "unknown command '" + *command_at + "'", std::cerr);
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return dispatch(std::vector<std::string>(argv + 1, argv + argc));
  } catch (const std::exception& e) {
    std::cerr << "tracebench: internal error: " << e.what() << '\n';
    return th::kExitFailed;
  }
}
