// The scenario model's distributions: means, draws that honour their parameters, and the
// same draws for the same seed.

#include "tracebench/services/scenario.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <random>
#include <vector>

namespace ts = tracebench::services;

namespace {

std::vector<double> draws(const ts::distribution& d, std::size_t n, std::uint64_t seed = 42) {
  std::mt19937_64 rng(seed);
  std::vector<double> out(n);
  for (double& x : out) x = d.sample(rng);
  return out;
}

double average(const std::vector<double>& v) {
  double sum = 0;
  for (double x : v) sum += x;
  return sum / static_cast<double>(v.size());
}

double quantile(std::vector<double> v, double q) {
  std::sort(v.begin(), v.end());
  return v[static_cast<std::size_t>(q * static_cast<double>(v.size() - 1))];
}

constexpr std::size_t kDraws = 200'000;

}  // namespace

TEST(Distribution, DefaultIsConstantZero) {
  const ts::distribution d;
  EXPECT_EQ(d.kind(), ts::distribution::shape::constant);
  EXPECT_EQ(d.mean(), 0);
  std::mt19937_64 rng(1);
  EXPECT_EQ(d.sample(rng), 0);
}

TEST(Distribution, Constant) {
  const ts::distribution d = ts::distribution::constant(50);
  EXPECT_EQ(d.mean(), 50);
  for (double x : draws(d, 100)) EXPECT_EQ(x, 50);
  EXPECT_EQ(d.describe(), "constant 50");
}

TEST(Distribution, UniformStaysInBoundsAndAveragesTheMidpoint) {
  const ts::distribution d = ts::distribution::uniform(10, 90);
  EXPECT_EQ(d.mean(), 50);
  const std::vector<double> x = draws(d, kDraws);
  EXPECT_GE(*std::min_element(x.begin(), x.end()), 10);
  EXPECT_LT(*std::max_element(x.begin(), x.end()), 90);
  EXPECT_NEAR(average(x), 50, 0.5);
  EXPECT_EQ(d.describe(), "uniform 10..90");
}

TEST(Distribution, ExponentialHasItsMean) {
  const ts::distribution d = ts::distribution::exponential(40);
  EXPECT_EQ(d.mean(), 40);
  const std::vector<double> x = draws(d, kDraws);
  EXPECT_GE(*std::min_element(x.begin(), x.end()), 0);
  EXPECT_NEAR(average(x), 40, 0.5);
  EXPECT_NEAR(quantile(x, 0.5), 40 * std::log(2.0), 0.5);
}

TEST(Distribution, LognormalHonoursMedianAndP99) {
  const ts::distribution d = ts::distribution::lognormal(200, 2000);
  const double sigma = std::log(10.0) / ts::distribution::kZ99;
  EXPECT_DOUBLE_EQ(d.mean(), 200 * std::exp(sigma * sigma / 2));
  const std::vector<double> x = draws(d, kDraws);
  EXPECT_NEAR(quantile(x, 0.5), 200, 200 * 0.02);
  EXPECT_NEAR(quantile(x, 0.99), 2000, 2000 * 0.05);
  EXPECT_NEAR(average(x), d.mean(), d.mean() * 0.02);
  EXPECT_EQ(d.describe(), "lognormal median 200 p99 2000");
}

TEST(Distribution, LognormalWithP99AtTheMedianIsConstant) {
  const ts::distribution d = ts::distribution::lognormal(300, 300);
  EXPECT_DOUBLE_EQ(d.mean(), 300);
  for (double x : draws(d, 100)) EXPECT_DOUBLE_EQ(x, 300);
}

TEST(Distribution, EmpiricalDrawsOnlyListedValuesEquallyOften) {
  const ts::distribution d = ts::distribution::empirical({10, 12, 50});
  EXPECT_DOUBLE_EQ(d.mean(), 24);
  std::map<double, std::size_t> counts;
  for (double x : draws(d, 30'000)) ++counts[x];
  ASSERT_EQ(counts.size(), 3u);
  for (const auto& [value, count] : counts) EXPECT_NEAR(static_cast<double>(count), 10'000, 400) << value;
  EXPECT_EQ(d.describe(), "empirical of 3 (mean 24)");
}

TEST(Distribution, SameSeedSameDraws) {
  const ts::distribution d = ts::distribution::lognormal(100, 900);
  EXPECT_EQ(draws(d, 1000, 7), draws(d, 1000, 7));
  EXPECT_NE(draws(d, 1000, 7), draws(d, 1000, 8));
}

TEST(ScenarioModel, AttributeValuesConvertForTheTracer) {
  namespace tt = tracebench::tracer;
  const ts::attribute_value text = std::string("GET /x");
  EXPECT_EQ(ts::to_tracer_value(text).type(), tt::attribute_type::string);
  EXPECT_EQ(ts::to_tracer_value(text).as_string(), "GET /x");
  EXPECT_EQ(ts::to_tracer_value(ts::attribute_value(std::int64_t{3})).as_int(), 3);
  EXPECT_EQ(ts::to_tracer_value(ts::attribute_value(0.5)).as_double(), 0.5);
  EXPECT_TRUE(ts::to_tracer_value(ts::attribute_value(true)).as_bool());
}

TEST(ScenarioModel, EnumNames) {
  EXPECT_EQ(ts::to_string(ts::call_via::rpc), "rpc");
  EXPECT_EQ(ts::to_string(ts::call_via::queue), "queue");
  EXPECT_EQ(ts::to_string(ts::call_via::batch), "batch");
  EXPECT_EQ(ts::to_string(ts::error_policy::propagate), "propagate");
  EXPECT_EQ(ts::to_string(ts::error_policy::ignore), "ignore");
}
