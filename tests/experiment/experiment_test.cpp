// The experiment plan, its statistics and its table on synthetic runs, and one short real run
// against the fake services to show every row comes back filled.

#include <gtest/gtest.h>

#include <chrono>
#include <iostream>
#include <stdexcept>
#include <string>
#include <vector>

#include "tracebench/experiment/experiment_runner.hpp"
#include "tracebench/report/overhead_table.hpp"
#include "tracebench/results/experiment_plan.hpp"
#include "tracebench/results/experiment_summary.hpp"
#include "tracebench/services/scenario_loader.hpp"
#include "tracebench/services/tracing_config.hpp"

namespace tracebench::test {
namespace {

using namespace std::chrono_literals;
using harness::offered_load;

TEST(RoundOrders, EachRoundStartsOneLaterAndWraps) {
  const auto orders = harness::round_orders(3, 4);
  ASSERT_EQ(orders.size(), 4U);
  EXPECT_EQ(orders[0], (std::vector<std::size_t>{0, 1, 2}));
  EXPECT_EQ(orders[1], (std::vector<std::size_t>{1, 2, 0}));
  EXPECT_EQ(orders[2], (std::vector<std::size_t>{2, 0, 1}));
  EXPECT_EQ(orders[3], (std::vector<std::size_t>{0, 1, 2}));
  EXPECT_TRUE(harness::round_orders(0, 2)[1].empty());
}

TEST(OfferedLoad, ParsesFractionsPercentagesAndRates) {
  EXPECT_EQ(offered_load::parse("50%").type, offered_load::kind::fraction);
  EXPECT_DOUBLE_EQ(offered_load::parse("50%").value, 0.5);
  EXPECT_DOUBLE_EQ(offered_load::parse("0.25").value, 0.25);
  EXPECT_DOUBLE_EQ(offered_load::parse("1").value, 1.0);
  const offered_load rate = offered_load::parse("2000/s");
  EXPECT_EQ(rate.type, offered_load::kind::rate);
  EXPECT_DOUBLE_EQ(rate.value, 2000);
  EXPECT_DOUBLE_EQ(rate.rate_for(10), 2000);
  EXPECT_DOUBLE_EQ(offered_load::parse("50%").rate_for(1000), 500);
  EXPECT_EQ(rate.describe(), "2000/s");
  EXPECT_EQ(offered_load::parse("0.5").describe(), "50% of off capacity");
}

TEST(OfferedLoad, RejectsBadTextWithOneLineMessages) {
  const auto message = [](const char* text) {
    try {
      (void)offered_load::parse(text);
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string("(accepted)");
  };
  EXPECT_EQ(message("2000"), "load \"2000\": a fraction of capacity must be in (0, 1]; write N/s for a rate");
  EXPECT_EQ(message("150%"), "load \"150%\": a fraction of capacity must be in (0, 1]; write N/s for a rate");
  EXPECT_EQ(message("0"), "load \"0\": a fraction of capacity must be in (0, 1]; write N/s for a rate");
  EXPECT_EQ(message("fast/s"), "load \"fast/s\": expected a rate such as 2000/s");
  EXPECT_EQ(message("-5/s"), "load \"-5/s\": the rate must be above 0");
  EXPECT_EQ(message("x%"), "load \"x%\": expected a percentage such as 50%");
  EXPECT_EQ(message(""), "load \"\": expected a fraction of capacity (0.5 or 50%) or a rate (2000/s)");
  EXPECT_EQ(message("half"), "load \"half\": expected a fraction of capacity (0.5 or 50%) or a rate (2000/s)");
  for (const char* text : {"2000", "fast/s", ""}) EXPECT_EQ(message(text).find('\n'), std::string::npos);
}

TEST(ExperimentPlan, ValidateRequiresOffAndKnownConfigurations) {
  harness::experiment_plan plan;
  EXPECT_NO_THROW(harness::validate(plan));
  plan.configurations = {"1/1", "never"};
  EXPECT_THROW(harness::validate(plan), std::invalid_argument);
  plan.configurations = {"off", "sometimes"};
  EXPECT_THROW(harness::validate(plan), std::invalid_argument);
  plan.configurations = {"off", "off"};
  EXPECT_THROW(harness::validate(plan), std::invalid_argument);
  plan.configurations = {"off"};
  plan.rounds = 0;
  EXPECT_THROW(harness::validate(plan), std::invalid_argument);
}

// A run with only the figures the summary reads.
harness::run_record synthetic(const std::string& configuration, unsigned round, double throughput, double latency_us) {
  harness::run_record run;
  run.configuration = configuration;
  run.round = round;
  run.throughput = throughput;
  const auto ns = static_cast<std::int64_t>(latency_us * 1000);
  run.latency = {1000, ns, ns * 2, ns * 4, ns * 8, ns * 10, latency_us * 1000};
  run.spans.exported = configuration == "off" ? 0 : 3000;
  run.bytes_encoded = configuration == "off" ? 0 : 3000 * 400;
  return run;
}

harness::experiment_result planted(unsigned rounds) {
  harness::experiment_result result;
  result.scenario_name = "synthetic";
  result.plan.configurations = {"off", "never", "1/1", "1/16"};
  result.plan.rounds = rounds;
  result.offered_rate = 500;
  const double noise[] = {3, -2, 1, -4, 2, 0, -1};
  for (unsigned r = 0; r < rounds; ++r) {
    const double off = 1000 + noise[r % 7] * 5;  // rounds drift; deltas are per round
    result.runs.push_back(synthetic("off", r, off, 100));
    result.runs.push_back(synthetic("never", r, off, 100));  // exactly no change
    result.runs.push_back(synthetic("1/1", r, off * 0.9 * (1 + noise[(r + 3) % 7] / 1000), 120 + noise[r % 7]));
    result.runs.push_back(synthetic("1/16", r, off * (1 + noise[(r + 1) % 7] / 1000), 100 + noise[(r + 2) % 7]));
  }
  return result;
}

const harness::configuration_summary& row_of(const harness::experiment_summary& s, const std::string& name) {
  for (const auto& row : s.rows) {
    if (row.configuration == name) return row;
  }
  throw std::out_of_range(name);
}

TEST(ExperimentSummary, PlantedThroughputLossIsFoundOutsideTheNoise) {
  const auto summary = harness::summarize_experiment(planted(5));
  ASSERT_EQ(summary.rows.size(), 4U);
  const auto& full = row_of(summary, "1/1");
  ASSERT_EQ(full.throughput.per_round.size(), 5U);
  ASSERT_TRUE(full.throughput.stats);
  EXPECT_NEAR(full.throughput.stats->median, -10.0, 0.5);
  EXPECT_LT(full.throughput.stats->high, 0.0);
  EXPECT_FALSE(full.throughput.stats->within_noise);
  ASSERT_TRUE(full.mean_latency.stats);
  EXPECT_NEAR(full.mean_latency.stats->median, 20.0, 5.0);
  EXPECT_FALSE(full.mean_latency.stats->within_noise);
  EXPECT_DOUBLE_EQ(full.bytes_per_span, 400.0);
  EXPECT_DOUBLE_EQ(full.spans_exported_per_run, 3000.0);

  const auto& off = row_of(summary, "off");
  EXPECT_TRUE(off.baseline);
  EXPECT_FALSE(off.throughput.stats);
  EXPECT_EQ(off.runs, 5U);
}

TEST(ExperimentSummary, ZeroDeltaIsWithinNoise) {
  const auto summary = harness::summarize_experiment(planted(7));
  const auto& never = row_of(summary, "never");
  ASSERT_TRUE(never.throughput.stats);
  EXPECT_DOUBLE_EQ(never.throughput.stats->median, 0.0);
  EXPECT_TRUE(never.throughput.stats->within_noise);
  const auto& sixteenth = row_of(summary, "1/16");
  ASSERT_TRUE(sixteenth.throughput.stats);
  EXPECT_TRUE(sixteenth.throughput.stats->within_noise);  // +-0.4% noise around no change
}

TEST(ExperimentSummary, InvalidRunsAreCountedAndLeftOutOfTheDeltas) {
  auto result = planted(5);
  for (auto& run : result.runs) {
    if (run.configuration == "1/1" && run.round == 2) {
      run.latency_valid = false;
      run.latency_invalid_reason = "send-lag p99 3 ms > 1 ms";
    }
  }
  const auto summary = harness::summarize_experiment(result);
  const auto& full = row_of(summary, "1/1");
  EXPECT_EQ(full.invalid_runs, 1U);
  EXPECT_EQ(full.throughput.per_round.size(), 5U);  // phase 1 was fine
  EXPECT_EQ(full.mean_latency.per_round.size(), 4U);
  ASSERT_EQ(full.invalid_reasons.size(), 1U);
  EXPECT_EQ(full.invalid_reasons[0], "round 3: open loop: send-lag p99 3 ms > 1 ms");

  const std::string table = harness::render_overhead_table(summary);
  EXPECT_NE(table.find("5 (1 INVALID)"), std::string::npos) << table;
  EXPECT_NE(table.find("1/1 round 3: open loop: send-lag p99 3 ms > 1 ms"), std::string::npos) << table;
}

// The table line for `configuration`, found by its first column.
std::string line_of(const std::string& table, const std::string& configuration) {
  std::size_t at = 0;
  while (at < table.size()) {
    const std::size_t end = table.find('\n', at);
    const std::string line = table.substr(at, end - at);
    if (line.starts_with(configuration + " ")) return line;
    if (end == std::string::npos) break;
    at = end + 1;
  }
  return {};
}

// A text-table line split at its column gaps (two or more spaces).
TEST(ExperimentSummary, CpuPerRequestPredictionVolumeAndGeneratorHealth) {
  auto result = planted(5);
  result.costs = {
      .unsampled_span_ns = 10, .sampled_span_ns = 100, .export_ns_per_span = 300, .inject_ns = 60, .extract_ns = 40};
  result.spans_per_request = 10;
  result.hops_per_request = 4;
  result.projected_spans_per_second = 1000;
  for (auto& run : result.runs) {
    const double factor = run.configuration == "1/1" ? 1.2 : run.configuration == "1/16" ? 1.01 : 1.0;
    run.cpu_ns_per_request = 100'000 * factor;
    run.offered_rate = 500;
    run.achieved_rate = run.round == 3 && run.configuration == "1/16" ? 490 : 500;
    run.send_lag.p99 = run.configuration == "never" ? 4'000 : 2'000;
    run.dropped_sends = run.round == 1 ? 1 : 0;
  }
  const auto summary = harness::summarize_experiment(result);

  const auto& full = row_of(summary, "1/1");
  ASSERT_TRUE(full.cpu_per_request.stats);
  EXPECT_NEAR(full.cpu_per_request.stats->median, 20.0, 1e-9);
  EXPECT_DOUBLE_EQ(full.median_cpu_ns_per_request, 120'000);
  // 10 spans x (100 + 300) ns + 4 hops x (60 + 40) ns = 4,400 ns against off's 100,000.
  ASSERT_TRUE(full.predicted_cpu_change_percent);
  EXPECT_NEAR(*full.predicted_cpu_change_percent, 4.4, 1e-9);
  // Never: 10 unsampled spans x 10 ns + the same 400 ns of propagation.
  ASSERT_TRUE(row_of(summary, "never").predicted_cpu_change_percent);
  EXPECT_NEAR(*row_of(summary, "never").predicted_cpu_change_percent, 0.5, 1e-9);
  // 1/16: 10 x (400 / 16 + 10 x 15 / 16) + 400 = 743.75 ns.
  EXPECT_NEAR(*row_of(summary, "1/16").predicted_cpu_change_percent, 0.74375, 1e-9);
  EXPECT_FALSE(row_of(summary, "off").predicted);

  // 1000 spans/s for a day; 400 bytes per span over every exported span of the experiment.
  ASSERT_TRUE(full.projection);
  EXPECT_DOUBLE_EQ(full.projection->raw.spans, 86'400'000);
  EXPECT_DOUBLE_EQ(full.projection->sampled.spans, 86'400'000);
  ASSERT_TRUE(full.projection->raw.otlp_json_bytes);
  EXPECT_DOUBLE_EQ(*full.projection->raw.otlp_json_bytes, 86'400'000.0 * 400);
  const auto& sixteenth = row_of(summary, "1/16");
  ASSERT_TRUE(sixteenth.projection);
  EXPECT_DOUBLE_EQ(sixteenth.projection->sampled.spans, 86'400'000.0 / 16);
  EXPECT_DOUBLE_EQ(sixteenth.sampled_fraction, 1.0 / 16);
  EXPECT_DOUBLE_EQ(row_of(summary, "never").projection->sampled.spans, 0.0);

  EXPECT_DOUBLE_EQ(summary.generator.lowest_achieved_fraction, 0.98);
  EXPECT_DOUBLE_EQ(summary.generator.max_lag_p99_ns, 4'000);
  EXPECT_DOUBLE_EQ(summary.generator.median_lag_p99_ns, 2'000);
  EXPECT_EQ(summary.generator.dropped_sends, 4U);  // round 1's run of each of the 4 configurations

  const std::string table = harness::render_overhead_table(summary);
  EXPECT_NE(line_of(table, "1/1").find("+20.00% [+20.00, +20.00]"), std::string::npos) << table;
  EXPECT_NE(line_of(table, "1/1").find("+4.40%"), std::string::npos) << table;
  EXPECT_NE(table.find("Generator health: achieved at least 98% of the offered rate"), std::string::npos) << table;
  EXPECT_NE(table.find("4 dropped sends"), std::string::npos) << table;
}

TEST(Dapper, LookupByConfigurationName) {
  const auto full = harness::dapper_lookup("1/1");
  ASSERT_TRUE(full);
  EXPECT_DOUBLE_EQ(full->latency_change_percent, 16.3);
  EXPECT_DOUBLE_EQ(full->throughput_change_percent, -1.48);
  ASSERT_TRUE(harness::dapper_lookup("0.5"));  // the same rate, written differently
  EXPECT_DOUBLE_EQ(harness::dapper_lookup("0.5")->latency_change_percent, 9.40);
  EXPECT_DOUBLE_EQ(harness::dapper_lookup("1/1024")->throughput_change_percent, -0.06);
  EXPECT_FALSE(harness::dapper_lookup("off"));
  EXPECT_FALSE(harness::dapper_lookup("never"));
  EXPECT_FALSE(harness::dapper_lookup("1/32"));
  EXPECT_FALSE(harness::dapper_lookup("nonsense"));
}

std::vector<std::string> cells_of(const std::string& line) {
  std::vector<std::string> cells;
  std::size_t at = 0;
  while (at < line.size()) {
    std::size_t gap = line.find("  ", at);
    if (gap == std::string::npos) gap = line.size();
    cells.push_back(line.substr(at, gap - at));
    at = line.find_first_not_of(' ', gap);
    if (at == std::string::npos) break;
  }
  return cells;
}

TEST(OverheadTable, HasEveryRowAndDapperOnlyWhereItHasAFigure) {
  const std::string table = harness::render_overhead_table(harness::summarize_experiment(planted(5)));
  for (const char* name : {"off", "never", "1/1", "1/16"})
    EXPECT_FALSE(line_of(table, name).empty()) << name << '\n' << table;
  EXPECT_NE(table.find("Dapper latency"), std::string::npos);
  EXPECT_NE(line_of(table, "1/1").find("+16.30%"), std::string::npos) << table;
  EXPECT_NE(line_of(table, "1/1").find("-1.48%"), std::string::npos) << table;
  EXPECT_NE(line_of(table, "1/16").find("+2.12%"), std::string::npos) << table;
  EXPECT_NE(line_of(table, "1/16").find("-0.08%"), std::string::npos) << table;
  const std::string never = line_of(table, "never");
  const std::vector<std::string> cells = cells_of(never);
  ASSERT_EQ(cells.size(), cells_of(line_of(table, "config")).size()) << table;
  EXPECT_EQ(cells[cells.size() - 1], "-") << never;  // Dapper's two columns: no figure for never
  EXPECT_EQ(cells[cells.size() - 2], "-") << never;
  EXPECT_NE(cells[cells.size() - 3], "-") << never;  // its p99 is ours
  EXPECT_NE(line_of(table, "off").find("baseline"), std::string::npos);
  EXPECT_NE(never.find(" ~"), std::string::npos) << never;  // within noise, marked
  EXPECT_EQ(table.find("INVALID"), std::string::npos);
  std::cout << table;  // for eyes in the test log
}

// An A/A row that drifts the same way every round (+2..+5%), as a process's drift would: 1/16
// follows it within +-0.5% (its own interval misses 0, yet it cannot be told from the A/A row),
// while 1/1 costs 10% more than it.
harness::experiment_result planted_with_noise_floor() {
  harness::experiment_result result;
  result.scenario_name = "synthetic";
  result.plan.configurations = {"off", std::string(services::kOffAgain), "1/16", "1/1"};
  result.plan.rounds = 9;
  result.offered_rate = 500;
  const double drift[] = {3, 4, 2, 5, 3, 4, 2, 3, 4};
  const double jitter[] = {0.5, -0.5, 0.3, -0.3, 0.1, -0.1, 0.4, -0.4, 0};
  for (unsigned r = 0; r < 9; ++r) {
    const double aa = 1000 * (1 + drift[r] / 100);
    result.runs.push_back(synthetic("off", r, 1000, 100));
    result.runs.push_back(synthetic(std::string(services::kOffAgain), r, aa, 100));
    result.runs.push_back(synthetic("1/16", r, aa + 1000 * jitter[r] / 100, 100));
    result.runs.push_back(synthetic("1/1", r, aa + 100, 100));
  }
  return result;
}

TEST(ExperimentSummary, AaRowIsTheNoiseFloorAndMarksWhatCannotBeToldFromIt) {
  const auto summary = harness::summarize_experiment(planted_with_noise_floor());
  const auto& aa = row_of(summary, std::string(services::kOffAgain));
  EXPECT_TRUE(aa.noise_floor);
  EXPECT_FALSE(aa.baseline);
  ASSERT_TRUE(aa.throughput.stats);
  EXPECT_GT(aa.throughput.stats->low, 0.0);  // a drift, not noise around 0
  EXPECT_FALSE(aa.throughput.against_aa);

  const auto& slight = row_of(summary, "1/16");
  ASSERT_TRUE(slight.throughput.stats);
  EXPECT_GT(slight.throughput.stats->low, 0.0);  // its own interval excludes 0 ...
  ASSERT_TRUE(slight.throughput.against_aa);
  EXPECT_LE(slight.throughput.against_aa->low, 0.0);  // ... but not the A/A row's
  EXPECT_TRUE(slight.throughput.stats->within_noise);
  EXPECT_EQ(slight.throughput.rounds.size(), 9U);

  const auto& full = row_of(summary, "1/1");
  ASSERT_TRUE(full.throughput.against_aa);
  EXPECT_NEAR(full.throughput.against_aa->median, 10.0, 0.01);
  EXPECT_FALSE(full.throughput.stats->within_noise);
  EXPECT_FALSE(row_of(summary, "off").throughput.against_aa);
}

TEST(ExperimentSummary, WithoutAnAaRowNothingIsComparedToIt) {
  const auto summary = harness::summarize_experiment(planted(5));
  for (const auto& row : summary.rows) {
    EXPECT_FALSE(row.noise_floor) << row.configuration;
    EXPECT_FALSE(row.throughput.against_aa) << row.configuration;
  }
  EXPECT_EQ(harness::render_overhead_table(summary).find("Noise floor"), std::string::npos);
}

TEST(OverheadTable, ShowsTheAaRowApartAsTheNoiseFloor) {
  const std::string table = harness::render_overhead_table(harness::summarize_experiment(planted_with_noise_floor()));
  const std::size_t floor = table.find("Noise floor (A/A");
  ASSERT_NE(floor, std::string::npos) << table;
  const std::size_t aa_row = table.find("\n" + std::string(services::kOffAgain) + " ");
  ASSERT_NE(aa_row, std::string::npos) << table;
  EXPECT_GT(aa_row, floor) << table;  // under its own heading, after the overhead rows
  EXPECT_LT(table.find("\n1/1 "), floor) << table;
  EXPECT_NE(table.find("cannot be told from it"), std::string::npos) << table;
  std::cout << table;
}

TEST(OverheadTable, DroppedSpansAreCountedAboveTheTable) {
  harness::experiment_result result = planted(5);
  for (harness::run_record& run : result.runs) {
    if (run.configuration == "1/1") {
      run.spans.sampled = 10'000;
      run.spans.dropped = 250;
    }
  }
  const std::string table = harness::render_overhead_table(harness::summarize_experiment(result));
  const std::size_t warning = table.find("WARNING: Dropped spans: 1/1 dropped 1,250 of 50,000 sampled spans");
  ASSERT_NE(warning, std::string::npos) << table;
  EXPECT_LT(warning, table.find("\n1/16 ")) << table;
  EXPECT_EQ(table.find("never dropped"), std::string::npos) << table;
}

TEST(RunExperiment, TinyScenarioFillsEveryRow) {
  auto loaded = services::parse_scenario(R"({"name": "tiny", "entry": "api", "services": {"api": {"cpu_us": 20}}})");
  ASSERT_TRUE(loaded.ok()) << loaded.errors.front();
  harness::experiment_plan plan;
  plan.configurations = {"off", "1/1"};
  plan.rounds = 2;
  plan.phase_duration = 200ms;
  plan.warmup = 50ms;
  plan.concurrency = 2;
  plan.graph_threads = 2;
  plan.lag_bound = 50ms;  // a shared test machine; validity is not what this test checks
  std::size_t finished = 0;
  std::vector<std::string> events;
  const auto result = harness::run_experiment(*loaded.value, plan, [&](const harness::progress_event& e) {
    EXPECT_EQ(e.total, 4U);
    switch (e.what) {
      case harness::progress_event::kind::calibrating:
        events.emplace_back("calibrating");
        break;
      case harness::progress_event::kind::phase_started:
        events.push_back(std::string(e.configuration) + " phase " + std::to_string(e.phase));
        EXPECT_EQ(e.done, finished);
        break;
      case harness::progress_event::kind::run_finished:
        ++finished;
        EXPECT_EQ(e.done, finished);
        ASSERT_NE(e.finished, nullptr);
        EXPECT_EQ(e.finished->configuration, e.configuration);
        events.push_back(std::string(e.configuration) + " done");
        break;
    }
  });
  EXPECT_EQ(finished, 4U);
  const std::vector<std::string> expected{"calibrating", "off phase 1", "off phase 2", "off done",    "1/1 phase 1",
                                          "1/1 phase 2", "1/1 done",    "1/1 phase 1", "1/1 phase 2", "1/1 done",
                                          "off phase 1", "off phase 2", "off done"};
  EXPECT_EQ(events, expected);
  EXPECT_FALSE(result.interrupted);
  EXPECT_GT(result.costs.sampled_span_ns, result.costs.unsampled_span_ns);
  EXPECT_DOUBLE_EQ(result.spans_per_request, 1.0);
  ASSERT_EQ(result.runs.size(), 4U);
  EXPECT_EQ(result.runs[0].configuration, "off");  // round 0 starts at off: it fixes the rate
  EXPECT_EQ(result.runs[2].configuration, "1/1");  // round 1 is rotated
  EXPECT_GT(result.offered_rate, 0);
  for (const auto& run : result.runs) {
    SCOPED_TRACE(run.configuration + " round " + std::to_string(run.round));
    EXPECT_GT(run.throughput, 0);
    EXPECT_DOUBLE_EQ(run.offered_rate, result.offered_rate);
    EXPECT_GT(run.achieved_rate, 0);
    EXPECT_GT(run.latency.count, 0U);
    EXPECT_GT(run.latency.p50, 0);
    EXPECT_GE(run.latency.p999, run.latency.p99);
    EXPECT_GT(run.uncorrected_p99, 0);
    if (run.configuration == "off") {
      EXPECT_EQ(run.spans.started, 0U);
      EXPECT_EQ(run.bytes_encoded, 0U);
      EXPECT_EQ(run.spans_per_second, 0.0);
      EXPECT_FALSE(run.compression);
    } else {
      EXPECT_GT(run.spans.started, 0U);
      EXPECT_EQ(run.spans.sampled, run.spans.started);
      EXPECT_EQ(run.spans.exported + run.spans.dropped, run.spans.ended);
      EXPECT_GT(run.bytes_encoded, 0U);
      // One span per request at 1/1: phase 2's span rate is its request rate.
      EXPECT_NEAR(run.spans_per_second, run.offered_rate, 0.2 * run.offered_rate);
      ASSERT_TRUE(run.compression);
      EXPECT_LT(run.compression->ratio, 1.0);
    }
    // A fixed amount of computation, calibrated once: its CPU time moves with what shares the core
    // (a calibration under load reads fewer iterations per us), so allow a quarter below 20 us.
    EXPECT_GT(run.cpu_ns_per_request, 15'000.0);
    EXPECT_TRUE(run.load);
  }
  const auto summary = harness::summarize_experiment(result);
  ASSERT_EQ(summary.rows.size(), 2U);
  EXPECT_EQ(summary.rows[1].configuration, "1/1");
  EXPECT_EQ(summary.rows[1].runs, 2U);
  const std::string table = harness::render_overhead_table(summary);
  EXPECT_FALSE(line_of(table, "off").empty()) << table;
  EXPECT_FALSE(line_of(table, "1/1").empty()) << table;
}

}  // namespace
}  // namespace tracebench::test
