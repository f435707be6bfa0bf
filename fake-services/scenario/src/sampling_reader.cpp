// A scenario's "sampling" block: the tracing configurations a run compares by default, and the
// tail collector's settings.

#include "sampling_reader.hpp"

#include <algorithm>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "tracebench/services/tracing_config.hpp"

namespace tracebench::services::detail {
namespace {

constexpr std::string_view kSamplingKeys[] = {"configurations", "tail"};
constexpr std::string_view kTailKeys[] = {"decision_wait_us", "num_traces", "errors", "slow_us", "baseline"};
// A collector holding traces for longer than this, or more of them, is a typo rather than a
// setup a benchmark run could finish or a machine could hold.
constexpr std::int64_t kMaxDecisionWaitUs = 600'000'000;
constexpr std::int64_t kMaxTailTraces = 10'000'000;

// Each as --rates takes it. off and never are left out because every run measures them.
void read_configurations(json_checker& check, const json& v, const std::string& path, std::vector<std::string>& out) {
  if (!v.is_array()) {
    check.wrong_type(path, "an array of tracing configurations", v);
    return;
  }
  if (v.empty()) check.fail(path, "empty list");
  // Compared by canonical name, so "0.0625" repeats "1/16"; first_at[k] is where names[k] was written.
  std::vector<std::string> names;
  std::vector<std::size_t> first_at;
  for (std::size_t i = 0; i < v.size(); ++i) {
    const std::string at = element(path, i);
    const std::optional<std::string> text = check.text(v[i], at);
    if (!text) continue;
    // parse's message repeats the text as written; a control character in it would break the line.
    if (std::any_of(text->begin(), text->end(), [](char c) { return static_cast<unsigned char>(c) < 0x20; })) {
      std::string problem = "unknown tracing configuration ";
      problem += quote(*text);
      check.fail(at, problem);
      continue;
    }
    tracing_config config;
    try {
      config = tracing_config::parse(*text);
    } catch (const std::invalid_argument& e) {
      check.fail(at, e.what());
      continue;
    }
    const std::string name = config.name();
    if (config.tracing != tracing_config::mode::probability) {
      // "0" is never by another name: say so, as --rates does.
      std::string problem;
      if (name != *text) {
        problem = quote(*text);
        problem += " samples nothing; ";
      }
      problem += quote(name);
      problem += " always runs already";
      check.fail(at, problem);
      continue;
    }
    if (const auto seen = std::find(names.begin(), names.end(), name); seen != names.end()) {
      std::string problem = quote(*text);
      problem += " is listed twice: ";
      problem += element(path, first_at[static_cast<std::size_t>(seen - names.begin())]);
      problem += " is also ";
      problem += name;
      check.fail(at, problem);
      continue;
    }
    names.push_back(name);
    first_at.push_back(i);
    out.push_back(*text);
  }
}

void read_tail(json_checker& check, const json& v, const std::string& path, tail_collector_spec& out) {
  check.known_keys(v, path, kTailKeys);
  const auto at = [&](std::string_view key) { return child(path, key); };
  if (v.contains("decision_wait_us")) {
    out.decision_wait_us =
        check.integer(v["decision_wait_us"], at("decision_wait_us"), 1, kMaxDecisionWaitUs).value_or(1);
  }
  if (v.contains("num_traces")) {
    out.num_traces =
        static_cast<std::size_t>(check.integer(v["num_traces"], at("num_traces"), 1, kMaxTailTraces).value_or(1));
  }
  if (v.contains("errors")) out.keep_errors = check.boolean(v["errors"], at("errors")).value_or(true);
  // Capped like the decision wait: a trace is decided about that long after its first span, so
  // a longer threshold could hardly ever match.
  if (v.contains("slow_us")) out.slow_us = check.integer(v["slow_us"], at("slow_us"), 1, kMaxDecisionWaitUs);
  if (v.contains("baseline")) out.baseline = check.probability(v["baseline"], at("baseline")).value_or(0);
}

}  // namespace

void read_sampling(json_checker& check, const json& v, sampling_profile& out) {
  check.known_keys(v, "sampling", kSamplingKeys);
  check.required_key(v, "sampling", "configurations");
  if (v.contains("configurations")) {
    read_configurations(check, v["configurations"], "sampling.configurations", out.configurations);
  }
  if (const auto it = v.find("tail"); it != v.end() && check.is_object(*it, "sampling.tail")) {
    read_tail(check, *it, "sampling.tail", out.tail);
  }
}

}  // namespace tracebench::services::detail
