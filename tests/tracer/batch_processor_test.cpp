// The batch processor (per-thread rings, one exporting worker) and the simple processor:
// nothing exported twice, nothing lost, exact drop accounting, flush and shutdown.

#include "tracebench/tracer/batch_processor.hpp"

#include <gtest/gtest.h>

#include <time.h>

#include <chrono>
#include <condition_variable>
#include <latch>
#include <memory>
#include <mutex>
#include <set>
#include <thread>
#include <unordered_set>
#include <vector>

#include "tracebench/tracer/simple_processor.hpp"
#include "tracebench/tracer/tracer.hpp"

namespace tracebench::tracer {
namespace {

using namespace std::chrono_literals;

// Records span ids; can be gated (blocks inside export_spans until opened), slowed, or
// made to fail.
class test_exporter final : public span_exporter {
 public:
  explicit test_exporter(bool gated = false, std::chrono::milliseconds delay = 0ms,
                         export_result result = export_result::success)
      : open_(!gated), delay_(delay), result_(result) {}

  export_result export_spans(std::span<const span_data* const> batch) noexcept override {
    {
      std::unique_lock lock(mutex_);
      ++calls_;
      max_batch_ = std::max(max_batch_, batch.size());
      for (const span_data* s : batch) {
        ids_.push_back(s->context.span.value);
        names_.emplace_back(s->name);
      }
      handed_ += batch.size();
      if (shut_down_) exported_after_shutdown_ = true;
      changed_.notify_all();
      changed_.wait(lock, [&] { return open_; });
    }
    if (delay_.count() > 0) std::this_thread::sleep_for(delay_);
    return result_;
  }
  bool force_flush(std::chrono::milliseconds) noexcept override {
    std::lock_guard lock(mutex_);
    ++flushes_;
    return true;
  }
  void shutdown() noexcept override {
    std::lock_guard lock(mutex_);
    shut_down_ = true;
  }

  // Waits (bounded) until export_spans has been handed at least `n` spans in all.
  bool wait_handed(std::size_t n, std::chrono::milliseconds timeout = 10s) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, [&] { return handed_ >= n; });
  }
  void open() {
    std::lock_guard lock(mutex_);
    open_ = true;
    changed_.notify_all();
  }

  std::vector<std::uint64_t> ids() const {
    std::lock_guard lock(mutex_);
    return ids_;
  }
  std::vector<std::string> names() const {
    std::lock_guard lock(mutex_);
    return names_;
  }
  std::size_t handed() const {
    std::lock_guard lock(mutex_);
    return handed_;
  }
  std::size_t calls() const {
    std::lock_guard lock(mutex_);
    return calls_;
  }
  std::size_t max_batch() const {
    std::lock_guard lock(mutex_);
    return max_batch_;
  }
  std::size_t flushes() const {
    std::lock_guard lock(mutex_);
    return flushes_;
  }
  bool shut_down() const {
    std::lock_guard lock(mutex_);
    return shut_down_;
  }
  bool exported_after_shutdown() const {
    std::lock_guard lock(mutex_);
    return exported_after_shutdown_;
  }

 private:
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  bool open_;
  std::chrono::milliseconds delay_;
  export_result result_;
  std::vector<std::uint64_t> ids_;
  std::vector<std::string> names_;
  std::size_t handed_ = 0;
  std::size_t calls_ = 0;
  std::size_t max_batch_ = 0;
  std::size_t flushes_ = 0;
  bool shut_down_ = false;
  bool exported_after_shutdown_ = false;
};

std::shared_ptr<tracer> make_tracer(std::shared_ptr<span_processor> processor) {
  return std::make_shared<tracer>(std::make_shared<resource>("svc"), sampler::always_on(), std::move(processor));
}

std::uint64_t end_span(tracer& t, std::string_view name = "s") {
  span s = t.start_root_span(name, span_kind::internal);
  const std::uint64_t id = s.context().span.value;
  s.end();
  return id;
}

void expect_unique(const std::vector<std::uint64_t>& ids) {
  const std::unordered_set<std::uint64_t> unique(ids.begin(), ids.end());
  EXPECT_EQ(unique.size(), ids.size()) << "a span was exported twice";
}

