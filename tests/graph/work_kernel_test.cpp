// The compute work model is computation, not time: a service that loses half its core to another
// thread takes about twice as long, where the spin model (a wall-clock busy wait) does not notice.
// Wall-clock ratios with wide margins (about 2x against 1.3x), on one pinned core, run serially.

#include "tracebench/services/work_kernel.hpp"

#include <gtest/gtest.h>
#include <sched.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <future>
#include <string>
#include <thread>
#include <vector>

#include "tracebench/services/scenario_loader.hpp"
#include "tracebench/services/service_graph.hpp"
#include "tracebench/services/tracing_config.hpp"

namespace ts = tracebench::services;

namespace {

constexpr double kCpuUs = 40'000;  // long beside a scheduler slice, so a spin's overrun is small
constexpr int kRequests = 5;

ts::scenario one_service(const std::string& work) {
  const std::string text = R"({"name": "one", "entry": "a", "work": ")" + work + R"(", "services": {"a": {"cpu_us": )" +
                           std::to_string(kCpuUs) + "}}}";
  ts::load_result loaded = ts::parse_scenario(text);
  EXPECT_TRUE(loaded.ok()) << (loaded.errors.empty() ? "" : loaded.errors.front());
  return std::move(*loaded.value);
}

// Median latency, in ms, of requests sent one at a time.
double median_latency_ms(ts::service_graph& graph) {
  std::vector<double> ms;
  for (int i = 0; i < kRequests; ++i) {
    std::promise<void> done;
    const auto start = std::chrono::steady_clock::now();
    graph.submit(static_cast<std::uint64_t>(i), [&done](const ts::request_result&) { done.set_value(); });
    done.get_future().wait();
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
  }
  std::sort(ms.begin(), ms.end());
  return ms[ms.size() / 2];
}

// Alone, then with a busy thread on the same core: the contended latency over the uncontended.
double slowdown_under_contention(const std::string& work) {
  ts::graph_options options;
  options.threads = 1;
  options.instrument = ts::make_instrumentation_factory(ts::tracing_config::parse("off"), nullptr);
  ts::service_graph graph(one_service(work), std::move(options));
  const double alone = median_latency_ms(graph);
  std::atomic<bool> stop{false};
  std::thread rival([&stop] {
    while (!stop.load(std::memory_order_relaxed)) ts::compute(1'000);
  });
  const double contended = median_latency_ms(graph);
  stop = true;
  rival.join();
  graph.stop();
  std::printf("%s: %.1f ms alone, %.1f ms beside a busy thread\n", work.c_str(), alone, contended);
  return contended / alone;
}

class OneCore : public testing::Test {
 protected:
  // Threads created from here on (the graph's executor, the rival) inherit the one CPU.
  void SetUp() override {
    ASSERT_EQ(sched_getaffinity(0, sizeof saved_, &saved_), 0);
    cpu_set_t one;
    CPU_ZERO(&one);
    for (std::size_t cpu = 0; cpu < CPU_SETSIZE; ++cpu) {
      if (CPU_ISSET(cpu, &saved_)) {
        CPU_SET(cpu, &one);
        break;
      }
    }
    ASSERT_EQ(sched_setaffinity(0, sizeof one, &one), 0);
  }
  void TearDown() override { sched_setaffinity(0, sizeof saved_, &saved_); }

 private:
  cpu_set_t saved_{};
};

}  // namespace

TEST(WorkKernel, CalibrationIsPositiveAndOrdered) {
  const ts::work_rate rate = ts::calibrate_work();
  EXPECT_TRUE(std::isfinite(rate.iterations_per_us));
  EXPECT_GT(rate.iterations_per_us, 0);
  EXPECT_LE(rate.min_iterations_per_us, rate.iterations_per_us);
  EXPECT_GE(rate.max_iterations_per_us, rate.iterations_per_us);
  EXPECT_GT(rate.repetitions, 0U);
  EXPECT_NE(rate.describe().find("iterations/us"), std::string::npos);
}

TEST(WorkKernel, ScenarioSaysWhichModel) {
  EXPECT_EQ(one_service("spin").work, ts::work_model::spin);
  EXPECT_EQ(one_service("compute").work, ts::work_model::compute);
  const ts::load_result bad = ts::parse_scenario(R"({"name": "x", "entry": "a", "work": "sleep",
                                                     "services": {"a": {}}})");
  ASSERT_EQ(bad.errors.size(), 1U);
  EXPECT_EQ(bad.errors.front(), "work: unknown work model \"sleep\" (expected compute or spin)");
}

TEST_F(OneCore, ComputedWorkSlowsDownWhenItSharesTheCoreAndSpinDoesNot) {
  EXPECT_GT(slowdown_under_contention("compute"), 1.5);
  EXPECT_LT(slowdown_under_contention("spin"), 1.3);
}
