// A calibration that returns sane figures (the only timing assertion is sampled > unsampled,
// which holds several times over).

#include "tracebench/experiment/hot_path_calibration.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>

namespace th = tracebench::harness;

TEST(MeasureHotPathCosts, PositiveFiniteAndSampledCostsMore) {
  const th::hot_path_costs c = th::measure_hot_path_costs();
  for (const double ns : {c.unsampled_span_ns, c.sampled_span_ns, c.export_ns_per_span, c.inject_ns, c.extract_ns}) {
    EXPECT_TRUE(std::isfinite(ns));
    EXPECT_GT(ns, 0);
  }
  EXPECT_GT(c.sampled_span_ns, c.unsampled_span_ns);
  std::printf("calibration (ns): unsampled %.1f, sampled %.1f, export/span %.1f, inject %.1f, extract %.1f\n",
              c.unsampled_span_ns, c.sampled_span_ns, c.export_ns_per_span, c.inject_ns, c.extract_ns);
}
