// The load generators against fake targets whose timing the test controls, and once against the
// real fake services. Runs are short and the machines noisy: bounds are generous on purpose.

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "tracebench/experiment/service_graph_target.hpp"
#include "tracebench/load/arrival_schedule.hpp"
#include "tracebench/load/closed_loop.hpp"
#include "tracebench/load/latency_summary.hpp"
#include "tracebench/load/open_loop.hpp"
#include "tracebench/services/scenario_loader.hpp"
#include "tracebench/services/service_graph.hpp"
#include "tracebench/services/tracing_config.hpp"

namespace tracebench::test {
namespace {

using namespace std::chrono_literals;
using std::chrono::nanoseconds;
using std::chrono::steady_clock;

constexpr std::int64_t kMs = 1'000'000;

// Replies `delay` after each send from one helper thread, in order. Optionally send() itself
// blocks once, as a full connection would: requests due meanwhile go out late.
class delayed_target final : public harness::load_target {
 public:
  explicit delayed_target(nanoseconds delay, std::optional<std::uint64_t> stall_id = {}, nanoseconds stall = 0ns)
      : delay_(delay), stall_id_(stall_id), stall_(stall), worker_([this] { run(); }) {}
  ~delayed_target() override {
    {
      const std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_one();
    worker_.join();
  }

  void send(std::uint64_t request_id, harness::reply_callback done) override {
    if (stall_id_ == request_id) std::this_thread::sleep_for(stall_);
    const int now_outstanding = ++outstanding_;
    int seen = max_outstanding_.load();
    while (now_outstanding > seen && !max_outstanding_.compare_exchange_weak(seen, now_outstanding)) {
    }
    {
      const std::lock_guard lock(mutex_);
      queue_.push_back({steady_clock::now() + delay_, std::move(done)});
    }
    wake_.notify_one();
  }

  [[nodiscard]] int max_outstanding() const { return max_outstanding_.load(); }

 private:
  struct pending {
    steady_clock::time_point due;
    harness::reply_callback done;
  };

  // Stops once stopping and empty; each item waits at most `delay_`.
  void run() {
    for (;;) {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;
      pending p = std::move(queue_.front());
      queue_.pop_front();
      lock.unlock();
      std::this_thread::sleep_until(p.due);
      --outstanding_;  // before the reply: a closed-loop worker sends again from inside it
      p.done(false);
    }
  }

  nanoseconds delay_;
  std::optional<std::uint64_t> stall_id_;
  nanoseconds stall_;
  std::atomic<int> outstanding_{0};
  std::atomic<int> max_outstanding_{0};
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<pending> queue_;
  bool stopping_ = false;
  std::thread worker_;  // last: starts once the rest exists
};

class instant_target final : public harness::load_target {
 public:
  void send(std::uint64_t, harness::reply_callback done) override { done(false); }
};

class silent_target final : public harness::load_target {
 public:
  void send(std::uint64_t, harness::reply_callback done) override { held_.push_back(std::move(done)); }