// ---- exact accounting ---------------------------------------------------------------------

TEST(BatchProcessorTest, ExactDropCountWhileTheExporterIsBlocked) {
  // Deterministic: one span is handed to the exporter, which blocks; from then on the
  // worker takes nothing from the rings, so each producer's ring of 8 accepts exactly 8
  // spans and rejects the rest.
  constexpr std::size_t kQueue = 8;
  constexpr std::size_t kPerThread = 20;
  auto exporter = std::make_shared<test_exporter>(/*gated=*/true);
  auto processor = std::make_shared<batch_processor>(
      exporter, batch_options{.queue_per_thread = kQueue, .max_export_batch = 512, .schedule_delay = 5ms});
  auto t = make_tracer(processor);
  EXPECT_EQ(processor->options().queue_per_thread, kQueue);

  const std::uint64_t first = end_span(*t, "first");
  ASSERT_TRUE(exporter->wait_handed(1)) << "the worker never picked up the first span";
  ASSERT_EQ(exporter->handed(), 1U);

  // Two producers, both alive until both are done, so they hold two different thread
  // slots (and rings): a slot freed by an exited thread would be reused with its ring.
  std::vector<std::uint64_t> produced[2];
  std::latch done(2);
  auto produce = [&](int which) {
    for (std::size_t i = 0; i < kPerThread; ++i) produced[which].push_back(end_span(*t, "p"));
    done.arrive_and_wait();
  };
  std::thread a(produce, 0), b(produce, 1);
  a.join();
  b.join();

  span_counts c = processor->counts();
  EXPECT_EQ(c.ended, 1 + 2 * kPerThread);
  EXPECT_EQ(c.dropped, 2 * (kPerThread - kQueue)) << "each ring holds exactly " << kQueue;
  EXPECT_EQ(exporter->handed(), 1U) << "the blocked worker took nothing more";

  exporter->open();
  ASSERT_TRUE(processor->force_flush(10s));
  c = processor->counts();
  EXPECT_EQ(c.started, 1 + 2 * kPerThread);
  EXPECT_EQ(c.sampled, 1 + 2 * kPerThread);
  EXPECT_EQ(c.ended, 1 + 2 * kPerThread);
  EXPECT_EQ(c.exported, 1 + 2 * kQueue);
  EXPECT_EQ(c.dropped, 2 * (kPerThread - kQueue));
  EXPECT_EQ(c.exported + c.dropped, c.ended);
  EXPECT_EQ(c.queued(), 0U);

  const auto ids = exporter->ids();
  ASSERT_EQ(ids.size(), 1 + 2 * kQueue);
  expect_unique(ids);
  EXPECT_EQ(ids[0], first);
  // The accepted spans are each producer's first kQueue spans, in order: the rings are FIFO.
  std::set<std::uint64_t> expected;
  for (const auto& p : produced) expected.insert(p.begin(), p.begin() + kQueue);
  const std::set<std::uint64_t> got(ids.begin() + 1, ids.end());
  EXPECT_EQ(got, expected);
}

TEST(BatchProcessorTest, QueueSizeRoundsUpToAPowerOfTwo) {
  auto exporter = std::make_shared<test_exporter>(/*gated=*/true);
  auto processor = std::make_shared<batch_processor>(
      exporter, batch_options{.queue_per_thread = 5, .max_export_batch = 0, .schedule_delay = 5ms});
  EXPECT_EQ(processor->options().queue_per_thread, 8U);
  EXPECT_EQ(processor->options().max_export_batch, 1U);
  auto t = make_tracer(processor);
  end_span(*t);
  ASSERT_TRUE(exporter->wait_handed(1));
  for (int i = 0; i < 12; ++i) end_span(*t);
  EXPECT_EQ(processor->counts().dropped, 4U);
  exporter->open();
  ASSERT_TRUE(processor->force_flush(10s));
  EXPECT_EQ(processor->counts().exported, 9U);
  EXPECT_EQ(exporter->max_batch(), 1U) << "max_export_batch is honoured";
}

