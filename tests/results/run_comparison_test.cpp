// run_comparison on synthetic results files built in memory: a planted regression fails its
// threshold, A/A comparisons (identical, and noisy with many tests) pass, too few rounds earn the
// detectability warning and cannot fail, improvements never fail, thresholds parse strictly,
// Holm adjusts the gated family, and the absolute basis takes raw runs, off included.

#include "tracebench/results/run_comparison.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "tracebench/report/comparison_report.hpp"
#include "tracebench/results/statistics.hpp"

namespace tracebench::harness {
namespace {

// Uniform in [center - spread, center + spread], from the raw engine so that every standard
// library draws the same values.
std::vector<double> draws(std::mt19937_64& rng, std::size_t n, double center, double spread) {
  std::vector<double> values;
  for (std::size_t i = 0; i < n; ++i) {
    const double u = static_cast<double>(rng() >> 11) * 0x1.0p-53;
    values.push_back(center + spread * (2.0 * u - 1.0));
  }
  return values;
}

metric_delta& delta(configuration_summary& row, comparison_metric metric) {
  switch (metric) {
    case comparison_metric::throughput:
      return row.throughput;
    case comparison_metric::cpu:
      return row.cpu_per_request;
    case comparison_metric::latency_mean:
      return row.mean_latency;
    case comparison_metric::latency_p50:
      return row.p50_latency;
    case comparison_metric::latency_p99:
      return row.p99_latency;
  }
  return row.throughput;
}

// A results file with an off row and per-round overheads set metric by metric.
struct synthetic_file {
  results_file file;

  synthetic_file(const std::string& origin, unsigned rounds) {
    file.origin = origin;
    file.summary.scenario_name = "checkout";
    file.summary.rounds = rounds;
    configuration_summary off;
    off.configuration = "off";
    off.baseline = true;
    file.summary.rows.push_back(off);
  }

  configuration_summary& row(const std::string& name) {
    for (configuration_summary& r : file.summary.rows) {
      if (r.configuration == name) return r;
    }
    configuration_summary added;
    added.configuration = name;
    file.summary.rows.push_back(added);
    return file.summary.rows.back();
  }

