// What a serve process says about its work model in its control replies, read back as a remote
// experiment reads it: the calibration whole, spin without one, and one line for anything else.

#include <gtest/gtest.h>

#include <stdexcept>

#include "tracebench/experiment/serve_control.hpp"

namespace th = tracebench::harness;
namespace ts = tracebench::services;

TEST(ServeWorkReport, CalibrationSurvivesTheWire) {
  ts::work_rate rate;
  rate.iterations_per_us = 412.5;
  rate.repetitions = 9;
  rate.run_us = 5000;
  rate.min_iterations_per_us = 405;
  rate.max_iterations_per_us = 415;
  const nlohmann::json doc = th::work_document(ts::work_model::compute, rate);
  EXPECT_EQ(doc["model"], "compute");
  const th::reported_work back = th::parse_work_document(nlohmann::json::parse(doc.dump()));
  EXPECT_EQ(back.model, ts::work_model::compute);
  ASSERT_TRUE(back.rate);
  EXPECT_EQ(back.rate->describe(), rate.describe());
}

TEST(ServeWorkReport, SpinHasNoCalibration) {
  const nlohmann::json doc = th::work_document(ts::work_model::spin, std::nullopt);
  EXPECT_EQ(doc, nlohmann::json({{"model", "spin"}}));
  const th::reported_work back = th::parse_work_document(doc);
  EXPECT_EQ(back.model, ts::work_model::spin);
  EXPECT_FALSE(back.rate);
}

TEST(ServeWorkReport, MalformedReportsThrow) {
  for (const char* text : {R"("compute")", R"({"model": "quantum"})", R"({"model": "compute"})",
                           R"({"model": "compute", "iterations_per_us": 0, "repetitions": 9, "run_us": 1,
                               "min_iterations_per_us": 0, "max_iterations_per_us": 0})"}) {
    EXPECT_THROW((void)th::parse_work_document(nlohmann::json::parse(text)), std::runtime_error) << text;
  }
}
