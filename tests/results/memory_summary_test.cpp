// Memory per configuration on synthetic runs: raw medians, changes against the same round's off
// run, the per-request difference of allocations where off allocates nothing, and the table, the
// reports and the results file that carry them.

#include <gtest/gtest.h>

#include <sstream>
#include <stdexcept>
#include <string>

#include "tracebench/report/csv_report.hpp"
#include "tracebench/report/markdown_report.hpp"
#include "tracebench/report/overhead_table.hpp"
#include "tracebench/results/experiment_summary.hpp"
#include "tracebench/results/results_document.hpp"
#include "tracebench/results/results_file.hpp"
#include "tracebench/services/tracing_config.hpp"

namespace harness = tracebench::harness;
namespace services = tracebench::services;

namespace {

constexpr std::uint64_t kMB = 1'000'000;
constexpr std::uint64_t kRequests = 1'000;

// A valid run whose memory is `peak_mb` peak, `heap_mb` heap in use and `per_request`
// allocations for each of kRequests requests.
harness::run_record run(const std::string& configuration, unsigned round, double peak_mb, double heap_mb,
                        double per_request) {
  harness::run_record r;
  r.configuration = configuration;
  r.round = round;
  r.throughput = 1000;
  r.latency = {1000, 100'000, 200'000, 400'000, 800'000, 1'000'000, 100'000};
  harness::memory_figures m;
  m.peak_rss_bytes = static_cast<std::uint64_t>(peak_mb * kMB);
  m.heap_in_use_bytes = static_cast<std::uint64_t>(heap_mb * kMB);
  m.requests = kRequests;
  m.allocations = static_cast<std::uint64_t>(per_request * kRequests);
  r.memory = m;
  return r;
}

// Rounds drift (off's figures move), the configurations' changes stay put: 1/1 costs +10% peak,
// +25% heap and 20 more allocations per request (5 -> 25, +400%); never costs nothing.
harness::experiment_result planted(unsigned rounds = 5) {
  harness::experiment_result result;
  result.scenario_name = "synthetic";
  result.plan.configurations = {"off", "never", "1/1"};
  result.plan.rounds = rounds;
  result.offered_rate = 500;
  for (unsigned r = 0; r < rounds; ++r) {
    const double drift = 1 + 0.01 * r;
    result.runs.push_back(run("off", r, 100 * drift, 20 * drift, 5));
    result.runs.push_back(run("never", r, 100 * drift, 20 * drift, 5));
    result.runs.push_back(run("1/1", r, 110 * drift, 25 * drift, 25));
  }
  return result;
}

const harness::configuration_summary& row_of(const harness::experiment_summary& s, const std::string& name) {
  for (const auto& row : s.rows) {
    if (row.configuration == name) return row;
  }
  throw std::out_of_range(name);
}

TEST(MemorySummary, ChangesAgainstTheSameRoundsOffRunAndRawMedians) {
  const harness::experiment_summary summary = harness::summarize_experiment(planted());
  const auto& full = row_of(summary, "1/1");
  ASSERT_TRUE(full.peak_rss.stats);
  EXPECT_NEAR(full.peak_rss.stats->median, 10.0, 1e-6);
  EXPECT_NEAR(full.peak_rss.stats->low, 10.0, 1e-6);  // the drift cancels round by round
  EXPECT_FALSE(full.peak_rss.stats->within_noise);
  ASSERT_TRUE(full.heap_in_use.stats);
  EXPECT_NEAR(full.heap_in_use.stats->median, 25.0, 1e-6);
  ASSERT_TRUE(full.allocations_per_request.stats);
  EXPECT_NEAR(full.allocations_per_request.stats->median, 400.0, 1e-9);
  ASSERT_TRUE(full.allocations_added_per_request.stats);
  EXPECT_DOUBLE_EQ(full.allocations_added_per_request.stats->median, 20.0);
  EXPECT_EQ(full.allocations_added_per_request.per_round.size(), 5U);
  EXPECT_EQ(full.allocations_added_per_request.rounds, (std::vector<unsigned>{0, 1, 2, 3, 4}));
  // Medians of the raw figures: round 2's, drift 1.02.
  ASSERT_TRUE(full.median_peak_rss_bytes);
  EXPECT_NEAR(*full.median_peak_rss_bytes, 110 * 1.02 * kMB, 1);
  ASSERT_TRUE(full.median_heap_in_use_bytes);
  EXPECT_NEAR(*full.median_heap_in_use_bytes, 25 * 1.02 * kMB, 1);
  ASSERT_TRUE(full.median_allocations_per_request);
  EXPECT_DOUBLE_EQ(*full.median_allocations_per_request, 25.0);

  const auto& never = row_of(summary, "never");
  ASSERT_TRUE(never.allocations_added_per_request.stats);
  EXPECT_DOUBLE_EQ(never.allocations_added_per_request.stats->median, 0.0);
  EXPECT_TRUE(never.allocations_added_per_request.stats->within_noise);
  EXPECT_TRUE(never.peak_rss.stats->within_noise);

  const auto& off = row_of(summary, "off");
  EXPECT_FALSE(off.peak_rss.stats);  // the baseline has no change against itself
  ASSERT_TRUE(off.median_allocations_per_request);
  EXPECT_DOUBLE_EQ(*off.median_allocations_per_request, 5.0);
}

TEST(MemorySummary, OffAllocatingNothingLeavesNoPercentButTheDifference) {
  harness::experiment_result result = planted();
  for (harness::run_record& r : result.runs) {
    if (r.configuration == "off") r.memory->allocations = 0;
  }
  const harness::experiment_summary summary = harness::summarize_experiment(result);
  const auto& full = row_of(summary, "1/1");
  EXPECT_FALSE(full.allocations_per_request.stats);  // +inf% is no figure
  EXPECT_TRUE(full.allocations_per_request.per_round.empty());
  ASSERT_TRUE(full.allocations_added_per_request.stats);
  EXPECT_DOUBLE_EQ(full.allocations_added_per_request.stats->median, 25.0);
  const std::string table = harness::render_overhead_table(summary);
  EXPECT_NE(table.find("+25.00 [+25.00, +25.00]"), std::string::npos) << table;
}

TEST(MemorySummary, InvalidRunsAndRunsWithoutFiguresAreLeftOut) {
  harness::experiment_result result = planted();
  for (harness::run_record& r : result.runs) {
    if (r.configuration == "1/1" && r.round == 1) {
      // A backlog's memory is not the configuration's: its phase-2 figures are left out.
      r.latency_valid = false;
      r.memory->allocations = 1'000'000 * kRequests;
      r.memory->heap_in_use_bytes = 900 * kMB;
    }
    if (r.configuration == "1/1" && r.round == 2) r.memory.reset();        // e.g. a run from an older file
    if (r.configuration == "1/1" && r.round == 3) r.memory->requests = 0;  // the open loop never ran
  }
  const harness::experiment_summary summary = harness::summarize_experiment(result);
  const auto& full = row_of(summary, "1/1");
  EXPECT_EQ(full.peak_rss.rounds, (std::vector<unsigned>{0, 3, 4}));  // round 1's run is invalid
  EXPECT_EQ(full.heap_in_use.rounds, (std::vector<unsigned>{0, 4}));
  EXPECT_EQ(full.allocations_added_per_request.rounds, (std::vector<unsigned>{0, 4}));
  EXPECT_DOUBLE_EQ(*full.median_allocations_per_request, 25.0);
  EXPECT_NEAR(*full.median_heap_in_use_bytes, 25 * 1.02 * kMB, 1);  // rounds 0 and 4: (1.00 + 1.04) / 2
}

TEST(MemorySummary, TheAaRowIsTheNoiseFloorOfMemoryToo) {
  harness::experiment_result result;
  result.plan.configurations = {"off", std::string(services::kOffAgain), "1/16"};
  result.plan.rounds = 9;
  // The second off run of each round holds 3-6% more (a process's leftovers); 1/16 follows it.
  const double drift[] = {3, 4, 5, 6, 3, 4, 5, 6, 4};
  for (unsigned r = 0; r < 9; ++r) {
    const double aa = 100 * (1 + drift[r] / 100);
    result.runs.push_back(run("off", r, 100, 20, 5));
    result.runs.push_back(run(std::string(services::kOffAgain), r, aa, 20, 5));
    result.runs.push_back(run("1/16", r, aa + (r % 2 == 0 ? 0.2 : -0.2), 20, 6));
  }
  const harness::experiment_summary summary = harness::summarize_experiment(result);
  const auto& sixteenth = row_of(summary, "1/16");
  ASSERT_TRUE(sixteenth.peak_rss.stats);
  EXPECT_GT(sixteenth.peak_rss.stats->low, 0.0);  // its own interval misses 0 ...
  ASSERT_TRUE(sixteenth.peak_rss.against_aa);
  EXPECT_TRUE(sixteenth.peak_rss.stats->within_noise);  // ... yet it cannot be told from off'
  ASSERT_TRUE(sixteenth.allocations_added_per_request.against_aa);
  EXPECT_DOUBLE_EQ(sixteenth.allocations_added_per_request.against_aa->median, 1.0);
  EXPECT_FALSE(sixteenth.allocations_added_per_request.stats->within_noise);
}

TEST(MemorySummary, TheTableShowsAMemorySectionWithinOneHundredTwentyColumns) {
  const std::string table = harness::render_overhead_table(harness::summarize_experiment(planted()));
  const std::size_t memory = table.find("\nMemory\n");
  ASSERT_NE(memory, std::string::npos) << table;
  const std::string section = table.substr(memory);
  for (const char* wanted :
       {"peak RSS", "heap in use", "allocs/req", "allocs/req added", "112 MB", "+10.00% [+10.00, +10.00]",
        "+25.00% [+25.00, +25.00]", "+20.00 [+20.00, +20.00]", "baseline", "operator new"})
    EXPECT_NE(section.find(wanted), std::string::npos) << wanted << '\n' << section;
  // The table's lines, up to its note (a paragraph the terminal wraps).
  std::istringstream lines(section.substr(1));
  std::size_t rows = 0;
  for (std::string line; std::getline(lines, line) && !line.starts_with("Memory:");) {
    EXPECT_LE(line.size(), 120U) << line;
    ++rows;
  }
  EXPECT_EQ(rows, 5U) << section;  // title, header, off, never, 1/1
}

TEST(MemorySummary, TablesLeaveMemoryOutForRunsWithoutIt) {
  harness::experiment_result result = planted();
  for (harness::run_record& r : result.runs) r.memory.reset();
  const harness::experiment_summary summary = harness::summarize_experiment(result);
  EXPECT_FALSE(row_of(summary, "1/1").median_peak_rss_bytes);
  EXPECT_FALSE(row_of(summary, "1/1").peak_rss.stats);
  EXPECT_EQ(harness::render_overhead_table(summary).find("\nMemory\n"), std::string::npos);
}

// Through a results file: the reports carry every memory figure, and written again the document
// is the same.
TEST(MemorySummary, ResultsFileAndReportsCarryTheMemoryColumns) {
  harness::experiment_result result = planted();
  const harness::experiment_summary summary = harness::summarize_experiment(result);
  const nlohmann::ordered_json document = harness::results_document(result, summary);
  const nlohmann::ordered_json& row = document["summary"]["rows"][2];
  EXPECT_DOUBLE_EQ(row["allocations_added_per_request"]["median"].get<double>(), 20.0);
  EXPECT_TRUE(row["allocations_added_per_request"].contains("per_round"));
  EXPECT_FALSE(row["allocations_added_per_request"].contains("per_round_percent"));
  EXPECT_EQ(document["runs"][0]["memory"]["requests"].get<std::uint64_t>(), kRequests);
  EXPECT_DOUBLE_EQ(document["runs"][2]["memory"]["allocations_per_request"].get<double>(), 25.0);

  const harness::results_file read = harness::parse_results_file(document, "memory.json");
  ASSERT_TRUE(read.runs[2].memory);
  EXPECT_EQ(read.runs[2].memory->allocations, 25 * kRequests);
  EXPECT_EQ(read.runs[2].memory->peak_rss_bytes, 110 * kMB);
  const auto& full = row_of(read.summary, "1/1");
  ASSERT_TRUE(full.allocations_added_per_request.stats);
  EXPECT_DOUBLE_EQ(full.allocations_added_per_request.stats->median, 20.0);
  EXPECT_EQ(full.allocations_added_per_request.per_round.size(), 5U);
  result.runs = read.runs;
  EXPECT_EQ(harness::results_document(result, read.summary)["summary"], document["summary"]);

  const std::string md = harness::render_markdown_report(read);
  EXPECT_NE(md.find("## Memory\n\n| rate | peak RSS | peak RSS chg | heap in use | heap in use chg | allocs/req | "
                    "allocs/req chg | allocs/req added |"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("| 1/1 | 112 MB | +10.00% [+10.00, +10.00] | 25.5 MB | +25.00% [+25.00, +25.00] | 25 | "
                    "+400.00% [+400.00, +400.00] | +20.00 [+20.00, +20.00] |"),
            std::string::npos)
      << md;
  const std::string csv = harness::render_csv_report(read);
  const std::string header = csv.substr(0, csv.find("\r\n"));
  for (const char* column : {",peak_rss_bytes,", ",heap_in_use_change_percent,", ",allocations_per_request_added,",
                             ",allocations_per_request_added_within_noise"})
    EXPECT_NE(header.find(column), std::string::npos) << column << '\n' << header;
  EXPECT_NE(csv.find(",20,20,20,false"), std::string::npos) << csv;  // 1/1's allocations added, at the end
}

}  // namespace
