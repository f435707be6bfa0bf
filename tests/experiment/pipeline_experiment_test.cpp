// Sampling pipelines end to end, in process: a scenario with frequent errors and slow calls (so a
// short run has enough of both), run under head, tail and two-tier pipelines. What storage kept is
// checked against the ledger's ground truth; the collector's memory against Little's law; and the
// results file's "pipelines" object is read back as written, or rejected naming the bad field.

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <string>

#include "tracebench/experiment/experiment_runner.hpp"
#include "tracebench/experiment/memory_sweep.hpp"
#include "tracebench/report/pipeline_table.hpp"
#include "tracebench/results/pipeline_summary.hpp"
#include "tracebench/results/results_file.hpp"
#include "tracebench/services/scenario_loader.hpp"

namespace {

using namespace tracebench;
using namespace std::chrono_literals;

// 5% of requests fail at db; 5% call a store that takes 30 ms (the slow threshold is 20 ms).
const char* const kFlaky = R"({"name": "flaky", "entry": "api", "services": {
  "api": {"cpu_us": 20, "calls": [{"to": "db"}, {"to": "archive", "probability": 0.05}]},
  "db": {"cpu_us": 10, "wait_us": 200, "error_probability": 0.05},
  "archive": {"wait_us": 30000}}})";

services::scenario flaky() {
  auto loaded = services::parse_scenario(kFlaky);
  EXPECT_TRUE(loaded.ok()) << loaded.errors.front();
  return *loaded.value;
}

tracebench::collector::tail_collector_settings collector() {
  tracebench::collector::tail_collector_settings c;
  c.decision_wait = 50ms;
  c.num_traces = 1'000'000;
  c.slow = 20ms;
  c.baseline = 0.1;
  return c;
}

harness::experiment_plan pipeline_plan() {
  harness::experiment_plan plan;
  plan.configurations = {"off", "1/16", "tail", "1/16+tail"};
  plan.rounds = 1;
  plan.phase_duration = 500ms;
  plan.warmup = 50ms;
  plan.concurrency = 8;
  plan.graph_threads = 2;
  plan.lag_bound = 100ms;  // a shared machine; validity is not checked here
  plan.pipeline = collector();
  return plan;
}

// Five standard deviations of a binomial count: a bound a correct pipeline breaks about once in
// three million runs.
double five_sigma(std::uint64_t n, double p) { return 5 * std::sqrt(static_cast<double>(n) * p * (1 - p)) + 1; }

class PipelineExperiment : public testing::Test {
 protected:
  static void SetUpTestSuite() {
    result_ = new harness::experiment_result(harness::run_experiment(flaky(), pipeline_plan(), nullptr));
  }
  static void TearDownTestSuite() { delete result_; }

  static const harness::pipeline_record& record(const std::string& configuration) {
    for (const auto& run : result_->runs) {
      if (run.configuration == configuration && run.pipeline) return *run.pipeline;
    }
    throw std::logic_error("no pipeline record for " + configuration);
  }

  static harness::experiment_result* result_;
};

harness::experiment_result* PipelineExperiment::result_ = nullptr;

TEST_F(PipelineExperiment, EveryRunKnowsItsRequestsAndOffStoresNothing) {
  for (const auto& run : result_->runs) {
    SCOPED_TRACE(run.configuration);
    ASSERT_TRUE(run.pipeline);
    EXPECT_GT(run.pipeline->requests, 200U);  // the latency phase's
    EXPECT_LE(run.pipeline->kept, run.pipeline->requests);
    EXPECT_EQ(run.pipeline->collector.has_value(), run.configuration.find("tail") != std::string::npos);
  }
  EXPECT_EQ(record("off").kept, 0U);
  EXPECT_EQ(record("off").spans_stored, 0U);
}

TEST_F(PipelineExperiment, TailKeepsEveryErrorAndEverySlowRequestAndATenthOfTheRest) {
  const harness::pipeline_record& r = record("tail");
  ASSERT_GT(r.errors, 0U);
  ASSERT_GT(r.slow, 0U);
  EXPECT_EQ(r.kept_errors, r.errors);
  // Slow is the client's send to reply; the collector sees the trace's extent, which leaves out
  // queueing before the root span starts. A request that queued past the threshold can be missed.
  EXPECT_GE(static_cast<double>(r.kept_slow), 0.9 * static_cast<double>(r.slow));
  ASSERT_TRUE(r.collector);
  EXPECT_EQ(r.collector->traces_evicted, 0U);
  // kept = |errors or slow| + kept of the rest, and max(errors, slow) <= |errors or slow| <=
  // max + min; the rest (between requests - errors - slow and requests - max) is sampled at 10%.
  const std::uint64_t rest_high = r.requests - std::max(r.errors, r.slow);
  const std::uint64_t rest_low = r.requests - r.errors - r.slow;
  const double kept_beyond_max = static_cast<double>(r.kept - std::max(r.kept_errors, r.kept_slow));
  EXPECT_LE(kept_beyond_max, 0.1 * static_cast<double>(rest_high) + five_sigma(rest_high, 0.1) +
                                 static_cast<double>(std::min(r.errors, r.slow)));
  EXPECT_GE(kept_beyond_max, 0.1 * static_cast<double>(rest_low) - five_sigma(rest_low, 0.1));
}

