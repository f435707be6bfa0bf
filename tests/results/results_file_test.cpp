// Reading results files back: what run writes comes back field for field, and a broken file
// gets one line naming the file and the JSON path of the problem.

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>

#include "tracebench/results/experiment_summary.hpp"
#include "tracebench/results/results_document.hpp"
#include "tracebench/results/results_file.hpp"

namespace harness = tracebench::harness;
using json = nlohmann::ordered_json;

namespace {

harness::run_record synthetic(const std::string& configuration, unsigned round, double throughput, double latency_us) {
  harness::run_record run;
  run.configuration = configuration;
  run.round = round;
  run.position = round % 3;
  run.throughput = throughput;
  run.cpu_ns_per_request = 500'000 + 1000.0 * round;
  run.offered_rate = 400;
  run.achieved_rate = 399.5;
  const auto ns = static_cast<std::int64_t>(latency_us * 1000);
  run.latency = {1000, ns, ns * 2, ns * 4, ns * 8, ns * 10, latency_us * 1000};
  run.latency_distribution.record(ns, 1000);
  run.send_lag = {1000, 3000, 4000, 5000, 6000, 7000, 3500.5};
  run.spans = {4000, configuration == "off" ? 0U : 3000U, 3000, 2990, 10};
  run.bytes_encoded = configuration == "off" ? 0 : 2990 * 400;
  run.spans_per_second = 1234.5;
  if (configuration != "off") run.compression = harness::compression_figures{2, 100, 40'000, 4'000, 0.1, 40};
  run.load = harness::machine_load{0.02, 1.1};
  run.memory = harness::memory_figures{40'000'000 + 1000 * round, 9'000'000, configuration == "off" ? 0U : 12'345U,
                                       configuration == "1/1" && round == 2 ? 0U : 500U};
  if (round == 1 && configuration == "1/16") {
    run.latency_valid = false;
    run.latency_invalid_reason = "send-lag p99 3 ms over the 1 ms bound";
  }
  return run;
}

harness::experiment_result planted() {
  harness::experiment_result result;
  result.scenario_name = "synthetic";
  result.plan.configurations = {"off", "never", "1/1", "1/16"};
  result.plan.rounds = 3;
  result.offered_rate = 400;
  result.graph_threads = 1;
  result.spans_per_request = 4;
  result.hops_per_request = 3;
  result.projected_spans_per_second = 80'000;
  result.costs = {20, 300, 900, 150, 160};
  for (unsigned r = 0; r < 3; ++r) {
    result.runs.push_back(synthetic("off", r, 1000 + r, 100));
    result.runs.push_back(synthetic("never", r, 990 + r, 101));
    result.runs.push_back(synthetic("1/1", r, 900 - r, 130 + r));
    result.runs.push_back(synthetic("1/16", r, 995, 102));
  }
  harness::recorded_trace trace{"1/1", 400, 400, std::string(32, 'a'), 5'000'000, {}};
  trace.spans.push_back({"00000000000000a1", "", "gateway", "GET /", "server", 0, 5'000'000, false});
  trace.spans.push_back({"00000000000000a2", "00000000000000a1", "db", "query", "client", 1000, 4'000'000, true});
  result.slowest_trace = trace;
  return result;
}

json written() {
  const harness::experiment_result result = planted();
  return harness::results_document(result, harness::summarize_experiment(result));
}

std::string error_of(const json& document) {
  try {
    (void)harness::parse_results_file(document, "r.json");
  } catch (const harness::results_file_error& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace

TEST(ResultsFile, SummaryRunsAndTraceComeBackAsWritten) {
  harness::experiment_result result = planted();
  const json document = written();
  const harness::results_file read = harness::parse_results_file(document, "r.json");

  // Written again from what was read, the document is the same: every field came back.
  result.runs = read.runs;
  result.slowest_trace = read.slowest_trace;
  const json again = harness::results_document(result, read.summary);
  EXPECT_EQ(again["summary"], document["summary"]);
  EXPECT_EQ(again["runs"], document["runs"]);
  EXPECT_EQ(again["slowest_trace"], document["slowest_trace"]);

  EXPECT_EQ(read.summary.scenario_name, "synthetic");
  EXPECT_EQ(read.summary.rows.size(), 4U);
  EXPECT_EQ(read.summary.rows[2].configuration, "1/1");
  EXPECT_EQ(read.summary.rows[2].throughput.per_round.size(), 3U);
  EXPECT_EQ(read.summary.rows[3].invalid_runs, 1U);
  EXPECT_EQ(read.summary.rows[0].latency.count(), 3000U);
  EXPECT_DOUBLE_EQ(read.summary.costs.export_ns_per_span, 900);
  ASSERT_TRUE(read.slowest_trace);
  EXPECT_EQ(read.slowest_trace->spans.size(), 2U);
  EXPECT_TRUE(read.slowest_trace->spans[1].error);
  EXPECT_EQ(read.origin, "r.json");

  ASSERT_TRUE(read.runs[2].memory);
  EXPECT_EQ(read.runs[2].memory->peak_rss_bytes, 40'000'000U);
  EXPECT_EQ(read.runs[2].memory->heap_in_use_bytes, 9'000'000U);
  EXPECT_EQ(read.runs[2].memory->allocations, 12'345U);
  EXPECT_EQ(read.runs[2].memory->requests, 500U);
  EXPECT_TRUE(document["runs"][10]["memory"]["allocations_per_request"].is_null());  // 1/1 round 2: no request
  const harness::configuration_summary& full = read.summary.rows[2];
  ASSERT_TRUE(full.median_allocations_per_request);
  EXPECT_DOUBLE_EQ(*full.median_allocations_per_request, 12'345.0 / 500);
  ASSERT_TRUE(full.median_peak_rss_bytes);
  EXPECT_EQ(full.peak_rss.per_round.size(), 3U);
  EXPECT_EQ(full.allocations_added_per_request.per_round.size(), 2U);
  EXPECT_FALSE(full.allocations_per_request.stats);  // off allocated nothing: no percent
  EXPECT_TRUE(full.allocations_added_per_request.stats);
}

TEST(ResultsFile, OlderFilesWithoutMemoryAreRead) {
  json document = written();
  for (json& run : document["runs"]) run.erase("memory");
  for (json& row : document["summary"]["rows"]) {
    for (const char* key :
         {"median_peak_rss_bytes", "median_heap_in_use_bytes", "median_allocations_per_request", "peak_rss_change",
          "heap_in_use_change", "allocations_per_request_change", "allocations_added_per_request"})
      row.erase(key);
  }
  const harness::results_file read = harness::parse_results_file(document, "old.json");
  EXPECT_FALSE(read.runs[0].memory);
  EXPECT_FALSE(read.summary.rows[2].median_peak_rss_bytes);
  EXPECT_FALSE(read.summary.rows[2].peak_rss.stats);
  EXPECT_TRUE(read.summary.rows[2].allocations_added_per_request.per_round.empty());
}

TEST(ResultsFile, OlderFilesWithoutATraceAreRead) {
  json document = written();
  document.erase("slowest_trace");
  EXPECT_FALSE(harness::parse_results_file(document, "r.json").slowest_trace);
  document["slowest_trace"] = nullptr;
  EXPECT_FALSE(harness::parse_results_file(document, "r.json").slowest_trace);
}

// An adaptive run of enough rounds for the geometric mean's interval, stopped by its budget.
harness::experiment_result adaptive_run() {
  harness::experiment_result result;
  result.scenario_name = "synthetic";
  result.plan.configurations = {"off", "1/1"};
  result.plan.rounds = 10;
  result.plan.precision = {{harness::comparison_metric::cpu, 0.5}, {harness::comparison_metric::throughput, 50}};
  result.plan.max_time = std::chrono::minutes(10);
  result.rounds_ended = harness::rounds_end::time_budget;
  for (unsigned r = 0; r < 22; ++r) {
    result.runs.push_back(synthetic("off", r, 1000, 100));
    result.runs.push_back(synthetic("1/1", r, 900 + 3.0 * (r % 5), 130));
    result.runs.back().cpu_ns_per_request *= 1.1 + 0.01 * (r % 3);
  }
  return result;
}

TEST(ResultsFile, ThePrecisionOutcomeAndGeometricMeansComeBack) {
  harness::experiment_result result = adaptive_run();
  const harness::experiment_summary summary = harness::summarize_experiment(result);
  const json document = harness::results_document(result, summary);
  EXPECT_EQ(document["plan"]["precision"][0]["metric"], "cpu");
  EXPECT_EQ(document["plan"]["max_time_s"], 600.0);
  EXPECT_EQ(document["summary"]["rounds"], 22);
  const json& precision = document["summary"]["precision"];
  EXPECT_EQ(precision["ended"], "time_budget");
  EXPECT_EQ(precision["min_rounds"], 10);
  EXPECT_EQ(precision["reached"], false);
  EXPECT_EQ(precision["targets"][0]["reached"], false);  // cpu swings by 1 point
  EXPECT_EQ(precision["targets"][1]["reached"], true);
  EXPECT_EQ(precision["targets"][0]["worst_configuration"], "1/1");
  EXPECT_TRUE(precision["targets"][0]["worst_geometric_mean_half_width"].is_number());
  EXPECT_TRUE(document["summary"]["rows"][1]["cpu_per_request_change"].contains("geometric_mean"));

  const harness::results_file read = harness::parse_results_file(document, "r.json");
  ASSERT_TRUE(read.summary.adaptive);
  EXPECT_EQ(read.summary.adaptive->ended, harness::rounds_end::time_budget);
  EXPECT_EQ(read.summary.adaptive->precision.targets.size(), 2U);
  ASSERT_TRUE(read.summary.rows[1].cpu_per_request.geometric_mean);
  result.runs = read.runs;
  EXPECT_EQ(harness::results_document(result, read.summary)["summary"], document["summary"]);
}

TEST(ResultsFile, OlderFilesWithoutPrecisionOrGeometricMeansAreRead) {
  json document = harness::results_document(adaptive_run(), harness::summarize_experiment(adaptive_run()));
  document["summary"].erase("precision");
  document["summary"]["rows"][1]["cpu_per_request_change"].erase("geometric_mean");
  document["plan"].erase("precision");
  document["plan"].erase("max_time_s");
  const harness::results_file read = harness::parse_results_file(document, "r.json");
  EXPECT_FALSE(read.summary.adaptive);
  EXPECT_FALSE(read.summary.rows[1].cpu_per_request.geometric_mean);
  // And a plan that did not adapt writes null.
  EXPECT_TRUE(written()["summary"]["precision"].is_null());
  EXPECT_FALSE(harness::parse_results_file(written(), "r.json").summary.adaptive);
}

TEST(ResultsFile, EachBrokenFieldIsNamedByItsPath) {
  const json good = written();
  struct broken {
    std::string pointer;
    json value;  // null with erase = true removes the field
    bool erase;
    std::string expected;
  };
  const broken cases[] = {
      {"/schema", "tracebench.results/2", false,
       "r.json: /schema: expected \"tracebench.results/1\", got \"tracebench.results/2\""},
      {"/summary/rows/2/runs", -1, false, "r.json: /summary/rows/2/runs: expected an unsigned integer"},
      {"/summary/rows/1/throughput_change/per_round_percent/0", "x", false,
       "r.json: /summary/rows/1/throughput_change/per_round_percent/0: expected a number"},
      {"/summary/rows/0/configuration", nullptr, true, "r.json: /summary/rows/0: missing \"configuration\""},
      {"/runs/4/latency_ns/p99", 1.5, false, "r.json: /runs/4/latency_ns/p99: expected an integer"},
      {"/plan/transport", "carrier-pigeon", false, "r.json: /plan/transport: unknown transport \"carrier-pigeon\""},
      {"/summary/generator", json::array(), false, "r.json: /summary/generator: expected an object"},
      {"/slowest_trace/spans/1/error", "yes", false, "r.json: /slowest_trace/spans/1/error: expected true or false"},
      {"/summary/rows/3/latency_histogram/buckets", "none", false, "r.json: /summary/rows/3/latency_histogram: "},
      {"/runs/5/memory/peak_rss_bytes", -1, false,
       "r.json: /runs/5/memory/peak_rss_bytes: expected an unsigned integer"},
      {"/runs/5/memory/requests", nullptr, true, "r.json: /runs/5/memory: missing \"requests\""},
      {"/summary/rows/2/allocations_added_per_request/per_round/0", "x", false,
       "r.json: /summary/rows/2/allocations_added_per_request/per_round/0: expected a number"},
      {"/summary/rows/2/median_peak_rss_bytes", "big", false,
       "r.json: /summary/rows/2/median_peak_rss_bytes: expected a number"},
      {"/summary/precision", json::array(), false, "r.json: /summary/precision: expected an object"},
  };
  for (const broken& c : cases) {
    json document = good;
    const json::json_pointer pointer(c.pointer);
    if (c.erase) {
      document[pointer.parent_pointer()].erase(pointer.back());
    } else {
      document[pointer] = c.value;
    }
    const std::string error = error_of(document);
    EXPECT_TRUE(error.starts_with(c.expected)) << c.pointer << ": " << error;
    EXPECT_EQ(error.find('\n'), std::string::npos) << error;
  }
  EXPECT_EQ(error_of(json::array()), "r.json: /: expected a JSON object (a tracebench results file)");
}

TEST(ResultsFile, FilesThatAreMissingOrNotJsonSayWhich) {
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("results_file_test_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string missing = (dir / "missing.json").string();
  try {
    (void)harness::read_results_file(missing);
    ADD_FAILURE() << "read a missing file";
  } catch (const harness::results_file_error& e) {
    EXPECT_EQ(std::string(e.what()), missing + ": cannot open the file");
  }
  const std::string truncated = (dir / "truncated.json").string();
  std::ofstream(truncated) << written().dump().substr(0, 500);
  try {
    (void)harness::read_results_file(truncated);
    ADD_FAILURE() << "read a truncated file";
  } catch (const harness::results_file_error& e) {
    EXPECT_TRUE(std::string(e.what()).starts_with(truncated + ": not JSON: ")) << e.what();
  }
  const std::string whole = (dir / "whole.json").string();
  std::ofstream(whole) << written().dump(2);
  EXPECT_EQ(harness::read_results_file(whole).summary.rows.size(), 4U);
  std::filesystem::remove_all(dir);
}
