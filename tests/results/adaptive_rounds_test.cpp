// When an experiment stops adding rounds, on synthetic rounds and synthetic clocks: the stop comes
// at the first round whose intervals meet every target (the A/A row's included) and not before;
// a target never met ends at the time budget; --max-time alone cuts the planned rounds short.

#include "tracebench/results/adaptive_rounds.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "tracebench/results/experiment_plan.hpp"
#include "tracebench/results/experiment_summary.hpp"
#include "tracebench/results/run_record.hpp"

namespace tracebench::harness {
namespace {

using namespace std::chrono_literals;
using std::chrono::nanoseconds;

constexpr double kOffCpuNs = 100'000;

run_record cpu_run(const std::string& configuration, unsigned round, double change_percent) {
  run_record run;
  run.configuration = configuration;
  run.round = round;
  run.throughput = 1000;
  run.cpu_ns_per_request = kOffCpuNs * (1 + change_percent / 100);
  run.latency_valid = false;  // only CPU is targeted; latency has no figure to judge
  return run;
}

// Round r's CPU changes: 1/1 +10% and off' 0%, each with a wide swing in its first `noisy`
// rounds (alternately 20 points under and over), exact afterwards.
void add_round(experiment_result& result, unsigned r, unsigned noisy_full, unsigned noisy_aa) {
  const auto swing = [](unsigned round, unsigned noisy) { return round < noisy ? (round % 2 == 0 ? -20.0 : 20.0) : 0; };
  result.runs.push_back(cpu_run("off", r, 0));
  result.runs.push_back(cpu_run("off'", r, swing(r, noisy_aa)));
  result.runs.push_back(cpu_run("1/1", r, 10 + swing(r, noisy_full)));
}

experiment_result cpu_experiment(unsigned min_rounds) {
  experiment_result result;
  result.scenario_name = "synthetic";
  result.plan.configurations = {"off", "off'", "1/1"};
  result.plan.rounds = min_rounds;
  result.plan.precision = {{comparison_metric::cpu, 1.0}};
  return result;
}

// Runs rounds as the runner would, each taking `round_time`, until next_round says stop; returns
// the rounds that ran. `noisy_*` as add_round.
unsigned run_until_stop(experiment_result& result, unsigned noisy_full, unsigned noisy_aa, nanoseconds round_time,
                        nanoseconds calibration = 0s) {
  std::vector<nanoseconds> past;
  for (unsigned done = 0;; ++done) {
    const round_decision d = next_round(result, done, calibration + round_time * done, past);
    if (!d.another) {
      result.rounds_ended = d.end;
      return done;
    }
    add_round(result, done, noisy_full, noisy_aa);
    past.push_back(round_time);
    if (done > kMaxRounds) return done;  // a broken rule must not hang the test
  }
}

TEST(AdaptiveRounds, StopsAtTheFirstRoundEveryIntervalIsNarrowEnoughAndNotBefore) {
  // Four swinging rounds of 1/1 leave its 95% interval [x(j), x(n+1-j)] 20 points either side
  // until j >= 3 (two swings under, two over), which takes 12 rounds; then it is [10, 10].
  experiment_result result = cpu_experiment(6);
  EXPECT_EQ(run_until_stop(result, 4, 0, 1s), 12U);
  EXPECT_EQ(result.rounds_ended, rounds_end::precision_reached);

  const experiment_summary summary = summarize_experiment(result);
  EXPECT_EQ(summary.rounds, 12U);
  EXPECT_EQ(summary.runs_planned, 36U);
  ASSERT_TRUE(summary.adaptive);
  EXPECT_TRUE(summary.adaptive->precision.all_reached());
  EXPECT_EQ(summary.adaptive->min_rounds, 6U);
  EXPECT_EQ(summary.adaptive->time_budget, nanoseconds(kDefaultPrecisionBudget));

  // One round fewer, the same runs do not meet the target: the stop was not early.
  experiment_result eleven = cpu_experiment(6);
  for (unsigned r = 0; r < 11; ++r) add_round(eleven, r, 4, 0);
  const std::vector<nanoseconds> past(11, 1s);
  EXPECT_TRUE(next_round(eleven, 11, 11s, past).another);
  const precision_status status = check_precision(summarize_experiment(eleven), eleven.plan.precision);
  EXPECT_FALSE(status.all_reached());
  EXPECT_DOUBLE_EQ(*status.targets[0].worst_half_width, 20.0);
  EXPECT_EQ(status.targets[0].worst_configuration, "1/1");
}

TEST(AdaptiveRounds, TheAaRowMustBeNarrowEnoughToo) {
  // Six swinging A/A rounds need j >= 4: 15 rounds, past 1/1's 12.
  experiment_result result = cpu_experiment(6);
  EXPECT_EQ(run_until_stop(result, 4, 6, 1s), 15U);
  EXPECT_EQ(result.rounds_ended, rounds_end::precision_reached);
}

TEST(AdaptiveRounds, ThePlannedRoundsAreTheMinimumEvenWhenReachedEarlier) {
  experiment_result result = cpu_experiment(8);
  EXPECT_EQ(run_until_stop(result, 0, 0, 1s), 8U);  // no swing: narrow from the first round
  EXPECT_EQ(result.rounds_ended, rounds_end::precision_reached);
}

TEST(AdaptiveRounds, ATargetNeverReachedStopsAtTheTimeBudget) {
  experiment_result result = cpu_experiment(6);
  result.plan.max_time = 10min;
  // Every round swings, 30 s of calibration, a minute a round: after 9 rounds 9.5 minutes have
  // gone and a tenth would end at 10.5.
  EXPECT_EQ(run_until_stop(result, kMaxRounds, 0, 1min, 30s), 9U);
  EXPECT_EQ(result.rounds_ended, rounds_end::time_budget);
  const experiment_summary summary = summarize_experiment(result);
  ASSERT_TRUE(summary.adaptive);
  EXPECT_FALSE(summary.adaptive->precision.all_reached());
  EXPECT_EQ(summary.adaptive->ended, rounds_end::time_budget);
  EXPECT_EQ(summary.adaptive->time_budget, nanoseconds(10min));
}

TEST(AdaptiveRounds, WithoutMaxTimeTargetsStopAtTheDefaultBudget) {
  experiment_result result = cpu_experiment(6);
  EXPECT_EQ(run_until_stop(result, kMaxRounds, 0, 5min), 6U);  // 30 minutes: six rounds of five
  EXPECT_EQ(result.rounds_ended, rounds_end::time_budget);
}

TEST(AdaptiveRounds, MaxTimeAloneCutsThePlannedRoundsShort) {
  experiment_result result = cpu_experiment(10);
  result.plan.precision.clear();
  result.plan.max_time = 5min;
  EXPECT_EQ(run_until_stop(result, 4, 0, 1min), 5U);
  EXPECT_EQ(result.rounds_ended, rounds_end::time_budget);
  EXPECT_EQ(summarize_experiment(result).rounds, 5U);

  experiment_result roomy = cpu_experiment(3);
  roomy.plan.precision.clear();
  roomy.plan.max_time = 1h;
  EXPECT_EQ(run_until_stop(roomy, 4, 0, 1min), 3U);
  EXPECT_EQ(roomy.rounds_ended, rounds_end::planned);
}

TEST(AdaptiveRounds, APlanWithNeitherRunsItsRoundsExactly) {
  experiment_result result = cpu_experiment(4);
  result.plan.precision.clear();
  EXPECT_EQ(run_until_stop(result, 4, 0, 1h), 4U);
  EXPECT_EQ(result.rounds_ended, rounds_end::planned);
  EXPECT_FALSE(summarize_experiment(result).adaptive);
  EXPECT_FALSE(adaptive(result.plan));
  EXPECT_FALSE(time_budget(result.plan));
  EXPECT_EQ(round_limit(result.plan), 4U);
}

TEST(AdaptiveRounds, TheFirstRoundAlwaysRuns) {
  experiment_result result = cpu_experiment(3);
  result.plan.max_time = 1s;
  EXPECT_TRUE(next_round(result, 0, 1h, {}).another);
}

TEST(AdaptiveRounds, TheLongestRoundSoFarIsThePrediction) {
  const std::vector<nanoseconds> past{60s, 120s, 60s};
  EXPECT_TRUE(round_fits(480s, past, 600s));   // 8 + 2 minutes: exactly the budget
  EXPECT_FALSE(round_fits(481s, past, 600s));  // a second over
  EXPECT_TRUE(round_fits(10h, {}, 1s));        // nothing measured yet
}

TEST(AdaptiveRounds, TheRoundLimitBoundsTargetsThatNeedMore) {
  experiment_result result = cpu_experiment(6);
  EXPECT_EQ(round_limit(result.plan), kMaxRounds);
  result.plan.rounds = kMaxRounds + 5;
  EXPECT_EQ(round_limit(result.plan), kMaxRounds + 5);
  result.plan.rounds = 2;
  // Not reached after the limit: it ends there, whatever the budget says.
  for (unsigned r = 0; r < kMaxRounds; ++r) add_round(result, r, kMaxRounds, 0);
  const round_decision d = next_round(result, kMaxRounds, 0s, std::vector<nanoseconds>{1ms});
  EXPECT_FALSE(d.another);
  EXPECT_EQ(d.end, rounds_end::round_limit);
}

TEST(AdaptiveRounds, EndsHaveNamesThatReadBack) {
  for (const rounds_end end :
       {rounds_end::planned, rounds_end::precision_reached, rounds_end::time_budget, rounds_end::round_limit}) {
    EXPECT_EQ(rounds_end_named(rounds_end_name(end)), end);
  }
  EXPECT_FALSE(rounds_end_named("bored"));
}

TEST(RoundOrders, ARoundsOrderDoesNotDependOnHowManyRoundsThereAre) {
  const auto many = round_orders(5, 40);
  for (unsigned r = 0; r < 40; ++r) EXPECT_EQ(round_orders(5, r + 1)[r], many[r]) << r;
}

}  // namespace
}  // namespace tracebench::harness