TEST(BatchProcessorTest, TwoProducersSlowExporterNoDuplicatesNoLoss) {
  constexpr std::size_t kPerThread = 5000;
  auto exporter = std::make_shared<test_exporter>(/*gated=*/false, /*delay=*/2ms);
  auto processor = std::make_shared<batch_processor>(
      exporter, batch_options{.queue_per_thread = 64, .max_export_batch = 32, .schedule_delay = 5ms});
  auto t = make_tracer(processor);

  std::vector<std::uint64_t> produced[2];
  std::latch start(2);
  auto produce = [&](int which) {
    start.arrive_and_wait();
    for (std::size_t i = 0; i < kPerThread; ++i) {
      produced[which].push_back(end_span(*t));
      if (i % 512 == 0) std::this_thread::yield();
    }
  };
  std::thread a(produce, 0), b(produce, 1);
  a.join();
  b.join();
  ASSERT_TRUE(processor->force_flush(30s));

  const span_counts c = processor->counts();
  EXPECT_EQ(c.started, 2 * kPerThread);
  EXPECT_EQ(c.sampled, 2 * kPerThread);
  EXPECT_EQ(c.ended, 2 * kPerThread);
  EXPECT_EQ(c.exported + c.dropped, 2 * kPerThread);
  EXPECT_EQ(c.queued(), 0U);

  const auto ids = exporter->ids();
  EXPECT_EQ(ids.size(), c.exported);
  expect_unique(ids);
  std::unordered_set<std::uint64_t> all(produced[0].begin(), produced[0].end());
  all.insert(produced[1].begin(), produced[1].end());
  for (const std::uint64_t id : ids) ASSERT_TRUE(all.count(id) == 1) << "exported a span nobody ended";
  EXPECT_LE(exporter->max_batch(), 32U);
}

// ---- flush, shutdown, destruction ---------------------------------------------------------

TEST(BatchProcessorTest, ForceFlushExportsEverythingAccepted) {
  auto exporter = std::make_shared<test_exporter>();
  // A long timer and a big queue: only the flush can export these.
  auto processor = std::make_shared<batch_processor>(
      exporter, batch_options{.queue_per_thread = 8192, .max_export_batch = 100, .schedule_delay = 60s});
  auto t = make_tracer(processor);
  std::vector<std::uint64_t> produced;
  for (int i = 0; i < 1000; ++i) produced.push_back(end_span(*t));
  EXPECT_TRUE(processor->force_flush(10s));
  const span_counts c = processor->counts();
  EXPECT_EQ(c.exported, 1000U);
  EXPECT_EQ(c.dropped, 0U);
  EXPECT_EQ(c.queued(), 0U);
  auto ids = exporter->ids();
  EXPECT_EQ(ids, produced) << "one producer's spans export in the order they ended";
  EXPECT_GE(exporter->flushes(), 1U) << "force_flush reaches the exporter";
  // A second flush with nothing new returns promptly.
  EXPECT_TRUE(processor->force_flush(10s));
  EXPECT_EQ(processor->counts().exported, 1000U);
}

TEST(BatchProcessorTest, WorkerCpuTimeCountsTheExportersWorkAndSurvivesShutdown) {
  // An exporter that burns CPU on the export thread, as a tail collector does.
  class busy_exporter final : public span_exporter {
   public:
    export_result export_spans(std::span<const span_data* const>) noexcept override {
      // 2 ms of this thread's CPU, however long the machine makes that take.
      const auto cpu = [] {
        timespec ts{};
        ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
        return std::chrono::seconds(ts.tv_sec) + std::chrono::nanoseconds(ts.tv_nsec);
      };
      const auto until = cpu() + 2ms;
      while (cpu() < until) {
      }
      return export_result::success;
    }
    bool force_flush(std::chrono::milliseconds) noexcept override { return true; }
    void shutdown() noexcept override {}
  };
  auto processor = std::make_shared<batch_processor>(std::make_shared<busy_exporter>(),
                                                     batch_options{.max_export_batch = 1, .schedule_delay = 60s});
  auto t = make_tracer(processor);
  const std::chrono::nanoseconds before = processor->worker_cpu_time();
  for (int i = 0; i < 20; ++i) (void)end_span(*t);
  ASSERT_TRUE(processor->force_flush(10s));
  const std::chrono::nanoseconds after = processor->worker_cpu_time();
  // 20 exports of 2 ms of CPU each, all on the worker.
  EXPECT_GE(after - before, 40ms);
  processor->shutdown();
  const std::chrono::nanoseconds final_cpu = processor->worker_cpu_time();
  EXPECT_GE(final_cpu, after);
  EXPECT_EQ(processor->worker_cpu_time(), final_cpu) << "the thread is gone: its last reading stays";
}

