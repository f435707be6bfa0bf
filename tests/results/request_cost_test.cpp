// Overhead against request cost from synthetic experiment summaries: one point per configuration
// and work scale at off's mean latency, in scale order, with what each summary measured.

#include "tracebench/results/request_cost.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

namespace th = tracebench::harness;

namespace {

th::summary change(double median, double low, double high) { return {median, low, high, 0.95, low <= 0 && high >= 0}; }

// off with `off_latency_ns` for every request (none: no valid latency run), off', never and 1/1.
th::experiment_summary experiment(double scale, std::optional<std::int64_t> off_latency_ns, double cpu_1_1,
                                  std::string scenario = "tiny") {
  th::experiment_summary s;
  s.scenario_name = std::move(scenario);
  s.work_scale = scale;
  th::configuration_summary off;
  off.configuration = "off";
  off.baseline = true;
  if (off_latency_ns) off.latency.record(*off_latency_ns, 100);
  s.rows.push_back(off);
  th::configuration_summary aa;
  aa.configuration = "off'";
  aa.noise_floor = true;
  aa.cpu_per_request.stats = change(0.1, -0.5, 0.7);
  aa.p50_latency.stats = change(-0.2, -1, 0.6);
  s.rows.push_back(aa);
  th::configuration_summary never;
  never.configuration = "never";
  never.cpu_per_request.stats = change(1, 0.5, 1.5);  // p50 left without a valid pair
  s.rows.push_back(never);
  th::configuration_summary all;
  all.configuration = "1/1";
  all.cpu_per_request.stats = change(cpu_1_1, cpu_1_1 - 1, cpu_1_1 + 1);
  all.p50_latency.stats = change(cpu_1_1 / 2, cpu_1_1 / 2 - 1, cpu_1_1 / 2 + 1);
  s.rows.push_back(all);
  return s;
}

}  // namespace

TEST(RequestCost, OnePointPerConfigurationAndScaleAtOffsMeanLatency) {
  // Given out of order: the points come in ascending work scale.
  const std::vector<th::experiment_summary> runs{experiment(10, 10'000'000, 1.7), experiment(0.1, 100'000, 13.9),
                                                 experiment(1, 1'000'000, 5)};
  const th::request_cost_points points = th::make_request_cost_points(runs);
  EXPECT_EQ(points.scenario_name, "tiny");
  ASSERT_EQ(points.scales.size(), 3U);
  EXPECT_EQ(points.scales[0].work_scale, 0.1);
  EXPECT_EQ(points.scales[2].work_scale, 10);
  ASSERT_TRUE(points.scales[0].off_mean_latency_ns);
  EXPECT_NEAR(*points.scales[0].off_mean_latency_ns, 100'000, 100);  // the histogram's 3 figures
  EXPECT_NEAR(*points.scales[2].off_mean_latency_ns, 10'000'000, 10'000);
  EXPECT_TRUE(points.scales[1].complete);

  // Every configuration but off, in plan order; the A/A row known as the noise floor.
  ASSERT_EQ(points.series.size(), 3U);
  EXPECT_EQ(points.series[0].configuration, "off'");
  EXPECT_TRUE(points.series[0].noise_floor);
  EXPECT_EQ(points.series[1].configuration, "never");
  EXPECT_FALSE(points.series[1].noise_floor);
  const th::request_cost_series& all = points.series[2];
  EXPECT_EQ(all.configuration, "1/1");
  ASSERT_EQ(all.points.size(), 3U);
  EXPECT_EQ(all.points[0].work_scale, 0.1);
  EXPECT_EQ(all.points[0].off_mean_latency_ns, *points.scales[0].off_mean_latency_ns);
  ASSERT_TRUE(all.points[0].cpu_per_request);
  EXPECT_EQ(all.points[0].cpu_per_request->median, 13.9);
  EXPECT_EQ(all.points[2].cpu_per_request->median, 1.7);
  EXPECT_EQ(all.points[1].p50_latency->median, 2.5);
  // A change with no valid pair is no point on that metric, not a made-up 0.
  EXPECT_FALSE(points.series[1].points[0].p50_latency);
}

TEST(RequestCost, AScaleWithoutOffLatencyHasNoPoints) {
  const std::vector<th::experiment_summary> runs{experiment(1, 1'000'000, 5), experiment(2, std::nullopt, 3)};
  const th::request_cost_points points = th::make_request_cost_points(runs);
  ASSERT_EQ(points.scales.size(), 2U);
  EXPECT_FALSE(points.scales[1].off_mean_latency_ns);
  for (const th::request_cost_series& series : points.series) {
    ASSERT_EQ(series.points.size(), 1U) << series.configuration;
    EXPECT_EQ(series.points[0].work_scale, 1);
  }
}

TEST(RequestCost, RefusesMixedScenariosRepeatedScalesAndNothing) {
  EXPECT_THROW((void)th::make_request_cost_points({}), std::invalid_argument);
  const std::vector<th::experiment_summary> twice{experiment(1, 1'000'000, 5), experiment(1, 2'000'000, 4)};
  EXPECT_THROW((void)th::make_request_cost_points(twice), std::invalid_argument);
  const std::vector<th::experiment_summary> mixed{experiment(1, 1'000'000, 5), experiment(2, 2'000'000, 4, "other")};
  try {
    (void)th::make_request_cost_points(mixed);
    FAIL() << "mixed scenarios accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("\"other\""), std::string::npos) << e.what();
  }
}

TEST(RequestCost, DocumentHoldsEveryScaleAndPoint) {
  const std::vector<th::experiment_summary> runs{experiment(0.5, 500'000, 8), experiment(2, std::nullopt, 3)};
  th::request_cost_points points = th::make_request_cost_points(runs);
  points.scales[0].results_file = "run-tiny-work0.5.json";
  const nlohmann::ordered_json doc = th::request_cost_document(points);
  EXPECT_EQ(doc["schema"], th::kRequestCostSchema);
  EXPECT_EQ(doc["scenario"], "tiny");
  ASSERT_EQ(doc["scales"].size(), 2U);
  EXPECT_EQ(doc["scales"][0]["results_file"], "run-tiny-work0.5.json");
  EXPECT_TRUE(doc["scales"][1]["off_mean_latency_ns"].is_null());
  ASSERT_EQ(doc["series"].size(), 3U);
  const nlohmann::ordered_json& never = doc["series"][1];
  EXPECT_EQ(never["configuration"], "never");
  ASSERT_EQ(never["points"].size(), 1U);
  EXPECT_EQ(never["points"][0]["cpu_per_request_change"]["median"], 1.0);
  EXPECT_TRUE(never["points"][0]["p50_latency_change"].is_null());
  EXPECT_EQ(doc["series"][0]["points"][0]["cpu_per_request_change"]["within_noise"], true);
}
