#include "pipeline_flags.hpp"

#include <algorithm>
#include <cmath>
#include <optional>

#include "optional_flag.hpp"
#include "tracebench/common/flag_values.hpp"
#include "tracebench/services/scenario_summary.hpp"
#include "tracebench/services/tracing_config.hpp"

namespace tracebench::harness {

namespace po = boost::program_options;

// More collectors than a 2-core machine could run is a typo.
constexpr std::uint64_t kMaxCollectors = 64;

void apply_pipelines(experiment_plan& plan, const po::variables_map& values, const services::scenario& s) {
  const std::optional<std::string> pipelines = optional_flag(values, "pipeline");
  if (pipelines) {
    // The head ratios: --rates, else the scenario's plain ones, else the two Dapper's deployment used.
    std::vector<std::string> rates;
    if (values.count("rates") != 0) {
      for (const std::string& c : plan.configurations) {
        if (c != "off" && c != "never") rates.push_back(c);
      }
    } else if (s.sampling) {
      for (const std::string& c : s.sampling->configurations) {
        if (!services::tracing_config::parse(c).tail) rates.push_back(c);
      }
    }
    if (rates.empty() && values.count("rates") == 0) rates = {"1/16", "1/1024"};
    std::vector<std::string> configurations{"off", "never"};
    std::vector<std::string> seen;
    for (const std::string& kind : split_list("--pipeline", *pipelines)) {
      if (std::find(seen.begin(), seen.end(), kind) != seen.end()) {
        throw flag_error("--pipeline", "\"" + kind + "\" is listed twice");
      }
      seen.emplace_back(kind);
      if (kind == "head") {
        configurations.insert(configurations.end(), rates.begin(), rates.end());
      } else if (kind == "tail") {
        configurations.emplace_back("tail");
      } else if (kind == "two-tier") {
        for (const std::string& r : rates) configurations.push_back(r + "+tail");
      } else {
        throw flag_error("--pipeline", "expected head, tail or two-tier (comma-separated), not \"" + kind + "\"");
      }
    }
    for (const std::string& c : rates) {
      if (services::tracing_config::parse(c).tail) {
        throw flag_error("--pipeline", "--rates takes plain ratios with --pipeline, not \"" + c + "\"");
      }
    }
    plan.configurations = std::move(configurations);
  } else if (values.count("rates") == 0 && s.sampling) {
    plan.configurations = {"off", "never"};
    plan.configurations.insert(plan.configurations.end(), s.sampling->configurations.begin(),
                               s.sampling->configurations.end());
  }
  if (!pipelines && !has_tail(plan)) {
    for (const char* flag : {"decision-wait", "slow", "baseline", "num-traces", "collectors"}) {
      if (values.count(flag) != 0) {
        throw flag_error(std::string("--") + flag,
                         "sets the tail collector, which needs a tail pipeline (--pipeline tail)");
      }
    }
    return;
  }
  const services::tail_collector_spec spec = s.sampling ? s.sampling->tail : services::tail_collector_spec{};
  collector::tail_collector_settings settings;
  settings.decision_wait = std::chrono::microseconds(spec.decision_wait_us);
  settings.num_traces = spec.num_traces;
  settings.keep_errors = spec.keep_errors;
  // Without a threshold, ten times the mean latency the scenario implies: an outlier, not a tail.
  settings.slow = spec.slow_us
                      ? std::chrono::nanoseconds(std::chrono::microseconds(*spec.slow_us))
                      : std::chrono::nanoseconds(std::llround(services::summarize(s).critical_path_us * 10'000));
  settings.baseline = spec.baseline;
  if (const auto v = optional_flag(values, "decision-wait")) {
    settings.decision_wait = parse_duration("--decision-wait", *v, false);
  }
  if (const auto v = optional_flag(values, "slow")) settings.slow = parse_duration("--slow", *v, false);
  if (const auto v = optional_flag(values, "num-traces")) {
    settings.num_traces = parse_count("--num-traces", *v, 1, 10'000'000);
  }
  if (const auto v = optional_flag(values, "baseline")) {
    double p = 0;
    if (!parse_finite(*v, p) || p < 0 || p > 1) {
      throw flag_error("--baseline", "expected a probability in [0, 1], not \"" + *v + "\"");
    }
    settings.baseline = p;
  }
  if (const auto v = optional_flag(values, "collectors")) {
    // N, or N:M to grow from N to M collectors halfway through each run's latency phase.
    const std::size_t colon = v->find(':');
    settings.collectors = static_cast<unsigned>(parse_count("--collectors", v->substr(0, colon), 1, kMaxCollectors));
    if (colon != std::string::npos) {
      const auto to = static_cast<unsigned>(parse_count("--collectors", v->substr(colon + 1), 1, kMaxCollectors));
      if (to <= settings.collectors) {
        throw flag_error("--collectors", "N:M grows the tier, so M must be more than N, not \"" + *v + "\"");
      }
      settings.reshard_to = to;
    }
  }
  plan.pipeline = settings;
}

bool has_tail(const experiment_plan& plan) {
  return std::any_of(plan.configurations.begin(), plan.configurations.end(),
                     [](const std::string& c) { return services::tracing_config::parse(c).tail; });
}

}  // namespace tracebench::harness