 private:
  std::vector<harness::reply_callback> held_;  // the generator calls send from one thread
};

TEST(OpenLoop, StallInTheSendPathShowsInCorrectedLatencyOnly) {
  // At 500/s a request is due every 2 ms; send() blocks 200 ms once, halfway through, so about
  // 100 requests go out late and then in a burst, each replied 1 ms after it actually went out.
  delayed_target target(1ms, 250, 200ms);
  harness::open_loop_options options;
  options.rate = 500;
  options.duration = 1s;
  options.warmup = 100ms;
  const harness::open_loop_result r = harness::run_open_loop(target, options);

  const harness::latency_summary corrected = harness::summarize(r.latency);
  const harness::latency_summary uncorrected = harness::summarize(r.uncorrected);
  EXPECT_GE(corrected.max, 150 * kMs);
  EXPECT_GE(corrected.p99, 100 * kMs);   // a fifth of the window was late
  EXPECT_LT(uncorrected.p99, 50 * kMs);  // only the stalled send itself waited after going out
  EXPECT_GE(r.send_lag.max(), 150 * kMs);
  EXPECT_EQ(r.lost, 0U);
  EXPECT_EQ(r.completed, r.sent);
  EXPECT_FALSE(r.valid);
  EXPECT_NE(r.invalid_reason.find("send lag p99"), std::string::npos) << r.invalid_reason;
}

TEST(OpenLoop, ConstantArrivalsKeepTheRate) {
  instant_target target;
  harness::open_loop_options options;
  options.rate = 1000;
  options.duration = 500ms;
  options.lag_bound = 20ms;  // a noisy machine; the rate is what this checks
  const harness::open_loop_result r = harness::run_open_loop(target, options);
  EXPECT_EQ(r.scheduled, 500U);
  EXPECT_NEAR(static_cast<double>(r.sent), 500.0, 10.0);
  EXPECT_EQ(r.completed, r.sent);
  EXPECT_EQ(r.dropped_sends, 0U);
  EXPECT_EQ(r.lost, 0U);
  EXPECT_NEAR(r.achieved_rate, 1000.0, 20.0);
  EXPECT_TRUE(r.valid) << r.invalid_reason;
}

TEST(OpenLoop, WarmupIsSentButExcluded) {
  instant_target target;
  harness::open_loop_options options;
  options.rate = 1000;
  options.duration = 200ms;
  options.warmup = 100ms;
  options.lag_bound = 20ms;
  const harness::open_loop_result r = harness::run_open_loop(target, options);
  EXPECT_EQ(r.warmup_sent, 100U);
  EXPECT_EQ(r.scheduled, 100U);
  EXPECT_EQ(r.latency.count(), r.completed);
  EXPECT_EQ(r.send_lag.count(), r.sent);
  EXPECT_LE(r.sent, 100U);
}

TEST(ArrivalSchedule, PoissonGapsAverageOneOverTheRate) {
  constexpr int kArrivals = 2000;
  harness::arrival_schedule schedule(harness::arrival_process::poisson, 1000.0, 7);
  nanoseconds previous = schedule.next();
  const nanoseconds first = previous;
  bool monotonic = true;
  for (int i = 1; i < kArrivals; ++i) {
    const nanoseconds next = schedule.next();
    monotonic = monotonic && next >= previous;
    previous = next;
  }
  EXPECT_TRUE(monotonic);
  const double mean_gap = static_cast<double>((previous - first).count()) / (kArrivals - 1);
  EXPECT_NEAR(mean_gap, 1e6, 1e5);

  harness::arrival_schedule again(harness::arrival_process::poisson, 1000.0, 7);
  EXPECT_EQ(again.next(), first);  // same seed, same schedule
}

TEST(ArrivalSchedule, ConstantGapsAreExact) {
  harness::arrival_schedule schedule(harness::arrival_process::constant, 3.0, 1);
  EXPECT_EQ(schedule.next(), 0ns);
  EXPECT_EQ(schedule.next(), 333'333'333ns);
  EXPECT_EQ(schedule.next(), 666'666'667ns);
  EXPECT_THROW(harness::arrival_schedule(harness::arrival_process::constant, 0.0, 1), std::invalid_argument);
}

TEST(OpenLoop, TargetThatNeverRepliesDropsSendsAndLosesReplies) {
  silent_target target;
  harness::open_loop_options options;
  options.rate = 1000;
  options.duration = 200ms;
  options.max_outstanding = 10;
  options.drain_timeout = 50ms;
  const harness::open_loop_result r = harness::run_open_loop(target, options);
  EXPECT_EQ(r.sent, 10U);
  EXPECT_EQ(r.lost, 10U);
  EXPECT_EQ(r.completed, 0U);
  EXPECT_GE(r.dropped_sends, 150U);
  EXPECT_FALSE(r.valid);
  EXPECT_NE(r.invalid_reason.find("dropped sends"), std::string::npos) << r.invalid_reason;
  EXPECT_NE(r.invalid_reason.find("replies lost"), std::string::npos) << r.invalid_reason;
}

TEST(ClosedLoop, KeepsConcurrencyAndReachesItsThroughput) {
  delayed_target target(1ms);
  harness::closed_loop_options options;
  options.concurrency = 4;
  options.duration = 500ms;
  options.warmup = 100ms;
  const harness::closed_loop_result r = harness::run_closed_loop(target, options);
  EXPECT_GT(r.completed, 0U);
  EXPECT_LE(target.max_outstanding(), 4);
  EXPECT_EQ(r.lost, 0U);
  EXPECT_TRUE(r.valid) << r.invalid_reason;
  // 4 in flight at >= 1 ms each: at most 4000/s, and a noisy machine should still manage a fifth.
  EXPECT_LE(r.throughput, 4000.0 * 1.1);
  EXPECT_GE(r.throughput, 4000.0 / 5);
  EXPECT_GE(r.latency.min(), 1 * kMs);
  EXPECT_EQ(r.latency.count(), r.completed);
}

TEST(ClosedLoop, RepliesThatComeInsideSendLoopRatherThanRecurse) {
  // Every reply comes before send() returns: a slot that sent again from inside the reply would
  // nest a frame per request and overflow the stack within the run.
  instant_target target;
  harness::closed_loop_options options;
  options.concurrency = 3;
  options.duration = 300ms;
  options.warmup = 50ms;
  const harness::closed_loop_result r = harness::run_closed_loop(target, options);
  EXPECT_GT(r.completed, 10'000U);
  EXPECT_EQ(r.completed, r.sent);
  EXPECT_EQ(r.lost, 0U);
  EXPECT_TRUE(r.valid) << r.invalid_reason;
  EXPECT_EQ(r.latency.count(), r.completed);
}

TEST(ClosedLoop, ASlotWhoseReplyNeverComesIsCountedLostAndTheRunEnds) {
  silent_target target;
  harness::closed_loop_options options;
  options.concurrency = 5;
  options.duration = 100ms;
  options.reply_timeout = 50ms;
  const harness::closed_loop_result r = harness::run_closed_loop(target, options);
  EXPECT_EQ(r.sent, 5U);  // one per slot: none sends again without a reply
  EXPECT_EQ(r.completed, 0U);
  EXPECT_EQ(r.lost, 5U);
  EXPECT_FALSE(r.valid);
  EXPECT_NE(r.invalid_reason.find("5 replies lost"), std::string::npos) << r.invalid_reason;
}

TEST(OpenLoop, DrivesTheFakeServices) {
  services::load_result loaded =
      services::parse_scenario(R"({"name": "tiny", "entry": "api", "services": {"api": {"cpu_us": 20}}})");
  ASSERT_TRUE(loaded.ok()) << loaded.errors.front();
  services::graph_options graph_options;
  graph_options.threads = 2;
  graph_options.instrument = services::make_instrumentation_factory(services::tracing_config::parse("off"), nullptr);
  services::service_graph graph(std::move(*loaded.value), std::move(graph_options));
  harness::service_graph_target target(graph);

  harness::open_loop_options options;
  options.rate = 200;
  options.duration = 300ms;
  options.warmup = 50ms;
  options.lag_bound = 20ms;
  const harness::open_loop_result r = harness::run_open_loop(target, options);
  graph.stop();
  EXPECT_NEAR(static_cast<double>(r.sent), 50.0, 2.0);
  EXPECT_EQ(r.completed, r.sent);
  EXPECT_EQ(r.errors, 0U);
  EXPECT_EQ(r.lost, 0U);
  EXPECT_GE(r.latency.min(), 20'000);  // the 20 us of cpu work
  EXPECT_TRUE(r.valid) << r.invalid_reason;
}

}  // namespace
}  // namespace tracebench::test
