#pragma once
// Reading a results file back: every value with its JSON path at hand, so the one error a bad
// file gets names exactly where it is ("a.json: /runs/3/round: expected an unsigned integer").

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

#include "tracebench/results/experiment_summary.hpp"
#include "tracebench/results/results_document.hpp"
#include "tracebench/results/results_file.hpp"
#include "tracebench/results/statistics.hpp"

namespace tracebench::harness {

class field_reader {
  using json = nlohmann::ordered_json;

 public:
  explicit field_reader(std::string_view origin) : origin_(origin) {}

  [[noreturn]] void fail(const std::string& path, const std::string& problem) const {
    throw results_file_error(origin_ + ": " + (path.empty() ? "/" : path) + ": " + problem);
  }

  // A document of one kind: an object whose "schema" is `expected`; `kind` names it in the error.
  void check_schema(const json& document, std::string_view expected, std::string_view kind) const {
    if (!document.is_object()) fail("", "expected a JSON object (" + std::string(kind) + ")");
    const std::string schema = string(document, "schema", "");
    if (schema != expected) fail("/schema", "expected \"" + std::string(expected) + "\", got \"" + schema + "\"");
  }

  const json& at(const json& object, std::string_view key, const std::string& path) const {
    if (!object.is_object()) fail(path, "expected an object");
    const auto it = object.find(key);
    if (it == object.end()) fail(path, "missing \"" + std::string(key) + "\"");
    return *it;
  }

  const json& object(const json& parent, std::string_view key, const std::string& path) const {
    const json& value = at(parent, key, path);
    if (!value.is_object()) fail(path + "/" + std::string(key), "expected an object");
    return value;
  }

  const json& array(const json& parent, std::string_view key, const std::string& path) const {
    const json& value = at(parent, key, path);
    if (!value.is_array()) fail(path + "/" + std::string(key), "expected an array");
    return value;
  }

  double number(const json& parent, std::string_view key, const std::string& path) const {
    return number_value(at(parent, key, path), path + "/" + std::string(key));
  }

  double number_value(const json& value, const std::string& path) const {
    if (!value.is_number()) fail(path, "expected a number");
    const double d = value.get<double>();
    if (!std::isfinite(d)) fail(path, "expected a finite number");
    return d;
  }

  std::optional<double> optional_number(const json& parent, std::string_view key, const std::string& path) const {
    const auto it = parent.find(key);
    if (it == parent.end() || it->is_null()) return std::nullopt;
    return number_value(*it, path + "/" + std::string(key));
  }

  std::uint64_t count(const json& parent, std::string_view key, const std::string& path) const {
    return count_value(at(parent, key, path), path + "/" + std::string(key));
  }

  std::uint64_t count_value(const json& value, const std::string& path) const {
    if (!value.is_number_unsigned() && !(value.is_number_integer() && value.get<std::int64_t>() >= 0)) {
      fail(path, "expected an unsigned integer");
    }
    return value.get<std::uint64_t>();
  }

  std::int64_t integer(const json& parent, std::string_view key, const std::string& path) const {
    const json& value = at(parent, key, path);
    if (!value.is_number_integer()) fail(path + "/" + std::string(key), "expected an integer");
    return value.get<std::int64_t>();
  }

  unsigned small_count(const json& parent, std::string_view key, const std::string& path) const {
    const std::uint64_t value = count(parent, key, path);
    if (value > std::numeric_limits<unsigned>::max()) fail(path + "/" + std::string(key), "too large");
    return static_cast<unsigned>(value);
  }

  bool boolean(const json& parent, std::string_view key, const std::string& path) const {
    const json& value = at(parent, key, path);
    if (!value.is_boolean()) fail(path + "/" + std::string(key), "expected true or false");
    return value.get<bool>();
  }

  std::string string(const json& parent, std::string_view key, const std::string& path) const {
    const json& value = at(parent, key, path);
    if (!value.is_string()) fail(path + "/" + std::string(key), "expected a string");
    return value.get<std::string>();
  }

 private:
  std::string origin_;
};

inline std::string item(const std::string& path, std::string_view key, std::size_t index) {
  return path + "/" + std::string(key) + "/" + std::to_string(index);
}

// A delta_document() back, its per-round figures under `per_round_key`.
inline metric_delta read_delta(const field_reader& r, const nlohmann::ordered_json& row, std::string_view key,
                               const std::string& path, std::string_view per_round_key = kPerRoundPercent) {
  const nlohmann::ordered_json& d = r.object(row, key, path);
  const std::string p = path + "/" + std::string(key);
  metric_delta out;
  const nlohmann::ordered_json& rounds = r.array(d, per_round_key, p);
  for (std::size_t i = 0; i < rounds.size(); ++i)
    out.per_round.push_back(r.number_value(rounds[i], item(p, per_round_key, i)));
  if (d.contains("rounds")) {  // older files have none
    const nlohmann::ordered_json& numbers = r.array(d, "rounds", p);
    for (std::size_t i = 0; i < numbers.size(); ++i) {
      out.rounds.push_back(static_cast<unsigned>(r.count_value(numbers[i], item(p, "rounds", i))));
    }
  }
  const auto read_summary = [&](const nlohmann::ordered_json& s, const std::string& at) {
    return summary{r.number(s, "median", at), r.number(s, "low", at), r.number(s, "high", at),
                   r.number(s, "achieved_level", at), r.boolean(s, "within_noise", at)};
  };
  if (d.contains("against_aa")) out.against_aa = read_summary(r.object(d, "against_aa", p), p + "/against_aa");
  if (d.contains("geometric_mean")) {  // older files, and fewer rounds than kMeanIntervalRounds, have none
    const std::string gp = p + "/geometric_mean";
    const nlohmann::ordered_json& g = r.object(d, "geometric_mean", p);
    out.geometric_mean = mean_interval{r.number(g, "change_percent", gp), r.number(g, "low", gp),
                                       r.number(g, "high", gp), r.number(g, "level", gp)};
  }
  if (r.at(d, "median", p).is_null()) return out;
  out.stats = read_summary(d, p);
  return out;
}

// read_delta where older files lack the delta: an empty one then.
inline metric_delta read_optional_delta(const field_reader& r, const nlohmann::ordered_json& row, std::string_view key,
                                        const std::string& path, std::string_view per_round_key = kPerRoundPercent) {
  if (!row.contains(key)) return {};
  return read_delta(r, row, key, path, per_round_key);
}

}  // namespace tracebench::harness