TEST_F(PipelineExperiment, HeadAtOneInSixteenKeepsASixteenthBlindToOutcome) {
  const harness::pipeline_record& r = record("1/16");
  EXPECT_NEAR(static_cast<double>(r.kept), static_cast<double>(r.requests) / 16, five_sigma(r.requests, 1.0 / 16));
  EXPECT_LE(static_cast<double>(r.kept_errors), static_cast<double>(r.errors) / 16 + five_sigma(r.errors, 1.0 / 16));
}

TEST_F(PipelineExperiment, StoredSpansAreWholeTraces) {
  for (const std::string configuration : {"1/16", "tail"}) {
    SCOPED_TRACE(configuration);
    const harness::pipeline_record& r = record(configuration);
    ASSERT_GT(r.kept, 0U);
    // Every span of a kept trace, not only those carrying the request id.
    EXPECT_NEAR(static_cast<double>(r.spans_stored) / static_cast<double>(r.kept), result_->spans_per_request,
                0.2 * result_->spans_per_request);
    EXPECT_LE(r.spans_stored, r.spans_stored_in_run);
  }
}

TEST_F(PipelineExperiment, TwoTierKeepsNoMoreThanItsHeadSampled) {
  const harness::pipeline_record& r = record("1/16+tail");
  EXPECT_LE(static_cast<double>(r.kept), static_cast<double>(r.requests) / 16 + five_sigma(r.requests, 1.0 / 16));
  // Of what the head kept, the collector keeps every error.
  EXPECT_LE(r.kept_errors, r.errors);
}

TEST_F(PipelineExperiment, ReweightedRequestCountIsNearTruthWhereTheNaiveCountIsNot) {
  for (const std::string configuration : {"1/16", "tail"}) {
    SCOPED_TRACE(configuration);
    const harness::pipeline_record& r = record(configuration);
    const double truth = static_cast<double>(r.requests);
    const double sigma = (r.estimate.requests.high - r.estimate.requests.low) / (2 * 1.96);
    EXPECT_NEAR(r.estimate.requests.value, truth, 5 * sigma + 1);
    EXPECT_LT(r.estimate.naive_requests, 0.5 * truth);
  }
}

TEST_F(PipelineExperiment, SummaryAndResultsDocumentAgreeAndReadBack) {
  const auto summary = harness::summarize_pipelines(*result_);
  ASSERT_TRUE(summary);
  ASSERT_EQ(summary->rows.size(), 3U);  // off has no row
  EXPECT_EQ(summary->rows[1].configuration, "tail");
  ASSERT_TRUE(summary->rows[1].errors_captured());
  EXPECT_DOUBLE_EQ(*summary->rows[1].errors_captured(), 1.0);
  EXPECT_TRUE(summary->rows[1].collector_peak_traces);
  EXPECT_FALSE(summary->rows[0].collector_peak_traces);

  const nlohmann::ordered_json document = {{"pipelines", harness::pipelines_document(*summary)}};
  const auto back = harness::read_pipelines(document, "r.json");
  ASSERT_TRUE(back);
  EXPECT_EQ(harness::pipelines_document(*back), document["pipelines"]);
}

TEST(PipelinesDocument, BadFieldsAreOneLineNamingTheirPath) {
  harness::pipeline_summary summary;
  harness::pipeline_row row;
  row.configuration = "tail";
  row.requests = 10;
  row.kept = 2;
  row.exemplars.push_back({std::string(31, 'a') + "b", 1000, 1.7e9});
  summary.rows.push_back(row);
  summary.memory_sweep.push_back({"load", 1s, 100, 99, 4096, 100, 0});
  const nlohmann::ordered_json good = {{"pipelines", harness::pipelines_document(summary)}};
  ASSERT_TRUE(harness::read_pipelines(good, "r.json"));
  EXPECT_FALSE(harness::read_pipelines(nlohmann::ordered_json::object(), "r.json"));

  const auto rejects = [&](const std::string& pointer, const nlohmann::ordered_json& value,
                           const std::string& expected) {
    nlohmann::ordered_json bad = good;
    bad[nlohmann::ordered_json::json_pointer(pointer)] = value;
    try {
      (void)harness::read_pipelines(bad, "r.json");
      ADD_FAILURE() << pointer << " accepted";
    } catch (const harness::results_file_error& e) {
      const std::string what = e.what();
      EXPECT_EQ(what.find('\n'), std::string::npos) << what;
      EXPECT_EQ(what.rfind("r.json: " + expected, 0), 0U) << what;
    }
  };
  rejects("/pipelines/rows/0/kept", -1, "/pipelines/rows/0/kept");
  rejects("/pipelines/rows/0/kept", 11, "/pipelines/rows/0");
  rejects("/pipelines/rows/0/exemplars/0/trace_id", "xyz", "/pipelines/rows/0/exemplars/0/trace_id");
  rejects("/pipelines/rows/0/reweighting/runs", "two", "/pipelines/rows/0/reweighting/runs");
  rejects("/pipelines/memory_sweep/0/varied", "moon", "/pipelines/memory_sweep/0/varied");
  rejects("/pipelines/rows", "none", "/pipelines/rows");
}

