// The span record pool: reuse in steady state, cross-thread release, reset.

#include "tracebench/tracer/span_pool.hpp"

#include <gtest/gtest.h>

#include <thread>
#include <unordered_set>
#include <vector>

namespace tracebench::tracer {
namespace {

TEST(SpanPoolTest, AcquireReleaseReuses) {
  span_data* a = span_pool::acquire();
  ASSERT_NE(a, nullptr);
  span_pool::release(a);
  span_data* b = span_pool::acquire();
  EXPECT_EQ(a, b) << "the thread cache hands back the record just released";
  span_pool::release(b);
  span_pool::release(nullptr);  // harmless
}

TEST(SpanPoolTest, SteadyLoopStopsCreatingRecords) {
  // Warm up with a working set of 64 records, then loop: the pool must stop growing.
  std::vector<span_data*> held;
  for (int round = 0; round < 3; ++round) {
    for (int i = 0; i < 64; ++i) held.push_back(span_pool::acquire());
    for (span_data* r : held) span_pool::release(r);
    held.clear();
  }
  const std::size_t created = span_pool::records_created();
  for (int round = 0; round < 10'000; ++round) {
    for (int i = 0; i < 64; ++i) held.push_back(span_pool::acquire());
    for (span_data* r : held) span_pool::release(r);
    held.clear();
  }
  EXPECT_EQ(span_pool::records_created(), created);
}

TEST(SpanPoolTest, ProducerConsumerThreadsStopCreatingRecords) {
  // One thread acquires, another releases (the batch processor's pattern): records go
  // back to the thread that took them, so the pool does not grow at all.
  auto run = [](int rounds) {
    for (int round = 0; round < rounds; ++round) {
      std::vector<span_data*> batch;
      for (int i = 0; i < 1000; ++i) batch.push_back(span_pool::acquire());
      std::thread([&] {
        for (span_data* r : batch) span_pool::release(r);
      }).join();
    }
  };
  run(5);
  const std::size_t created = span_pool::records_created();
  run(50);
  EXPECT_EQ(span_pool::records_created(), created);
}

TEST(SpanPoolTest, ReleaseFromAnotherThreadThenAcquire) {
  std::vector<span_data*> records;
  for (int i = 0; i < 600; ++i) records.push_back(span_pool::acquire());
  const std::unordered_set<span_data*> mine(records.begin(), records.end());
  EXPECT_EQ(mine.size(), records.size()) << "no record handed out twice";
  // Another thread releases them all: they go to this thread's inbox.
  std::thread([&] {
    for (span_data* r : records) span_pool::release(r);
  }).join();
  // This thread gets its own records back, and every one is usable.
  std::vector<span_data*> again;
  for (int i = 0; i < 600; ++i) {
    span_data* r = span_pool::acquire();
    ASSERT_NE(r, nullptr);
    r->name.assign("reused");
    again.push_back(r);
  }
  const std::unordered_set<span_data*> unique(again.begin(), again.end());
  EXPECT_EQ(unique.size(), again.size());
  std::size_t reused = 0;
  for (span_data* r : again) reused += mine.count(r);
  EXPECT_GT(reused, 0U) << "records released elsewhere come back";
  for (span_data* r : again) span_pool::release(r);
}

// acquire() clears what a span start does not overwrite; the tracer sets context, parent,
// name, kind, owner and start time itself (span_data::reset() is the full clear).
TEST(SpanPoolTest, AcquireClearsWhatAStartDoesNotSet) {
  span_data* r = span_pool::acquire();
  ASSERT_NE(r, nullptr);
  r->context.trace = trace_id{1, 2};
  r->context.span = span_id{3};
  r->context.flags = kSampledFlag;
  r->context.remote = true;
  r->context.state = trace_state::parse("a=b").value_or(trace_state{});
  r->parent = span_id{4};
  r->parent_remote = true;
  r->name = "a fairly long span name that is not in small string storage";
  r->kind = span_kind::server;
  r->start_unix_nanos = 5;
  r->end_unix_nanos = 6;
  r->status = status_code::error;
  r->status_message = "boom";
  r->attributes.set("k", 1);
  resource res("svc");
  r->owner = &res;
  event_data* e = r->add_event("ev", 7);
  ASSERT_NE(e, nullptr);
  e->attributes.set("ek", "ev");
  span_context linked;
  linked.trace = trace_id{8, 9};
  linked.span = span_id{10};
  linked.state = trace_state::parse("x=y").value_or(trace_state{});
  ASSERT_NE(r->add_link(linked), nullptr);
  const std::size_t name_capacity = r->name.capacity();

  span_pool::release(r);
  span_data* s = span_pool::acquire();
  ASSERT_EQ(s, r) << "same thread, same record";
  EXPECT_EQ(s->end_unix_nanos, 0);
  EXPECT_EQ(s->status, status_code::unset);
  EXPECT_TRUE(s->status_message.empty());
  EXPECT_TRUE(s->attributes.empty());
  EXPECT_EQ(s->attributes.dropped(), 0U);
  EXPECT_EQ(s->event_count(), 0U);
  EXPECT_EQ(s->link_count(), 0U);
  EXPECT_EQ(s->dropped_events(), 0U);
  EXPECT_EQ(s->dropped_links(), 0U);
  EXPECT_GE(s->name.capacity(), name_capacity) << "recycling keeps buffers for reuse";
  // A reused event slot comes back without the old attributes.
  event_data* e2 = s->add_event("ev2", 11);
  ASSERT_NE(e2, nullptr);
  EXPECT_TRUE(e2->attributes.empty());
  EXPECT_EQ(e2->name, "ev2");
  link_data* l2 = s->add_link(linked);
  ASSERT_NE(l2, nullptr);
  EXPECT_TRUE(l2->attributes.empty());
  span_pool::release(s);
}

TEST(SpanPoolTest, ManyThreadsAcquireAndReleaseConcurrently) {
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      std::vector<span_data*> held;
      for (int round = 0; round < 200; ++round) {
        for (int i = 0; i < 300; ++i) {
          span_data* r = span_pool::acquire();
          if (r == nullptr || r->end_unix_nanos != 0) ++failures;
          if (r != nullptr) r->end_unix_nanos = 1;  // acquire must clear it
          held.push_back(r);
        }
        for (span_data* r : held) span_pool::release(r);
        held.clear();
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
}

}  // namespace
}  // namespace tracebench::tracer
