// --precision targets: what the flag accepts and how it rejects the rest (one line quoting the
// text), and check_precision on synthetic summaries: the widest interval decides, the A/A row
// counts, off does not, and a configuration without an interval is never within.

#include "tracebench/results/precision_target.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "tracebench/results/experiment_summary.hpp"

namespace tracebench::harness {
namespace {

std::string error_of(const std::string& text) {
  try {
    (void)parse_precision_target(text);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "(accepted)";
}

TEST(PrecisionTarget, AcceptsPlusMinusPlainAndAsciiWidths) {
  for (const std::string text : {"cpu=\u00b11%", "cpu=1%", "cpu=+-1%", " cpu = \u00b11% "}) {
    const precision_target t = parse_precision_target(text);
    EXPECT_EQ(t.metric, comparison_metric::cpu) << text;
    EXPECT_DOUBLE_EQ(t.half_width_percent, 1.0) << text;
  }
  EXPECT_DOUBLE_EQ(parse_precision_target("throughput=\u00b10.25%").half_width_percent, 0.25);
}

TEST(PrecisionTarget, NamesMetricsAsCompareDoesOrShort) {
  EXPECT_EQ(parse_precision_target("throughput=2%").metric, comparison_metric::throughput);
  EXPECT_EQ(parse_precision_target("latency.p50=2%").metric, comparison_metric::latency_p50);
  EXPECT_EQ(parse_precision_target("p50=2%").metric, comparison_metric::latency_p50);
  EXPECT_EQ(parse_precision_target("p99=2%").metric, comparison_metric::latency_p99);
  EXPECT_EQ(parse_precision_target("mean=2%").metric, comparison_metric::latency_mean);
  EXPECT_EQ(parse_precision_target("latency.mean=2%").metric, comparison_metric::latency_mean);
}

TEST(PrecisionTarget, RejectsBadTextInOneLineQuotingIt) {
  EXPECT_EQ(error_of("cpu"), "expected METRIC=\u00b1N%, such as cpu=\u00b11%, not \"cpu\"");
  EXPECT_EQ(error_of("cpu=1"), "\"cpu=1\": the width needs a %, as in \u00b11%");
  EXPECT_EQ(error_of("cpu=0%"), "\"cpu=0%\": \"0\" is not a number above 0");
  EXPECT_EQ(error_of("cpu=-1%"), "\"cpu=-1%\": \"-1\" is not a number above 0");
  EXPECT_EQ(error_of("cpu=+1%"), "\"cpu=+1%\": \"+1\" is not a number above 0");
  EXPECT_EQ(error_of("cpu=\u00b1x%"), "\"cpu=\u00b1x%\": \"x\" is not a number above 0");
  EXPECT_EQ(error_of("cpu=%"), "\"cpu=%\": \"\" is not a number above 0");
  EXPECT_EQ(error_of("p95=1%"),
            "unknown metric \"p95\" in \"p95=1%\" (expected throughput, cpu, latency.mean, latency.p50 or "
            "latency.p99; mean, p50, p99 for short)");
  EXPECT_EQ(error_of("latency=1%").rfind("unknown metric \"latency\"", 0), 0U);
}

TEST(PrecisionTarget, AMetricTargetedTwiceIsRejected) {
  const std::vector<std::string> twice{"cpu=1%", "throughput=2%", "cpu=\u00b10.5%"};
  try {
    (void)parse_precision_targets(twice);
    FAIL() << "accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_EQ(std::string(e.what()), "cpu has two targets (\"cpu \u00b11%\" and \"cpu=\u00b10.5%\")");
  }
  const std::vector<std::string> distinct{"cpu=1%", "p50=2%"};
  EXPECT_EQ(parse_precision_targets(distinct).size(), 2U);
}

TEST(PrecisionTarget, DescribesTargetsAndHalfWidths) {
  EXPECT_EQ(describe({comparison_metric::cpu, 1.0}), "cpu \u00b11%");
  EXPECT_EQ(describe({comparison_metric::latency_p99, 2.5}), "latency.p99 \u00b12.5%");
  EXPECT_EQ(half_width_text(0.8234), "\u00b10.82%");
  EXPECT_EQ(half_width_text(1.72), "\u00b11.7%");
  EXPECT_EQ(half_width_text(12.3), "\u00b112%");
}

configuration_summary row(const std::string& name, std::optional<double> cpu_half_width) {
  configuration_summary r;
  r.configuration = name;
  r.baseline = name == "off";
  r.noise_floor = name == "off'";
  if (cpu_half_width) r.cpu_per_request.stats = summary{5.0, 5.0 - *cpu_half_width, 5.0 + *cpu_half_width, 0.96, false};
  return r;
}

TEST(CheckPrecision, TheWidestIntervalDecidesAndOffIsLeftOut) {
  experiment_summary s;
  s.rows = {row("off", std::nullopt), row("off'", 0.4), row("never", 0.9), row("1/1", 0.6)};
  const std::vector<precision_target> targets{{comparison_metric::cpu, 1.0}, {comparison_metric::cpu, 0.5}};
  const precision_status status = check_precision(s, targets);
  ASSERT_EQ(status.targets.size(), 2U);
  EXPECT_TRUE(status.targets[0].reached);
  EXPECT_DOUBLE_EQ(*status.targets[0].worst_half_width, 0.9);
  EXPECT_EQ(status.targets[0].worst_configuration, "never");
  EXPECT_EQ(status.targets[0].configurations, 3U);
  EXPECT_EQ(status.targets[0].within, 3U);
  EXPECT_FALSE(status.targets[1].reached);
  EXPECT_EQ(status.targets[1].within, 1U);  // off' only
  EXPECT_FALSE(status.all_reached());
  EXPECT_TRUE(check_precision(s, std::span(targets).first(1)).all_reached());
  EXPECT_TRUE(check_precision(s, {}).all_reached());
}

TEST(CheckPrecision, TheAaRowCountsLikeAnyOther) {
  experiment_summary s;
  s.rows = {row("off", std::nullopt), row("off'", 3.0), row("1/1", 0.2)};
  const std::vector<precision_target> targets{{comparison_metric::cpu, 1.0}};
  const precision_status status = check_precision(s, targets);
  EXPECT_FALSE(status.all_reached());
  EXPECT_EQ(status.targets[0].worst_configuration, "off'");
}

TEST(CheckPrecision, AConfigurationWithoutAnIntervalIsNeverWithin) {
  experiment_summary s;
  s.rows = {row("off", std::nullopt), row("never", 0.1), row("1/16", std::nullopt), row("1/1", 0.2)};
  const std::vector<precision_target> targets{{comparison_metric::cpu, 100.0}};
  const precision_status status = check_precision(s, targets);
  EXPECT_FALSE(status.targets[0].reached);
  EXPECT_FALSE(status.targets[0].worst_half_width);
  EXPECT_EQ(status.targets[0].worst_configuration, "1/16");
  EXPECT_EQ(status.targets[0].within, 2U);
  // Another metric: nothing measured it at all.
  const std::vector<precision_target> throughput{{comparison_metric::throughput, 100.0}};
  EXPECT_FALSE(check_precision(s, throughput).all_reached());
}

TEST(CheckPrecision, ReportsTheGeometricMeansWidestBesideButNeverDecidesOnIt) {
  experiment_summary s;
  s.rows = {row("off", std::nullopt), row("never", 2.0), row("1/1", 2.0)};
  s.rows[1].cpu_per_request.geometric_mean = mean_interval{5.0, 4.5, 5.5, 0.95};
  const std::vector<precision_target> targets{{comparison_metric::cpu, 1.0}};
  EXPECT_FALSE(check_precision(s, targets).targets[0].worst_mean_half_width);  // 1/1 has none
  s.rows[2].cpu_per_request.geometric_mean = mean_interval{5.0, 4.0, 5.8, 0.95};
  const precision_status status = check_precision(s, targets);
  ASSERT_TRUE(status.targets[0].worst_mean_half_width);
  EXPECT_DOUBLE_EQ(*status.targets[0].worst_mean_half_width, 0.9);
  EXPECT_FALSE(status.targets[0].reached);  // the medians' intervals are +-2
}

}  // namespace
}  // namespace tracebench::harness
