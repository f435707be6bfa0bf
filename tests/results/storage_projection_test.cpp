// The storage projection: Dapper's arithmetic reproduced, and what each pipeline keeps.

#include <gtest/gtest.h>

#include "tracebench/results/storage_projection.hpp"

namespace th = tracebench::harness;

TEST(StorageProjection, DappersEighteenTerabytesADayBeforeSampling) {
  const th::projection_input in;  // 20 services, 10,000 req/s, 50 spans, 426 B
  const auto rows = th::project_storage(in);
  ASSERT_EQ(rows.size(), 5U);
  EXPECT_EQ(rows[0].pipeline, "every span (1/1)");
  EXPECT_DOUBLE_EQ(rows[0].spans_per_second, 500'000);
  EXPECT_DOUBLE_EQ(rows[0].spans_per_day, 500'000.0 * 86'400);
  EXPECT_NEAR(rows[0].bytes_per_day / 1e12, 18.4, 0.01);  // "about 18 TB/day"
  EXPECT_EQ(rows[1].pipeline, "head 1/16");
  EXPECT_NEAR(rows[1].bytes_per_day, rows[0].bytes_per_day / 16, 1);
  EXPECT_EQ(rows[2].pipeline, "head 1/1024");
  EXPECT_FALSE(rows[0].measured_bytes_per_day);
}

TEST(StorageProjection, TailAndTwoTierFractions) {
  th::projection_input in;
  in.head_rates = {};
  in.error_fraction = 0.001;
  in.slow_fraction = 0.001;
  in.tail_baseline = 0.1;
  in.two_tier_head = 1.0 / 16;
  auto rows = th::project_storage(in);
  ASSERT_EQ(rows.size(), 2U);
  EXPECT_NEAR(rows[0].kept_fraction, 0.002 + 0.998 * 0.1, 1e-12);
  // A 10% baseline after a 1/16 head keeps everything the head kept: same randomness.
  EXPECT_NEAR(rows[1].kept_fraction, 1.0 / 16, 1e-12);
  // Below the head's rate the baseline bites, and errors and slow traces keep the head's rate.
  in.tail_baseline = 0.01;
  rows = th::project_storage(in);
  EXPECT_NEAR(rows[1].kept_fraction, 0.002 / 16 + 0.998 * 0.01, 1e-12);
  EXPECT_EQ(rows[1].pipeline, "head 1/16, then tail: errors + slow + 1/100 of the rest");
}

TEST(StorageProjection, OursBesideTheGivenSize) {
  th::projection_input in;
  in.measured_bytes_per_span = 333;
  in.measured_zstd_bytes_per_span = 31;
  const auto rows = th::project_storage(in);
  ASSERT_TRUE(rows[0].measured_bytes_per_day && rows[0].measured_zstd_bytes_per_day);
  EXPECT_DOUBLE_EQ(*rows[0].measured_bytes_per_day, 500'000.0 * 86'400 * 333);
  EXPECT_DOUBLE_EQ(*rows[0].measured_zstd_bytes_per_day, 500'000.0 * 86'400 * 31);
}

TEST(StorageProjection, MeasuredPipelinesFollowTheModelledOnesAtTheirOwnKeptShare) {
  th::projection_input in;
  in.head_rates = {1.0};
  in.measured_pipelines = {{"tail (rare-failures)", 0.102}, {"1/1024 (rare-failures)", 0.00135}};
  const auto rows = th::project_storage(in);
  ASSERT_EQ(rows.size(), 5U);  // 1/1, tail, two-tier, then the two measured
  EXPECT_EQ(rows[3].pipeline, "measured tail (rare-failures)");
  EXPECT_DOUBLE_EQ(rows[3].kept_fraction, 0.102);
  EXPECT_DOUBLE_EQ(rows[3].bytes_per_day, 500'000.0 * 0.102 * 86'400 * 426);
  EXPECT_EQ(rows[4].pipeline, "measured 1/1024 (rare-failures)");
  EXPECT_DOUBLE_EQ(rows[4].spans_per_second, 500'000.0 * 0.00135);
}