TEST(BatchProcessorTest, ForceFlushTimesOutWhileTheExporterIsStuck) {
  auto exporter = std::make_shared<test_exporter>(/*gated=*/true);
  auto processor = std::make_shared<batch_processor>(exporter, batch_options{.schedule_delay = 5ms});
  auto t = make_tracer(processor);
  end_span(*t);
  ASSERT_TRUE(exporter->wait_handed(1));
  EXPECT_FALSE(processor->force_flush(50ms));
  exporter->open();
  EXPECT_TRUE(processor->force_flush(10s));
  EXPECT_EQ(processor->counts().exported, 1U);
}

TEST(BatchProcessorTest, ConcurrentFlushes) {
  auto exporter = std::make_shared<test_exporter>();
  auto processor = std::make_shared<batch_processor>(exporter, batch_options{.schedule_delay = 60s});
  auto t = make_tracer(processor);
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&] {
      for (int j = 0; j < 200; ++j) {
        end_span(*t);
        if (j % 50 == 0) {
          EXPECT_TRUE(processor->force_flush(10s));
        }
      }
      EXPECT_TRUE(processor->force_flush(10s));
    });
  }
  for (auto& th : threads) th.join();
  const span_counts c = processor->counts();
  EXPECT_EQ(c.exported, 800U);
  EXPECT_EQ(c.queued(), 0U);
  expect_unique(exporter->ids());
}

TEST(BatchProcessorTest, ShutdownThenLaterSpansAreDropped) {
  auto exporter = std::make_shared<test_exporter>();
  auto processor = std::make_shared<batch_processor>(exporter, batch_options{.schedule_delay = 60s});
  auto t = make_tracer(processor);
  for (int i = 0; i < 10; ++i) end_span(*t);
  processor->shutdown();
  EXPECT_TRUE(exporter->shut_down());
  EXPECT_EQ(processor->counts().exported, 10U) << "shutdown flushes first";
  for (int i = 0; i < 5; ++i) end_span(*t);
  std::thread([&] { end_span(*t); }).join();  // a thread with no ring yet
  span_counts c = processor->counts();
  EXPECT_EQ(c.ended, 16U);
  EXPECT_EQ(c.exported, 10U);
  EXPECT_EQ(c.dropped, 6U);
  EXPECT_EQ(c.queued(), 0U);
  const auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(processor->force_flush(10s)) << "flush after shutdown has nothing to wait for";
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
  processor->shutdown();  // twice is harmless
  EXPECT_FALSE(exporter->exported_after_shutdown());
}

TEST(BatchProcessorTest, ShutdownRacingProducersLosesNothingFromTheCounts) {
  auto exporter = std::make_shared<test_exporter>();
  auto processor = std::make_shared<batch_processor>(
      exporter, batch_options{.queue_per_thread = 256, .max_export_batch = 64, .schedule_delay = 1ms});
  auto t = make_tracer(processor);
  std::atomic<bool> go{true};
  std::vector<std::thread> producers;
  for (int i = 0; i < 2; ++i) {
    producers.emplace_back([&] {
      while (go.load()) end_span(*t);
      for (int j = 0; j < 100; ++j) end_span(*t);  // certainly after shutdown
    });
  }
  std::this_thread::sleep_for(20ms);
  processor->shutdown();
  go = false;
  for (auto& p : producers) p.join();
  // Whatever raced the shutdown is dropped at the latest by the destructor; before it, no
  // span may be counted twice.
  const span_counts c = processor->counts();
  EXPECT_LE(c.exported + c.dropped, c.ended);
  EXPECT_EQ(c.exported, exporter->ids().size());
  expect_unique(exporter->ids());
  EXPECT_FALSE(exporter->exported_after_shutdown());
}