TEST(ShardedCollectors, GrowingTheTierMidRunSplitsTracesInFlight) {
  // Each request calls db, then waits 40 ms on archive: its first and last spans end 40 ms apart,
  // so at any moment dozens of traces are part-exported.
  auto loaded = services::parse_scenario(R"({"name": "long", "entry": "api", "services": {
    "api": {"cpu_us": 20, "calls": [{"to": "db"}, {"to": "archive"}]},
    "db": {"cpu_us": 10}, "archive": {"wait_us": 40000}}})");
  ASSERT_TRUE(loaded.ok()) << loaded.errors.front();
  harness::experiment_plan plan = pipeline_plan();
  plan.configurations = {"off", "tail"};
  plan.concurrency = 32;
  plan.pipeline->collectors = 1;
  plan.pipeline->reshard_to = 2;
  const auto result = harness::run_experiment(*loaded.value, plan, nullptr);
  const harness::pipeline_record* tail = nullptr;
  for (const auto& run : result.runs) {
    if (run.configuration == "tail") tail = &*run.pipeline;
  }
  ASSERT_NE(tail, nullptr);
  EXPECT_EQ(tail->collectors, 2U);
  EXPECT_GT(tail->split_traces, 0U);
  EXPECT_LT(tail->split_traces, tail->requests / 4);  // only those in flight at the growth
  const auto summary = harness::summarize_pipelines(result);
  ASSERT_TRUE(summary);
  EXPECT_EQ(summary->rows.back().split_traces, tail->split_traces);
  const std::string table = harness::render_pipeline_tables(*summary, harness::table_style::text);
  EXPECT_NE(table.find("split traces"), std::string::npos) << table;
  EXPECT_NE(table.find("(2 collectors)"), std::string::npos) << table;
}

TEST(MemorySweep, CollectorHoldsAboutRateTimesWait) {
  harness::experiment_plan plan = pipeline_plan();
  plan.pipeline->decision_wait = 200ms;
  harness::memory_sweep_options options;
  options.offered_rate = 400;
  options.threads = 2;
  options.wait_factors = {0.5, 2};
  options.load_factors = {0.5, 1};
  options.duration = 500ms;
  const auto points = harness::sweep_collector_memory(flaky(), plan, options);
  ASSERT_EQ(points.size(), 4U);
  EXPECT_EQ(points[0].varied, "decision_wait");
  EXPECT_EQ(points[0].decision_wait, 100ms);
  EXPECT_EQ(points[1].decision_wait, 400ms);
  EXPECT_EQ(points[2].varied, "load");
  EXPECT_DOUBLE_EQ(points[2].offered_rate, 200);
  for (const auto& p : points) {
    SCOPED_TRACE(p.varied + " " + std::to_string(p.offered_rate));
    EXPECT_EQ(p.traces_evicted, 0U);
    EXPECT_GT(p.peak_bytes, 0U);
    // Little's law, plus up to one export interval (decisions come with batches) and a noisy machine.
    EXPECT_GE(static_cast<double>(p.peak_traces), 0.5 * p.expected_traces());
    EXPECT_LE(static_cast<double>(p.peak_traces), 2.0 * p.expected_traces() + 0.15 * p.achieved_rate + 10);
  }
  EXPECT_GT(points[1].peak_traces, points[0].peak_traces);  // four times the wait
  EXPECT_GT(points[3].peak_traces, points[2].peak_traces);  // twice the load
}

TEST(MemorySweep, NeedsACollectorAndARate) {
  harness::experiment_plan plan = pipeline_plan();
  harness::memory_sweep_options options;
  EXPECT_THROW((void)harness::sweep_collector_memory(flaky(), plan, options), std::invalid_argument);
  plan.pipeline.reset();
  options.offered_rate = 100;
  EXPECT_THROW((void)harness::sweep_collector_memory(flaky(), plan, options), std::invalid_argument);
}

}  // namespace
