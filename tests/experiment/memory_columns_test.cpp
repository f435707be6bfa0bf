// The memory columns on a run that allocates on purpose: run_experiment against a graph whose
// traced configuration makes 1,000 more allocations per request and keeps 16 KiB per request of
// its latency phase. The figures come from the runner's own meter, not planted records.

#include <gtest/gtest.h>

#include <array>
#include <chrono>
#include <cstring>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "tracebench/common/memory_meter.hpp"
#include "tracebench/experiment/experiment_runner.hpp"
#include "tracebench/report/overhead_table.hpp"
#include "tracebench/results/experiment_summary.hpp"
#include "tracebench/services/scenario_loader.hpp"

namespace tracebench::test {
namespace {

using namespace std::chrono_literals;

constexpr std::size_t kExtraAllocations = 1000;
constexpr std::size_t kKeptBytes = 16 * 1024;  // under glibc's mmap threshold: in the arena
constexpr std::size_t kMaxKept = 4000;

void* volatile escaped = nullptr;  // stores through it cannot be dropped as dead

// Answers every request at once. Under "1/1" each request also makes kExtraAllocations
// allocations it frees, and during the latency phase keeps one more block of kKeptBytes until
// the run ends: 1,001 allocations per request more than off, and the heap grows by what it kept.
class allocating_graph final : public harness::run_graph, public harness::load_target {
 public:
  explicit allocating_graph(bool allocates) : allocates_(allocates) { kept_.reserve(kMaxKept); }

  harness::load_target& target() override { return *this; }
  void settle() override {}
  std::uint64_t spans_exported() override { return 0; }
  void latency_phase_started() override { keeping_ = allocates_; }
  harness::run_spans finish() override { return {}; }

  void send(std::uint64_t, harness::reply_callback done) override {
    if (allocates_) {
      std::array<void*, kExtraAllocations> scratch{};
      for (void*& p : scratch) p = ::operator new(48);
      escaped = scratch[kExtraAllocations / 2];
      for (void* p : scratch) ::operator delete(p);
    }
    // Only the open loop's generator thread sends once keeping starts.
    if (keeping_ && kept_.size() < kMaxKept) {
      kept_.emplace_back(new char[kKeptBytes]);
      std::memset(kept_.back().get(), 3, kKeptBytes);
    }
    done(false);
  }

 private:
  bool allocates_;
  bool keeping_ = false;
  std::vector<std::unique_ptr<char[]>> kept_;
};

TEST(MemoryColumns, ARunThatAllocatesOnPurposeShowsItAgainstOff) {
  auto loaded = services::parse_scenario(
      R"({"name": "tiny", "entry": "api", "work": "spin", "services": {"api": {"cpu_us": 20}}})");
  ASSERT_TRUE(loaded.ok()) << loaded.errors.front();
  harness::experiment_plan plan;
  plan.configurations = {"off", "1/1"};
  plan.rounds = 2;
  plan.phase_duration = 150ms;
  plan.warmup = 50ms;
  plan.concurrency = 2;
  plan.load = harness::offered_load::parse("2000/s");
  plan.lag_bound = 1s;  // validity is not what this test checks; a slow moment must not drop a run
  const harness::graph_launcher launch = [](const std::string& configuration, unsigned) {
    return std::make_unique<allocating_graph>(configuration == "1/1");
  };
  const harness::experiment_result result = harness::run_experiment(*loaded.value, plan, {}, nullptr, launch);
  ASSERT_EQ(result.runs.size(), 4U);

  for (unsigned round = 0; round < 2; ++round) {
    const harness::run_record* off = nullptr;
    const harness::run_record* full = nullptr;
    for (const harness::run_record& run : result.runs) {
      if (run.round == round) (run.configuration == "off" ? off : full) = &run;
    }
    ASSERT_TRUE(off && full && off->memory && full->memory);
    SCOPED_TRACE("round " + std::to_string(round));
    // 2000/s over the 200 ms open loop, warm-up included.
    EXPECT_NEAR(static_cast<double>(full->memory->requests), 400, 40);
    const auto off_per_request = off->memory->allocations_per_request();
    const auto full_per_request = full->memory->allocations_per_request();
    ASSERT_TRUE(off_per_request && full_per_request);
    EXPECT_NEAR(*full_per_request - *off_per_request, kExtraAllocations + 1, 3);
    const double kept = static_cast<double>(full->memory->requests * kKeptBytes);
    const double grown =
        static_cast<double>(full->memory->heap_in_use_bytes) - static_cast<double>(off->memory->heap_in_use_bytes);
    EXPECT_GT(grown, 0.9 * kept);
    EXPECT_LT(grown, 1.1 * kept + 1024 * 1024);
    EXPECT_GT(full->memory->peak_rss_bytes, 0U);
  }

  const harness::experiment_summary summary = harness::summarize_experiment(result);
  const harness::configuration_summary& full = summary.rows[1];
  ASSERT_EQ(full.configuration, "1/1");
  ASSERT_TRUE(full.allocations_added_per_request.stats);
  EXPECT_NEAR(full.allocations_added_per_request.stats->median, kExtraAllocations + 1, 3);
  EXPECT_FALSE(full.allocations_added_per_request.stats->within_noise);
  ASSERT_TRUE(full.heap_in_use.stats);
  EXPECT_GT(full.heap_in_use.stats->low, 0);
  if (harness::reset_peak_rss()) {  // each run's own peak: 1/1's holds what it kept
    ASSERT_TRUE(full.peak_rss.stats);
    EXPECT_GT(full.peak_rss.stats->low, 0);
  }

  const std::string table = harness::render_overhead_table(summary);
  const std::size_t memory = table.find("\nMemory\n");
  ASSERT_NE(memory, std::string::npos) << table;
  const std::string section = table.substr(memory);
  EXPECT_NE(section.find("\n1/1 "), std::string::npos) << section;
  EXPECT_NE(section.find("+100"), std::string::npos) << section;  // about +1001 allocations per request
  std::cout << section;
}

}  // namespace
}  // namespace tracebench::test