  synthetic_file& set(const std::string& name, comparison_metric metric, std::vector<double> percent) {
    delta(row(name), metric).per_round = std::move(percent);
    return *this;
  }
};

comparison_options gated(std::vector<std::string> thresholds) {
  comparison_options options;
  options.thresholds = parse_thresholds(thresholds);
  return options;
}

const metric_comparison& find(const comparison& c, const std::string& configuration, comparison_metric metric) {
  for (const configuration_comparison& config : c.configurations) {
    if (config.configuration != configuration) continue;
    for (const metric_comparison& m : config.metrics) {
      if (m.metric == metric) return m;
    }
  }
  throw std::logic_error("no " + configuration + " in the comparison");
}

TEST(RunComparison, PlantedRegressionFailsItsThreshold) {
  std::mt19937_64 rng(7);
  synthetic_file base("base.json", 10);
  synthetic_file fresh("new.json", 10);
  base.set("1/1", comparison_metric::latency_p99, draws(rng, 10, 20.0, 2.0));
  fresh.set("1/1", comparison_metric::latency_p99, draws(rng, 10, 40.0, 2.0));
  const comparison c = compare_results(base.file, fresh.file, gated({"latency.p99=+5%"}));

  const metric_comparison& m = find(c, "1/1", comparison_metric::latency_p99);
  const double planted = (1.40 / 1.20 - 1.0) * 100.0;  // +16.7%
  EXPECT_NEAR(m.change_percent, planted, 1.5);
  EXPECT_LE(m.low_percent, planted);
  EXPECT_GE(m.high_percent, planted);
  EXPECT_GT(m.low_percent, 5.0);
  EXPECT_GE(m.interval_level, 0.95);
  EXPECT_NEAR(m.p_value, 2.0 / 184'756.0, 1e-12);  // perfectly separated: 2 / C(20, 10)
  EXPECT_EQ(m.adjusted_p_value, m.p_value);        // the only gated test
  EXPECT_EQ(m.verdict, comparison_verdict::regression);
  EXPECT_TRUE(m.detectability.empty());
  EXPECT_EQ(c.gated_tests, 1U);
  ASSERT_EQ(c.regressions().size(), 1U);
  EXPECT_FALSE(c.passed());
  const std::string line = comparison_verdict_line(c);
  EXPECT_TRUE(line.starts_with("FAIL: 1 regression: 1/1 latency.p99 +1")) << line;
  EXPECT_NE(line.find("(threshold +5%)"), std::string::npos) << line;
  // Off is the baseline of the overhead basis, not a configuration of its own.
  EXPECT_EQ(c.configurations.size(), 1U);
}

TEST(RunComparison, IdenticalFilesPass) {
  std::mt19937_64 rng(11);
  synthetic_file base("a.json", 10);
  for (const std::string name : {"never", "1/1", "1/16"}) {
    for (const comparison_metric metric : kComparisonMetrics) base.set(name, metric, draws(rng, 10, 15.0, 3.0));
  }
  const comparison c = compare_results(base.file, base.file, gated({"latency.p99=+5%", "throughput=-2%"}));
  ASSERT_EQ(c.configurations.size(), 3U);
  EXPECT_EQ(c.gated_tests, 6U);
  EXPECT_EQ(c.ungated_tests, 9U);
  for (const configuration_comparison& config : c.configurations) {
    for (const metric_comparison& m : config.metrics) {
      EXPECT_EQ(m.change_percent, 0.0);
      EXPECT_DOUBLE_EQ(m.p_value, 1.0);
      EXPECT_EQ(m.verdict, comparison_verdict::within_noise) << config.configuration << ' ' << metric_name(m.metric);
    }
  }
  EXPECT_TRUE(c.passed());
  EXPECT_EQ(comparison_verdict_line(c), "PASS: no significant regression beyond the thresholds");
  EXPECT_TRUE(c.compared_across.empty());
}

TEST(RunComparison, SameDistributionDifferentDrawsPasses) {
  std::mt19937_64 rng(12);
  synthetic_file base("a.json", 12);
  synthetic_file fresh("b.json", 12);
  for (const std::string name : {"never", "1/1", "1/16"}) {
    for (const comparison_metric metric : kComparisonMetrics) {
      base.set(name, metric, draws(rng, 12, 15.0, 2.0));
      fresh.set(name, metric, draws(rng, 12, 15.0, 2.0));
    }
  }
  const comparison c = compare_results(base.file, fresh.file, gated({"latency.p99=+5%", "throughput=-2%"}));
  EXPECT_TRUE(c.passed());
  for (const configuration_comparison& config : c.configurations) {
    for (const metric_comparison& m : config.metrics) {
      EXPECT_LT(std::abs(m.change_percent), 3.0) << config.configuration << ' ' << metric_name(m.metric);
      EXPECT_NE(m.verdict, comparison_verdict::regression) << config.configuration << ' ' << metric_name(m.metric);
    }
  }
  // Among 15 tests one draw is unlucky (raw p 0.007, a 1-in-140 event, its interval misses 0):
  // Holm still flags it at 0.044, but only as a change in the good direction, so a gate beyond
  // +5% holds. Significance alone never fails a comparison; the threshold must be crossed too.
  const metric_comparison& unlucky = find(c, "never", comparison_metric::latency_p99);
  EXPECT_LT(unlucky.high_percent, 0.0);
  EXPECT_NEAR(unlucky.p_value, 0.00726, 1e-4);
  EXPECT_EQ(unlucky.verdict, comparison_verdict::improved);
}

TEST(RunComparison, NoisyAaOverManyTestsIsNothingSignificant) {
  std::mt19937_64 rng(2024);
  synthetic_file base("a.json", 10);
  synthetic_file fresh("b.json", 10);
  const std::vector<std::string> names{"never", "1/1", "1/2", "1/4", "1/16", "1/1024"};
  for (const std::string& name : names) {
    for (const comparison_metric metric : kComparisonMetrics) {
      base.set(name, metric, draws(rng, 10, 20.0, 30.0));
      fresh.set(name, metric, draws(rng, 10, 20.0, 30.0));
    }
  }
  const comparison c =
      compare_results(base.file, fresh.file,
                      gated({"throughput=-1%", "cpu=+1%", "latency.mean=+1%", "latency.p50=+1%", "latency.p99=+1%"}));
  EXPECT_EQ(c.gated_tests, 30U);
  double smallest_raw = 1.0;
  for (const configuration_comparison& config : c.configurations) {
    for (const metric_comparison& m : config.metrics) {
      smallest_raw = std::min(smallest_raw, m.p_value);
      EXPECT_GT(m.adjusted_p_value, c.alpha) << config.configuration << ' ' << metric_name(m.metric);
      EXPECT_EQ(m.verdict, comparison_verdict::within_noise);
      EXPECT_GE(m.adjusted_p_value, m.p_value);
    }
  }
  EXPECT_TRUE(c.passed());
  // A 1% gate under +-30% noise is beyond what 10 rounds can see, and the comparison says so.
  EXPECT_FALSE(find(c, "1/1", comparison_metric::latency_p99).detectability.empty());
  EXPECT_LT(smallest_raw, 0.5);  // the raw p-values do spread: nothing here is trivially 1
}

TEST(RunComparison, ThreeRoundsEachCannotFailAndSaySo) {
  synthetic_file base("a.json", 3);
  synthetic_file fresh("b.json", 3);
  base.set("1/1", comparison_metric::latency_p99, {20.0, 21.0, 19.0});
  fresh.set("1/1", comparison_metric::latency_p99, {60.0, 61.0, 59.0});  // +33%, as clear as it gets
  const comparison c = compare_results(base.file, fresh.file, gated({"latency.p99=+5%"}));
  const metric_comparison& m = find(c, "1/1", comparison_metric::latency_p99);
  EXPECT_NEAR(m.p_value, 0.1, 1e-12);  // 2 / C(6, 3): the smallest there is
  EXPECT_NEAR(m.change_percent, (1.60 / 1.20 - 1.0) * 100.0, 1.0);
  EXPECT_NEAR(m.interval_level, 0.9, 1e-12);  // [min, max] of the 9 differences covers 1 - 2/20
  EXPECT_EQ(m.verdict, comparison_verdict::within_noise);
  EXPECT_TRUE(c.passed());
  EXPECT_EQ(m.detectability,
            "1/1 latency.p99: 3 rounds each cannot show any change as significant (the smallest p-value is 0.1, "
            "Holm needs 0.05); run at least 4 rounds each");
  ASSERT_FALSE(c.warnings.empty());
  EXPECT_EQ(c.warnings.back(), m.detectability);
}

TEST(RunComparison, MinimumDetectableChangeFollowsTheDocumentedFormula) {
  // Residuals 0, 0.1, 0.1, 0.2, 0.2 twice: MAD 0.1, sigma 0.14826.
  const std::vector<double> logs{0.0, 0.1, -0.1, 0.2, -0.2};
  const comparison_threshold five = parse_threshold("latency.p99=+5%");
  const double sigma = 1.4826 * 0.1;
  const double per_round = sigma * (normal_quantile(0.975) + normal_quantile(0.8)) * std::sqrt(std::acos(-1.0) / 3.0);
  const double detectable = std::expm1(per_round * std::sqrt(2.0 / 5.0)) * 100.0;
  ASSERT_NEAR(detectable, 30.8, 0.1);
  const auto needed = static_cast<int>(std::ceil(2.0 * std::pow(per_round / std::log(1.05), 2.0)));
  EXPECT_EQ(detectability_warning("1/1", five, logs, logs, 0.05),
            "1/1 latency.p99: 5 rounds each can detect changes of about 31% or more, not 5%; run about " +
                std::to_string(needed) + " rounds each");
  EXPECT_EQ(detectability_warning("1/1", parse_threshold("latency.p99=+40%"), logs, logs, 0.05), "");
  // A fall: 1 - exp(-x) rather than exp(x) - 1.
  const std::string fall = detectability_warning("1/1", parse_threshold("throughput=-5%"), logs, logs, 0.05);
  EXPECT_NE(fall.find("about 24% or more, not 5%"), std::string::npos) << fall;
}

TEST(RunComparison, ImprovementBeyondTheThresholdDoesNotFail) {
  std::mt19937_64 rng(3);
  synthetic_file base("a.json", 10);
  synthetic_file fresh("b.json", 10);
  base.set("1/1", comparison_metric::latency_p99, draws(rng, 10, 40.0, 2.0));
  fresh.set("1/1", comparison_metric::latency_p99, draws(rng, 10, 20.0, 2.0));
  base.set("1/1", comparison_metric::throughput, draws(rng, 10, -20.0, 1.0));
  fresh.set("1/1", comparison_metric::throughput, draws(rng, 10, -5.0, 1.0));
  const comparison c = compare_results(base.file, fresh.file, gated({"latency.p99=+5%", "throughput=-2%"}));
  const metric_comparison& latency = find(c, "1/1", comparison_metric::latency_p99);
  const metric_comparison& throughput = find(c, "1/1", comparison_metric::throughput);
  EXPECT_NEAR(latency.change_percent, (1.20 / 1.40 - 1.0) * 100.0, 1.5);     // -14.3%
  EXPECT_NEAR(throughput.change_percent, (0.95 / 0.80 - 1.0) * 100.0, 1.5);  // +18.8%
  EXPECT_LT(latency.adjusted_p_value, 0.001);
  EXPECT_EQ(latency.verdict, comparison_verdict::improved);
  EXPECT_EQ(throughput.verdict, comparison_verdict::improved);
  EXPECT_TRUE(c.passed());
}

TEST(RunComparison, SignificantButWithinTheThresholdPasses) {
  std::mt19937_64 rng(5);
  synthetic_file base("a.json", 10);
  synthetic_file fresh("b.json", 10);
  base.set("1/1", comparison_metric::latency_p99, draws(rng, 10, 20.0, 0.2));
  fresh.set("1/1", comparison_metric::latency_p99, draws(rng, 10, 22.0, 0.2));  // +1.7%
  base.set("1/1", comparison_metric::cpu, draws(rng, 10, 20.0, 0.2));
  fresh.set("1/1", comparison_metric::cpu, draws(rng, 10, 30.0, 0.2));  // ungated: reported, never failing
  const comparison c = compare_results(base.file, fresh.file, gated({"latency.p99=+5%"}));
  EXPECT_EQ(find(c, "1/1", comparison_metric::latency_p99).verdict, comparison_verdict::pass);
  EXPECT_EQ(find(c, "1/1", comparison_metric::cpu).verdict, comparison_verdict::worse);
  EXPECT_EQ(find(c, "1/1", comparison_metric::throughput).verdict, comparison_verdict::no_data);
  EXPECT_TRUE(c.passed());
}

TEST(RunComparison, ThresholdsParseStrictly) {
  struct good_case {
    const char* text;
    comparison_metric metric;
    bool rise_is_bad;
    double limit;
  };
  for (const good_case& g : {good_case{"latency.p99=+5%", comparison_metric::latency_p99, true, 5.0},
                             good_case{"throughput=-2%", comparison_metric::throughput, false, 2.0},
                             good_case{"cpu=+0.5%", comparison_metric::cpu, true, 0.5},
                             good_case{"latency.mean=+0%", comparison_metric::latency_mean, true, 0.0},
                             good_case{"latency.p50=-99.5%", comparison_metric::latency_p50, false, 99.5}}) {
    const comparison_threshold t = parse_threshold(g.text);
    EXPECT_EQ(t.metric, g.metric) << g.text;
    EXPECT_EQ(t.rise_is_bad, g.rise_is_bad) << g.text;
    EXPECT_EQ(t.limit_percent, g.limit) << g.text;
    EXPECT_EQ(describe(t), g.text);
  }
  struct bad_case {
    const char* text;
    const char* problem;
  };
  for (const bad_case& b :
       {bad_case{"latency.p99", "expected METRIC=+N% or METRIC=-N%"},
        bad_case{"latency.p95=+5%", "unknown metric \"latency.p95\""}, bad_case{"=+5%", "unknown metric \"\""},
        bad_case{"p99=+5%", "unknown metric"}, bad_case{"latency.p99=5%", "needs a sign"},
        bad_case{"latency.p99=", "needs a sign"}, bad_case{"latency.p99=+5", "needs a %"},
        bad_case{"latency.p99=+%", "\"\" is not a number"}, bad_case{"latency.p99=+abc%", "\"abc\" is not a number"},
        bad_case{"latency.p99=+-5%", "\"-5\" is not a number"}, bad_case{"latency.p99=+5%%", "\"5%\" is not a number"},
        bad_case{"latency.p99=+inf%", "\"inf\" is not a number"},
        bad_case{"throughput=-100%", "a fall is less than 100%"}}) {
    try {
      (void)parse_threshold(b.text);
      ADD_FAILURE() << b.text << " was accepted";
    } catch (const std::invalid_argument& e) {
      const std::string what = e.what();
      EXPECT_NE(what.find(b.problem), std::string::npos) << b.text << ": " << what;
      EXPECT_EQ(what.find('\n'), std::string::npos);
    }
  }
  const std::vector<std::string> twice{"latency.p99=+5%", "throughput=-2%", "latency.p99=+10%"};
  EXPECT_THROW((void)parse_thresholds(twice), std::invalid_argument);
  try {
    (void)parse_thresholds(twice);
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "latency.p99 has two thresholds (\"latency.p99=+5%\" and \"latency.p99=+10%\")");
  }
}

TEST(RunComparison, HolmAdjustsOverTheGatedTestsOnly) {
  std::mt19937_64 rng(9);
  synthetic_file base("a.json", 8);
  synthetic_file fresh("b.json", 8);
  // Two gated tests with different evidence, and an ungated one that must not join their family.
  base.set("1/1", comparison_metric::latency_p99, draws(rng, 8, 20.0, 2.0));
  fresh.set("1/1", comparison_metric::latency_p99, draws(rng, 8, 24.0, 2.0));
  base.set("1/16", comparison_metric::latency_p99, draws(rng, 8, 20.0, 2.0));
  fresh.set("1/16", comparison_metric::latency_p99, draws(rng, 8, 21.0, 2.0));
  base.set("1/16", comparison_metric::cpu, draws(rng, 8, 20.0, 2.0));
  fresh.set("1/16", comparison_metric::cpu, draws(rng, 8, 20.0, 2.0));
  const comparison c = compare_results(base.file, fresh.file, gated({"latency.p99=+1%"}));
  const metric_comparison& a = find(c, "1/1", comparison_metric::latency_p99);
  const metric_comparison& b = find(c, "1/16", comparison_metric::latency_p99);
  const std::vector<double> expected = holm_adjust(std::vector<double>{a.p_value, b.p_value});
  EXPECT_EQ(c.gated_tests, 2U);
  EXPECT_EQ(c.ungated_tests, 1U);
  EXPECT_DOUBLE_EQ(a.adjusted_p_value, expected[0]);
  EXPECT_DOUBLE_EQ(b.adjusted_p_value, expected[1]);
  EXPECT_DOUBLE_EQ(std::min(a.adjusted_p_value, b.adjusted_p_value), 2.0 * std::min(a.p_value, b.p_value));
  const metric_comparison& alone = find(c, "1/16", comparison_metric::cpu);
  EXPECT_DOUBLE_EQ(alone.adjusted_p_value, alone.p_value);  // a family of one
}

// Raw runs of one configuration: `values` per round for throughput and p99 (ns), all valid.
void add_runs(results_file& file, const std::string& name, const std::vector<double>& throughput,
              const std::vector<double>& p99_ms) {
  for (std::size_t r = 0; r < throughput.size(); ++r) {
    run_record run;
    run.configuration = name;
    run.round = static_cast<unsigned>(r);
    run.throughput = throughput[r];
    run.cpu_ns_per_request = 1e6;
    run.latency.mean = p99_ms[r] * 0.5e6;
    run.latency.p50 = static_cast<std::int64_t>(p99_ms[r] * 0.4e6);
    run.latency.p99 = static_cast<std::int64_t>(p99_ms[r] * 1e6);
    file.runs.push_back(run);
  }
}

TEST(RunComparison, AbsoluteBasisComparesRawRunsOffIncluded) {
  std::mt19937_64 rng(21);
  synthetic_file base("a.json", 10);
  synthetic_file fresh("b.json", 10);
  base.row("1/1");
  fresh.row("1/1");
  add_runs(base.file, "off", draws(rng, 10, 1000.0, 10.0), draws(rng, 10, 100.0, 2.0));
  add_runs(fresh.file, "off", draws(rng, 10, 900.0, 10.0), draws(rng, 10, 100.0, 2.0));
  add_runs(base.file, "1/1", draws(rng, 10, 800.0, 10.0), draws(rng, 10, 120.0, 2.0));
  add_runs(fresh.file, "1/1", draws(rng, 10, 800.0, 10.0), draws(rng, 10, 150.0, 2.0));
  // An invalid run is left out, however wild its figures.
  base.file.runs.front().throughput = 1e9;
  base.file.runs.front().throughput_valid = false;

  comparison_options options = gated({"throughput=-5%"});
  options.basis = comparison_basis::absolute;
  const comparison c = compare_results(base.file, fresh.file, options);
  ASSERT_EQ(c.configurations.size(), 2U);
  EXPECT_EQ(c.configurations[0].configuration, "off");
  const metric_comparison& off = find(c, "off", comparison_metric::throughput);
  EXPECT_EQ(off.base_rounds, 9U);
  EXPECT_EQ(off.new_rounds, 10U);
  EXPECT_NEAR(off.change_percent, -10.0, 1.5);
  EXPECT_NEAR(off.base_median, 1000.0, 10.0);
  EXPECT_EQ(off.verdict, comparison_verdict::regression);
  const metric_comparison& p99 = find(c, "1/1", comparison_metric::latency_p99);
  EXPECT_NEAR(p99.change_percent, 25.0, 3.0);
  EXPECT_NEAR(p99.new_median, 150e6, 3e6);            // nanoseconds, as the runs hold them
  EXPECT_EQ(p99.verdict, comparison_verdict::worse);  // not gated
  EXPECT_EQ(find(c, "1/1", comparison_metric::cpu).change_percent, 0.0);

  // The overhead basis ignores the raw runs: the summary rows have no per-round deltas here.
  const comparison overhead = compare_results(base.file, fresh.file, gated({"throughput=-5%"}));
  ASSERT_EQ(overhead.configurations.size(), 1U);
  EXPECT_EQ(find(overhead, "1/1", comparison_metric::throughput).verdict, comparison_verdict::no_data);
  EXPECT_TRUE(overhead.passed());
}

TEST(RunComparison, ConfigurationsOnOneSideAndSelection) {
  synthetic_file base("a.json", 5);
  synthetic_file fresh("b.json", 5);
  const std::vector<double> values{10, 11, 12, 13, 14};
  base.set("1/1", comparison_metric::throughput, values).set("1/8", comparison_metric::throughput, values);
  fresh.set("1/1", comparison_metric::throughput, values).set("1/4", comparison_metric::throughput, values);
  const comparison all = compare_results(base.file, fresh.file, {});
  ASSERT_EQ(all.configurations.size(), 1U);
  EXPECT_EQ(all.only_in_base, std::vector<std::string>{"1/8"});
  EXPECT_EQ(all.only_in_new, std::vector<std::string>{"1/4"});
  EXPECT_EQ(comparison_verdict_line(all), "PASS: no thresholds given, nothing gated (report only)");

  comparison_options some;
  some.configurations = {"1/4"};
  const comparison picked = compare_results(base.file, fresh.file, some);
  EXPECT_TRUE(picked.configurations.empty());
  EXPECT_TRUE(picked.only_in_base.empty());
  EXPECT_EQ(picked.only_in_new, std::vector<std::string>{"1/4"});

  some.configurations = {"1/3"};
  EXPECT_THROW((void)compare_results(base.file, fresh.file, some), std::invalid_argument);
  some.configurations = {"off"};
  EXPECT_THROW((void)compare_results(base.file, fresh.file, some), std::invalid_argument);
  some.basis = comparison_basis::absolute;
  EXPECT_NO_THROW((void)compare_results(base.file, fresh.file, some));
}

TEST(RunComparison, FileWarningsAndEnvironmentDifferences) {
  synthetic_file base("a.json", 5);
  synthetic_file fresh("b.json", 5);
  fresh.file.summary.scenario_name = "checkout-v2";
  base.file.document = {{"complete", true},
                        {"environment",
                         {{"cpu_model", "AMD EPYC"},
                          {"cores", 2},
                          {"git_commit", "5b1f81562cad756e64b2"},
                          {"build_type", "Release"},
                          {"debug_build", false}}}};
  fresh.file.document = {{"complete", false},
                         {"environment",
                          {{"cpu_model", "AMD EPYC"},
                           {"cores", 4},
                           {"git_commit", "7c2e1120aa99-dirty"},
                           {"build_type", "Debug"},
                           {"debug_build", true}}}};
  const comparison c = compare_results(base.file, fresh.file, {});
  EXPECT_EQ(c.compared_across, (std::vector<std::string>{"cores 2 -> 4", "build Release -> Debug",
                                                         "commit 5b1f81562cad -> 7c2e1120aa99-dirty"}));
  ASSERT_EQ(c.warnings.size(), 3U);
  EXPECT_NE(c.warnings[0].find("the scenarios differ"), std::string::npos);
  EXPECT_NE(c.warnings[1].find("NEW b.json is incomplete"), std::string::npos);
  EXPECT_NE(c.warnings[2].find("NEW b.json comes from a Debug build"), std::string::npos);
}

TEST(RunComparison, RenderedTextAndMarkdown) {
  std::mt19937_64 rng(7);
  synthetic_file base("base.json", 10);
  synthetic_file fresh("new.json", 10);
  base.set("1/1", comparison_metric::latency_p99, draws(rng, 10, 20.0, 2.0));
  fresh.set("1/1", comparison_metric::latency_p99, draws(rng, 10, 40.0, 2.0));
  const comparison c = compare_results(base.file, fresh.file, gated({"latency.p99=+5%"}));
  const std::string text = render_comparison_text(c);
  EXPECT_TRUE(text.starts_with("BASE base.json vs NEW new.json: scenario checkout, 10 vs 10 rounds\n")) << text;
  EXPECT_NE(text.find("Holm-adjusted"), std::string::npos);
  EXPECT_NE(text.find("latency.p99   +20."), std::string::npos) << text;
  EXPECT_NE(text.find("<0.001    +5%        REGRESSION"), std::string::npos) << text;
  EXPECT_TRUE(text.ends_with(comparison_verdict_line(c) + "\n"));
  const std::string md = render_comparison_markdown(c);
  EXPECT_TRUE(md.starts_with("**FAIL**: 1 regression: 1/1 latency.p99 +")) << md;
  EXPECT_NE(md.find("| metric | base overhead | new overhead | change [95% CI] | p (Holm) | threshold | verdict |\n"
                    "|:--|--:|--:|--:|--:|--:|:--|\n"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("| **REGRESSION** |"), std::string::npos) << md;
}

}  // namespace
}  // namespace tracebench::harness
