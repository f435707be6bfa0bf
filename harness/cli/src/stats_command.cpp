// tracebench stats: the median of numbers measured elsewhere (a script's rounds of `tracebench
// load`, of wrk), computed as every other tracebench figure is, so scripts only collect and print.

#include <algorithm>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <span>
#include <sstream>
#include <string>
#include <vector>

#include "tracebench/cli/command.hpp"
#include "tracebench/common/flag_values.hpp"
#include "tracebench/results/statistics.hpp"

namespace tracebench::harness {

namespace {

namespace po = boost::program_options;

constexpr std::string_view kWhere = "tracebench stats";
constexpr std::string_view kStandardInput = "-";

// The numbers of one input, separated by blanks and newlines. Throws std::invalid_argument
// naming the input and line of the first token that is not a finite number.
void read_numbers(std::istream& in, const std::string& name, std::vector<double>& values) {
  std::string line;
  for (std::size_t number = 1; std::getline(in, line); ++number) {
    std::istringstream tokens(line);
    std::string token;
    while (tokens >> token) {
      double value = 0;
      if (!parse_finite(token, value)) {
        throw std::invalid_argument(name + ":" + std::to_string(number) + ": \"" + token + "\" is not a number");
      }
      values.push_back(value);
    }
  }
  if (in.bad()) throw std::invalid_argument(name + ": cannot read it");
}

std::vector<double> read_inputs(const std::vector<std::string>& inputs) {
  std::vector<double> values;
  for (const std::string& input : inputs) {
    if (input == kStandardInput) {
      read_numbers(std::cin, "standard input", values);
      continue;
    }
    std::ifstream file(input);
    if (!file) throw std::invalid_argument(input + ": cannot open the file");
    read_numbers(file, input, values);
  }
  return values;
}

nlohmann::ordered_json summary_document(std::span<const double> values) {
  const confidence_interval ci = median_ci(values);
  const auto [lowest, highest] = std::minmax_element(values.begin(), values.end());
  return {{"count", values.size()},
          {"median", median(values)},
          {"low", ci.low},
          {"high", ci.high},
          {"achieved_level", ci.achieved_level},
          {"min", *lowest},
          {"max", *highest}};
}

int run_stats(const command& self, std::span<const std::string> args, std::ostream& out, std::ostream& err) {
  po::options_description flags;
  flags.add_options()("format", po::value<std::string>()->default_value("text"),
                      "text: the median alone; json: count, median, its 95% interval (low, high, achieved_level), "
                      "min and max");
  po::options_description hidden;
  hidden.add_options()("inputs", po::value<std::vector<std::string>>(), "FILE...");
  po::positional_options_description positional;
  positional.add("inputs", -1);
  const parsed_flags parsed = parse_flags(self, flags, hidden, positional, args, out, err);
  if (parsed.exit_code) return *parsed.exit_code;

  const std::string format = parsed.values["format"].as<std::string>();
  if (format != "text" && format != "json") {
    return usage_error(kWhere, "--format: expected text or json, not \"" + format + "\"", err);
  }
  const std::vector<std::string> inputs = parsed.values.count("inputs") != 0
                                              ? parsed.values["inputs"].as<std::vector<std::string>>()
                                              : std::vector<std::string>{std::string(kStandardInput)};
  std::vector<double> values;
  try {
    values = read_inputs(inputs);
  } catch (const std::invalid_argument& e) {
    err << kWhere << ": " << e.what() << '\n';
    return kExitUsage;
  }
  if (values.empty()) {
    const bool from_stdin = inputs.size() == 1 && inputs[0] == kStandardInput;
    err << kWhere << ": no numbers in " << (from_stdin ? "standard input" : "the input files") << '\n';
    return kExitUsage;
  }
  const nlohmann::ordered_json summary = summary_document(values);
  if (format == "json") {
    out << summary.dump() << '\n';
  } else {
    out << summary["median"].dump() << '\n';  // JSON's shortest round-trip form, as the json format has it
  }
  return kExitOk;
}

}  // namespace

const command& stats_command() {
  static const command kCommand{
      "stats",
      "[options] [FILE...]",
      "the median of numbers read from files or standard input, for scripts",
      "Reads numbers separated by blanks or newlines from each FILE (- or none: standard input)\n"
      "and prints their median: the middle value, or the mean of the two middle values. With\n"
      "--format json, also their count, min and max, and the median's distribution-free 95%\n"
      "interval ([min, max] with its lower coverage when the values are too few). For figures\n"
      "measured across several commands, such as a script's rounds, so that the script does not\n"
      "compute statistics itself. Exits 2 on a token that is not a number (named with its file and\n"
      "line) or no numbers at all.",
      "  printf '3\\n1\\n2\\n' | tracebench stats\n"
      "  tracebench stats --format json rounds.txt\n",
      run_stats};
  return kCommand;
}

}  // namespace tracebench::harness