TEST(BatchProcessorTest, DestructorDrains) {
  auto exporter = std::make_shared<test_exporter>();
  {
    auto processor = std::make_shared<batch_processor>(exporter, batch_options{.schedule_delay = 60s});
    auto t = make_tracer(processor);
    for (int i = 0; i < 100; ++i) end_span(*t);
    EXPECT_EQ(exporter->handed(), 0U) << "nothing should have woken the worker yet";
  }
  EXPECT_EQ(exporter->ids().size(), 100U);
  EXPECT_TRUE(exporter->shut_down());
}

TEST(BatchProcessorTest, ExporterFailureCountsAsDropped) {
  auto exporter = std::make_shared<test_exporter>(false, 0ms, export_result::failure);
  auto processor = std::make_shared<batch_processor>(
      exporter, batch_options{.queue_per_thread = 1024, .max_export_batch = 10, .schedule_delay = 60s});
  auto t = make_tracer(processor);
  for (int i = 0; i < 50; ++i) end_span(*t);
  ASSERT_TRUE(processor->force_flush(10s));
  const span_counts c = processor->counts();
  EXPECT_EQ(c.ended, 50U);
  EXPECT_EQ(c.exported, 0U);
  EXPECT_EQ(c.dropped, 50U);
  EXPECT_EQ(c.queued(), 0U);
  EXPECT_EQ(exporter->handed(), 50U) << "the exporter was asked; it refused";
}

TEST(BatchProcessorTest, QueuedIsZeroAfterFlushWithNoProducers) {
  auto exporter = std::make_shared<test_exporter>();
  auto processor = std::make_shared<batch_processor>(exporter, batch_options{.schedule_delay = 60s});
  auto t = make_tracer(processor);
  for (int i = 0; i < 300; ++i) end_span(*t);
  EXPECT_EQ(processor->counts().queued(), 300U) << "before the flush they are queued";
  ASSERT_TRUE(processor->force_flush(10s));
  EXPECT_EQ(processor->counts().queued(), 0U);
}

TEST(BatchProcessorTest, QuarterFullRingWakesTheWorkerBeforeTheTimer) {
  auto exporter = std::make_shared<test_exporter>();
  auto processor = std::make_shared<batch_processor>(
      exporter, batch_options{.queue_per_thread = 64, .max_export_batch = 512, .schedule_delay = 60s});
  auto t = make_tracer(processor);
  for (int i = 0; i < 16; ++i) end_span(*t);  // a quarter of 64
  EXPECT_TRUE(exporter->wait_handed(16, 10s)) << "the timer is a minute: only the wake-up exports";
}

TEST(BatchProcessorTest, ManyShortLivedThreadsReuseSlots) {
  auto exporter = std::make_shared<test_exporter>();
  auto processor = std::make_shared<batch_processor>(exporter, batch_options{.schedule_delay = 5ms});
  auto t = make_tracer(processor);
  for (int round = 0; round < 50; ++round) {
    std::vector<std::thread> threads;
    for (int i = 0; i < 8; ++i)
      threads.emplace_back([&] {
        for (int j = 0; j < 10; ++j) end_span(*t);
      });
    for (auto& th : threads) th.join();
  }
  ASSERT_TRUE(processor->force_flush(10s));
  const span_counts c = processor->counts();
  EXPECT_EQ(c.ended, 4000U);
  EXPECT_EQ(c.exported + c.dropped, 4000U);
  EXPECT_EQ(c.dropped, 0U);
  expect_unique(exporter->ids());
}

