#include "tracebench/results/run_comparison.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <stdexcept>

#include "tracebench/common/flag_values.hpp"
#include "tracebench/results/statistics.hpp"

namespace tracebench::harness {

namespace {

using json = nlohmann::ordered_json;

constexpr double kInterval = 0.95;
// Environment fields whose difference between the files is worth a mention.
constexpr std::array<std::pair<std::string_view, std::string_view>, 5> kEnvironmentFields{{{"cpu_model", "cpu"},
                                                                                           {"cores", "cores"},
                                                                                           {"compiler", "compiler"},
                                                                                           {"build_type", "build"},
                                                                                           {"git_commit", "commit"}}};
constexpr std::size_t kShortCommit = 12;

// One metric's values in one file: their logs for the statistics, the values for the medians.
struct sample {
  std::vector<double> values;  // overhead in percent, or the raw figure
  std::vector<double> logs;
};

// The raw figure of a run, when the phase it comes from was valid.
std::optional<double> raw_value(const run_record& run, comparison_metric metric) {
  switch (metric) {
    case comparison_metric::throughput:
      return run.throughput_valid ? std::optional(run.throughput) : std::nullopt;
    case comparison_metric::cpu:
      return run.throughput_valid ? std::optional(run.cpu_ns_per_request) : std::nullopt;
    case comparison_metric::latency_mean:
      return run.latency_valid ? std::optional(run.latency.mean) : std::nullopt;
    case comparison_metric::latency_p50:
      return run.latency_valid ? std::optional(static_cast<double>(run.latency.p50)) : std::nullopt;
    case comparison_metric::latency_p99:
      return run.latency_valid ? std::optional(static_cast<double>(run.latency.p99)) : std::nullopt;
  }
  return std::nullopt;
}

// Values at or below zero have no log (a ratio of 0 is a run that completed nothing): left out.
void add(sample& s, double value, double ratio) {
  if (std::isfinite(ratio) && ratio > 0.0) {
    s.values.push_back(value);
    s.logs.push_back(std::log(ratio));
  }
}

sample sample_of(const results_file& file, const std::string& configuration, comparison_metric metric,
                 comparison_basis basis) {
  sample s;
  if (basis == comparison_basis::overhead) {
    for (const configuration_summary& row : file.summary.rows) {
      if (row.configuration != configuration) continue;
      for (const double percent : delta_of(row, metric).per_round) add(s, percent, 1.0 + percent / 100.0);
    }
  } else {
    for (const run_record& run : file.runs) {
      if (run.configuration != configuration) continue;
      if (const auto value = raw_value(run, metric)) add(s, *value, *value);
    }
  }
  return s;
}

// Configurations a file has under the basis, in its own order.
std::vector<std::string> configurations_of(const results_file& file, comparison_basis basis) {
  std::vector<std::string> names;
  const auto note = [&](const std::string& name) {
    if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
  };
  for (const configuration_summary& row : file.summary.rows) {
    if (basis == comparison_basis::absolute || (!row.baseline && row.configuration != "off")) note(row.configuration);
  }
  if (basis == comparison_basis::absolute) {
    for (const run_record& run : file.runs) note(run.configuration);
  }
  return names;
}

bool contains(const std::vector<std::string>& names, const std::string& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

// Built by appending: GCC 12 warns (-Wrestrict) on "\"" + std::string.
std::string in_quotes(std::string_view text) {
  std::string out(1, '"');
  out.append(text).push_back('"');
  return out;
}

double percent_of_log(double log_ratio) { return std::expm1(log_ratio) * 100.0; }

// 41, 4.1, 0.0083: two significant figures, for warnings.
std::string rough(double value) {
  char buffer[32];
  const double magnitude = std::abs(value);
  std::snprintf(buffer, sizeof buffer, magnitude >= 10 ? "%.0f" : magnitude >= 1 ? "%.1f" : "%.2g", value);
  return buffer;
}

std::string rounds_text(std::size_t n1, std::size_t n2) {
  return n1 == n2 ? std::to_string(n1) + " rounds each" : std::to_string(n1) + " and " + std::to_string(n2) + " rounds";
}

const json* environment_field(const results_file& file, std::string_view key) {
  if (!file.document.is_object()) return nullptr;
  const auto env = file.document.find("environment");
  if (env == file.document.end() || !env->is_object()) return nullptr;
  const auto it = env->find(key);
  return it == env->end() ? nullptr : &*it;
}

std::string environment_text(const json* value, std::string_view key) {
  if (value == nullptr || value->is_null()) return "unknown";
  if (!value->is_string()) return value->dump();
  std::string text = value->get<std::string>();
  if (key == "git_commit" && text.size() > kShortCommit) {
    const bool dirty = text.ends_with("-dirty");
    text = text.substr(0, kShortCommit) + (dirty ? "-dirty" : "");
  }
  return text;
}

void describe_files(const results_file& base, const results_file& fresh, comparison& out) {
  for (const auto& [key, label] : kEnvironmentFields) {
    const json* a = environment_field(base, key);
    const json* b = environment_field(fresh, key);
    const std::string ta = environment_text(a, key);
    const std::string tb = environment_text(b, key);
    if (ta != tb) out.compared_across.push_back(std::string(label) + " " + ta + " -> " + tb);
  }
  if (out.base_scenario != out.new_scenario) {
    out.warnings.push_back("the scenarios differ (BASE \"" + out.base_scenario + "\", NEW \"" + out.new_scenario +
                           "\"): compared anyway");
  }
  for (const auto& [file, side] : {std::pair{&base, "BASE"}, std::pair{&fresh, "NEW"}}) {
    const bool complete = file->document.is_object() ? file->document.value("complete", true) : true;
    if (!complete || file->summary.interrupted) {
      out.warnings.push_back(std::string(side) + " " + file->origin + " is incomplete: the run was interrupted after " +
                             std::to_string(file->summary.runs_done) + " of " +
                             std::to_string(file->summary.runs_planned) + " runs");
    }
    const json* debug = environment_field(*file, "debug_build");
    if (file->summary.debug_build || (debug != nullptr && debug->is_boolean() && debug->get<bool>())) {
      out.warnings.push_back(std::string(side) + " " + file->origin +
                             " comes from a Debug build: its figures do not describe a deployment");
    }
  }
}

comparison_verdict decide(const metric_comparison& m, double alpha) {
  if (m.base_rounds == 0 || m.new_rounds == 0) return comparison_verdict::no_data;
  if (!(m.adjusted_p_value <= alpha) || m.change_percent == 0.0) return comparison_verdict::within_noise;
  const bool rise_is_bad = m.threshold ? m.threshold->rise_is_bad : !higher_is_better(m.metric);
  const bool bad_direction = rise_is_bad ? m.change_percent > 0.0 : m.change_percent < 0.0;
  if (!bad_direction) return comparison_verdict::improved;
  if (!m.threshold) return comparison_verdict::worse;
  const double limit = m.threshold->limit_percent;
  const bool beyond = rise_is_bad ? m.change_percent > limit : m.change_percent < -limit;
  return beyond ? comparison_verdict::regression : comparison_verdict::pass;
}

// A metric's samples from both files, kept beside its row until detectability is judged.
struct test_samples {
  metric_comparison* row = nullptr;
  const std::string* configuration = nullptr;
  sample base;
  sample fresh;
};

void adjust(std::vector<test_samples*>& family) {
  std::vector<double> p;
  for (const test_samples* t : family) p.push_back(t->row->p_value);
  const std::vector<double> adjusted = holm_adjust(p);
  for (std::size_t i = 0; i < family.size(); ++i) family[i]->row->adjusted_p_value = adjusted[i];
}

}  // namespace

std::string_view verdict_name(comparison_verdict verdict) noexcept {
  switch (verdict) {
    case comparison_verdict::regression:
      return "REGRESSION";
    case comparison_verdict::improved:
      return "improved";
    case comparison_verdict::worse:
      return "worse";
    case comparison_verdict::pass:
      return "pass";
    case comparison_verdict::within_noise:
      return "~ within noise";
    case comparison_verdict::no_data:
      return "no data";
  }
  return "?";
}

threshold_parts split_threshold(std::string_view text) {
  const std::string quoted = in_quotes(text);
  const std::size_t equals = text.find('=');
  if (equals == std::string_view::npos) {
    throw std::invalid_argument("expected METRIC=+N% or METRIC=-N%, not " + quoted);
  }
  threshold_parts t;
  t.metric = text.substr(0, equals);
  std::string_view limit = text.substr(equals + 1);
  if (limit.empty() || (limit.front() != '+' && limit.front() != '-')) {
    throw std::invalid_argument(quoted + ": the limit needs a sign, + to fail on a rise or - on a fall (+5%)");
  }
  t.rise_is_bad = limit.front() == '+';
  limit.remove_prefix(1);
  if (limit.empty() || limit.back() != '%') throw std::invalid_argument(quoted + ": the limit needs a %, as in +5%");
  limit.remove_suffix(1);
  const bool plain =
      !limit.empty() && (std::isdigit(static_cast<unsigned char>(limit.front())) != 0 || limit.front() == '.');
  if (!plain || !parse_finite(limit, t.limit_percent)) {
    throw std::invalid_argument(quoted + ": " + in_quotes(limit) + " is not a number");
  }
  if (!t.rise_is_bad && t.limit_percent >= 100.0) {
    throw std::invalid_argument(quoted + ": a fall is less than 100%");
  }
  return t;
}

comparison_threshold parse_threshold(std::string_view text) {
  const threshold_parts parts = split_threshold(text);
  const auto known = std::find_if(kComparisonMetrics.begin(), kComparisonMetrics.end(),
                                  [&](comparison_metric m) { return metric_name(m) == parts.metric; });
  if (known == kComparisonMetrics.end()) {
    throw std::invalid_argument("unknown metric " + in_quotes(parts.metric) + " in " + in_quotes(text) +
                                " (expected throughput, cpu, latency.mean, latency.p50 or latency.p99)");
  }
  return {*known, parts.rise_is_bad, parts.limit_percent};
}

std::vector<comparison_threshold> parse_thresholds(std::span<const std::string> texts) {
  std::vector<comparison_threshold> thresholds;
  for (const std::string& text : texts) {
    const comparison_threshold t = parse_threshold(text);
    for (const comparison_threshold& seen : thresholds) {
      if (seen.metric == t.metric) {
        throw std::invalid_argument(std::string(metric_name(t.metric)) + " has two thresholds (\"" + describe(seen) +
                                    "\" and \"" + text + "\")");
      }
    }
    thresholds.push_back(t);
  }
  return thresholds;
}

std::string describe(const comparison_threshold& threshold) {
  char limit[32];
  std::snprintf(limit, sizeof limit, "%g", threshold.limit_percent);
  return std::string(metric_name(threshold.metric)) + "=" + (threshold.rise_is_bad ? "+" : "-") + limit + "%";
}

std::vector<std::pair<std::string, const metric_comparison*>> comparison::regressions() const {
  std::vector<std::pair<std::string, const metric_comparison*>> found;
  for (const configuration_comparison& c : configurations) {
    for (const metric_comparison& m : c.metrics) {
      if (m.verdict == comparison_verdict::regression) found.emplace_back(c.configuration, &m);
    }
  }
  return found;
}

std::string detectability_warning(std::string_view configuration, const comparison_threshold& threshold,
                                  std::span<const double> base_logs, std::span<const double> new_logs,
                                  double alpha_needed) {
  const std::size_t n1 = base_logs.size();
  const std::size_t n2 = new_logs.size();
  if (n1 == 0 || n2 == 0) return {};
  const std::string where = std::string(configuration) + " " + std::string(metric_name(threshold.metric)) + ": ";
  // The fewest rounds each for which the extreme ordering is significant at all.
  std::size_t least = 1;
  while (mann_whitney_smallest_p_value(least, least) > alpha_needed) ++least;
  const double smallest_p = mann_whitney_smallest_p_value(n1, n2);
  if (smallest_p > alpha_needed) {
    return where + rounds_text(n1, n2) + " cannot show any change as significant (the smallest p-value is " +
           rough(smallest_p) + ", Holm needs " + rough(alpha_needed) + "); run at least " + std::to_string(least) +
           " rounds each";
  }
  const double detectable_log = minimum_detectable_shift(base_logs, new_logs, alpha_needed);
  const double detectable = threshold.rise_is_bad ? percent_of_log(detectable_log) : -percent_of_log(-detectable_log);
  if (detectable <= threshold.limit_percent) return {};
  std::string advice = "run more rounds";
  if (threshold.limit_percent > 0.0) {
    // detectable_log scales as sqrt(1/n1 + 1/n2), which is sqrt(2/n) for n rounds each.
    const double per_round = detectable_log / std::sqrt(1.0 / static_cast<double>(n1) + 1.0 / static_cast<double>(n2));
    const double limit_log = threshold.rise_is_bad ? std::log1p(threshold.limit_percent / 100.0)
                                                   : -std::log1p(-threshold.limit_percent / 100.0);
    const double needed = std::ceil(2.0 * std::pow(per_round / limit_log, 2.0));
    advice = "run about " + std::to_string(std::max(static_cast<std::size_t>(needed), least)) + " rounds each";
  }
  char limit[32];
  std::snprintf(limit, sizeof limit, "%g", threshold.limit_percent);
  return where + rounds_text(n1, n2) + " can detect changes of about " + rough(detectable) + "% or more, not " + limit +
         "%; " + advice;
}

comparison compare_results(const results_file& base, const results_file& fresh, const comparison_options& options) {
  comparison out;
  out.base_origin = base.origin;
  out.new_origin = fresh.origin;
  out.base_scenario = base.summary.scenario_name;
  out.new_scenario = fresh.summary.scenario_name;
  out.base_rounds = base.summary.rounds;
  out.new_rounds = fresh.summary.rounds;
  out.basis = options.basis;
  out.alpha = options.alpha;
  out.thresholds = options.thresholds;

  const std::vector<std::string> in_base = configurations_of(base, options.basis);
  const std::vector<std::string> in_new = configurations_of(fresh, options.basis);
  for (const std::string& wanted : options.configurations) {
    if (options.basis == comparison_basis::overhead && wanted == "off") {
      throw std::invalid_argument("--configs: off is what the overhead basis measures against; use --basis absolute");
    }
    if (!contains(in_base, wanted) && !contains(in_new, wanted)) {
      throw std::invalid_argument("--configs: no configuration \"" + wanted + "\" in either file");
    }
  }
  const auto selected = [&](const std::string& name) {
    return options.configurations.empty() || contains(options.configurations, name);
  };
  for (const std::string& name : in_base) {
    if (!selected(name)) continue;
    if (contains(in_new, name)) {
      out.configurations.push_back({name, {}});
    } else {
      out.only_in_base.push_back(name);
    }
  }
  for (const std::string& name : in_new) {
    if (selected(name) && !contains(in_base, name)) out.only_in_new.push_back(name);
  }
  describe_files(base, fresh, out);

  std::vector<test_samples> tests;
  tests.reserve(out.configurations.size() * kComparisonMetrics.size());
  for (configuration_comparison& c : out.configurations) {
    c.metrics.resize(kComparisonMetrics.size());
    for (std::size_t i = 0; i < kComparisonMetrics.size(); ++i) {
      metric_comparison& m = c.metrics[i];
      m.metric = kComparisonMetrics[i];
      for (const comparison_threshold& t : options.thresholds) {
        if (t.metric == m.metric) m.threshold = t;
      }
      test_samples t{&m, &c.configuration, sample_of(base, c.configuration, m.metric, options.basis),
                     sample_of(fresh, c.configuration, m.metric, options.basis)};
      m.base_rounds = t.base.logs.size();
      m.new_rounds = t.fresh.logs.size();
      if (m.base_rounds > 0 && m.new_rounds > 0) {
        m.base_median = median(t.base.values);
        m.new_median = median(t.fresh.values);
        const shift_estimate shift = hodges_lehmann_shift(t.fresh.logs, t.base.logs, kInterval);
        m.change_percent = percent_of_log(shift.estimate);
        m.low_percent = percent_of_log(shift.interval.low);
        m.high_percent = percent_of_log(shift.interval.high);
        m.interval_level = shift.interval.achieved_level;
        const mann_whitney_result test = mann_whitney_u(t.fresh.logs, t.base.logs);
        m.p_value = test.exact_p_value.value_or(test.p_value);
      } else if (m.threshold) {
        const std::string side = m.base_rounds == 0 && m.new_rounds == 0 ? "either file"
                                 : m.base_rounds == 0                    ? "BASE"
                                                                         : "NEW";
        out.warnings.push_back(c.configuration + " " + std::string(metric_name(m.metric)) + ": no valid round in " +
                               side + ", so " + describe(*m.threshold) + " could not be checked");
      }
      tests.push_back(std::move(t));
    }
  }

  std::vector<test_samples*> gated;
  std::vector<test_samples*> ungated;
  for (test_samples& t : tests) {
    if (t.row->base_rounds == 0 || t.row->new_rounds == 0) continue;
    (t.row->threshold ? gated : ungated).push_back(&t);
  }
  adjust(gated);
  adjust(ungated);
  out.gated_tests = gated.size();
  out.ungated_tests = ungated.size();
  for (test_samples& t : tests) t.row->verdict = decide(*t.row, options.alpha);
  // One line per distinct problem: with equal rounds everywhere, "cannot be significant" would
  // otherwise repeat for every configuration and threshold.
  std::vector<std::pair<std::string, std::string>> problems;  // what, and the tests it concerns
  for (test_samples* t : gated) {
    std::string& text = t->row->detectability;
    text = detectability_warning(*t->configuration, *t->row->threshold, t->base.logs, t->fresh.logs,
                                 options.alpha / static_cast<double>(gated.size()));
    if (text.empty()) continue;
    const std::string subject = *t->configuration + " " + std::string(metric_name(t->row->metric));
    const std::string what = text.substr(subject.size() + 2);
    const auto same = std::find_if(problems.begin(), problems.end(), [&](const auto& p) { return p.first == what; });
    if (same == problems.end()) {
      problems.emplace_back(what, subject);
    } else {
      same->second += ", " + subject;
    }
  }
  for (const auto& [what, subjects] : problems) out.warnings.push_back(subjects + ": " + what);
  return out;
}

}  // namespace tracebench::harness
