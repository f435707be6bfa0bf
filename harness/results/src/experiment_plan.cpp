#include "tracebench/results/experiment_plan.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <set>
#include <stdexcept>
#include <system_error>
#include <thread>

#include "tracebench/common/flag_values.hpp"
#include "tracebench/services/tracing_config.hpp"

namespace tracebench::harness {
namespace {

[[noreturn]] void reject(std::string_view text, std::string_view why) {
  throw std::invalid_argument("load \"" + std::string(text) + "\": " + std::string(why));
}

}  // namespace

offered_load offered_load::parse(std::string_view text) {
  const std::string_view body = trim_blanks(text);
  double number = 0;
  if (body.ends_with("/s")) {
    if (!parse_finite(trim_blanks(body.substr(0, body.size() - 2)), number))
      reject(text, "expected a rate such as 2000/s");
    if (number <= 0) reject(text, "the rate must be above 0");
    return {kind::rate, number};
  }
  if (body.ends_with('%')) {
    if (!parse_finite(trim_blanks(body.substr(0, body.size() - 1)), number))
      reject(text, "expected a percentage such as 50%");
    number /= 100;
  } else if (!parse_finite(body, number)) {
    reject(text, "expected a fraction of capacity (0.5 or 50%) or a rate (2000/s)");
  }
  // Above capacity the open loop only measures an ever-growing queue, which is not overhead.
  if (number <= 0 || number > 1) reject(text, "a fraction of capacity must be in (0, 1]; write N/s for a rate");
  return {kind::fraction, number};
}

double offered_load::rate_for(double off_capacity) const noexcept {
  return type == kind::rate ? value : value * off_capacity;
}

std::string offered_load::describe() const {
  char buffer[64];
  if (type == kind::rate) {
    const auto [ptr, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
    return std::string(buffer, ptr) + "/s";
  }
  const auto [ptr, ec] = std::to_chars(buffer, buffer + sizeof buffer, value * 100);
  return std::string(buffer, ptr) + "% of off capacity";
}

std::vector<std::string> default_configurations() { return {"off", "never", "1/1", "1/2", "1/4", "1/16", "1/1024"}; }

std::string_view isolation_name(isolation_kind kind) noexcept {
  return kind == isolation_kind::process ? "process" : "none";
}

std::string_view transport_name(transport_kind kind) noexcept {
  switch (kind) {
    case transport_kind::inproc:
      return "inproc";
    case transport_kind::loopback:
      return "loopback";
    case transport_kind::remote:
      return "remote";
  }
  return "inproc";
}

unsigned default_graph_threads() noexcept {
  const unsigned cores = std::thread::hardware_concurrency();
  return cores > 1 ? cores - 1 : 1;
}

unsigned graph_threads_for(const experiment_plan& plan) noexcept {
  return plan.graph_threads > 0 ? plan.graph_threads : default_graph_threads();
}

void validate(const experiment_plan& plan) {
  if (plan.rounds == 0) throw std::invalid_argument("experiment: rounds must be at least 1");
  if (plan.phase_duration.count() <= 0) throw std::invalid_argument("experiment: phase duration must be above 0");
  if (plan.warmup.count() < 0) throw std::invalid_argument("experiment: warm-up must not be negative");
  if (plan.lag_bound.count() <= 0) throw std::invalid_argument("experiment: lag bound must be above 0");
  if (!(plan.work_scale > 0) || !std::isfinite(plan.work_scale)) {
    throw std::invalid_argument("experiment: work scale must be a finite number above 0");
  }
  if (plan.load.value <= 0 || (plan.load.type == offered_load::kind::fraction && plan.load.value > 1)) {
    throw std::invalid_argument("experiment: load must be a fraction in (0, 1] or a rate above 0");
  }
  if (plan.pipeline && plan.transport == transport_kind::remote) {
    throw std::invalid_argument(
        "experiment: pipelines are compared in-process; a running graph's collector is its own");
  }
  std::set<std::string> seen;
  for (const std::string& name : plan.configurations) {
    bool tail = false;
    try {
      tail = services::tracing_config::parse(name).tail;
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument("experiment: configuration \"" + name + "\": " + e.what());
    }
    if (tail && !plan.pipeline) {
      throw std::invalid_argument("experiment: configuration \"" + name + "\" needs a tail collector (--pipeline)");
    }
    if (!seen.insert(name).second)
      throw std::invalid_argument("experiment: configuration \"" + name + "\" listed twice");
  }
  if (!seen.contains("off"))
    throw std::invalid_argument("experiment: the configurations must include \"off\", the baseline");
  for (std::size_t i = 0; i < plan.precision.size(); ++i) {
    const precision_target& t = plan.precision[i];
    if (!(t.half_width_percent > 0)) {
      throw std::invalid_argument("experiment: precision target " + describe(t) + " must be above 0");
    }
    for (std::size_t j = 0; j < i; ++j) {
      if (plan.precision[j].metric == t.metric) {
        throw std::invalid_argument("experiment: " + std::string(metric_name(t.metric)) + " has two precision targets");
      }
    }
  }
  if (plan.max_time && plan.max_time->count() <= 0) {
    throw std::invalid_argument("experiment: the time budget must be above 0");
  }
}

void add_noise_floor(experiment_plan& plan) {
  std::vector<std::string>& names = plan.configurations;
  if (std::find(names.begin(), names.end(), services::kOffAgain) != names.end()) return;
  const auto off = std::find(names.begin(), names.end(), "off");
  names.insert(off == names.end() ? names.begin() : off + 1, std::string(services::kOffAgain));
}

std::vector<std::vector<std::size_t>> round_orders(std::size_t configs, unsigned rounds) {
  std::vector<std::vector<std::size_t>> orders(rounds);
  if (configs == 0) return orders;
  for (unsigned r = 0; r < rounds; ++r) {
    orders[r].reserve(configs);
    for (std::size_t k = 0; k < configs; ++k) orders[r].push_back((r + k) % configs);
  }
  return orders;
}

}  // namespace tracebench::harness