TEST(BatchProcessorTest, MoreThreadsThanSlotsUseTheSharedOverflowRing) {
  // kMaxThreadSlots threads hold every slot; the extra ones share the overflow ring.
  constexpr std::size_t kThreads = kMaxThreadSlots + 8;
  auto exporter = std::make_shared<test_exporter>();
  auto processor = std::make_shared<batch_processor>(exporter, batch_options{.schedule_delay = 5ms});
  auto t = make_tracer(processor);
  std::latch all_started(static_cast<std::ptrdiff_t>(kThreads));
  std::latch all_done(static_cast<std::ptrdiff_t>(kThreads));
  std::vector<std::thread> threads;
  threads.reserve(kThreads);
  for (std::size_t i = 0; i < kThreads; ++i) {
    threads.emplace_back([&] {
      (void)current_thread_slot();
      all_started.arrive_and_wait();
      for (int j = 0; j < 20; ++j) end_span(*t);
      all_done.arrive_and_wait();
    });
  }
  for (auto& th : threads) th.join();
  ASSERT_TRUE(processor->force_flush(10s));
  const span_counts c = processor->counts();
  EXPECT_EQ(c.ended, kThreads * 20);
  EXPECT_EQ(c.exported + c.dropped, c.ended);
  EXPECT_EQ(c.queued(), 0U);
  expect_unique(exporter->ids());
}

// ---- simple processor --------------------------------------------------------------------

TEST(SimpleProcessorTest, ExportsInlineOnTheEndingThread) {
  auto exporter = std::make_shared<test_exporter>();
  auto processor = std::make_shared<simple_processor>(exporter);
  auto t = make_tracer(processor);
  const std::uint64_t id = end_span(*t, "inline");
  EXPECT_EQ(exporter->ids(), std::vector<std::uint64_t>{id}) << "exported before end() returned";
  EXPECT_EQ(exporter->names(), std::vector<std::string>{"inline"});
  std::thread a([&] {
    for (int i = 0; i < 100; ++i) end_span(*t);
  });
  std::thread b([&] {
    for (int i = 0; i < 100; ++i) end_span(*t);
  });
  a.join();
  b.join();
  EXPECT_TRUE(processor->force_flush(1s));
  const span_counts c = processor->counts();
  EXPECT_EQ(c.ended, 201U);
  EXPECT_EQ(c.exported, 201U);
  EXPECT_EQ(c.dropped, 0U);
  EXPECT_EQ(exporter->max_batch(), 1U);
  expect_unique(exporter->ids());
}

TEST(SimpleProcessorTest, FailureAndShutdownCountAsDropped) {
  auto failing = std::make_shared<test_exporter>(false, 0ms, export_result::failure);
  auto p1 = std::make_shared<simple_processor>(failing);
  auto t1 = make_tracer(p1);
  end_span(*t1);
  EXPECT_EQ(p1->counts().dropped, 1U);
  EXPECT_EQ(p1->counts().exported, 0U);

  auto exporter = std::make_shared<test_exporter>();
  auto p2 = std::make_shared<simple_processor>(exporter);
  auto t2 = make_tracer(p2);
  end_span(*t2);
  p2->shutdown();
  EXPECT_TRUE(exporter->shut_down());
  end_span(*t2);
  const span_counts c = p2->counts();
  EXPECT_EQ(c.ended, 2U);
  EXPECT_EQ(c.exported, 1U);
  EXPECT_EQ(c.dropped, 1U);
  EXPECT_FALSE(exporter->exported_after_shutdown());
}

TEST(SimpleProcessorTest, ShutdownRacingEndersNeverExportsAfterShutdown) {
  for (int round = 0; round < 20; ++round) {
    auto exporter = std::make_shared<test_exporter>();
    auto processor = std::make_shared<simple_processor>(exporter);
    auto t = make_tracer(processor);
    std::atomic<bool> go{true};
    std::thread producer([&] {
      while (go.load()) end_span(*t);
    });
    std::this_thread::sleep_for(1ms);
    processor->shutdown();
    go = false;
    producer.join();
    EXPECT_FALSE(exporter->exported_after_shutdown());
    const span_counts c = processor->counts();
    EXPECT_EQ(c.exported + c.dropped, c.ended);
  }
}

TEST(SimpleProcessorTest, DestructorShutsTheExporterDown) {
  auto exporter = std::make_shared<test_exporter>();
  { simple_processor p(exporter); }
  EXPECT_TRUE(exporter->shut_down());
}

}  // namespace
}  // namespace tracebench::tracer
