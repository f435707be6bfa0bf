// The tracer and its spans: ids, flags, recording, limits, status, clock offset, moves,
// active scopes, accounting, and the allocation-free hot path.

#include "tracebench/tracer/tracer.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <new>
#include <string>
#include <thread>
#include <unordered_set>
#include <vector>

#include "tracebench/tracer/batch_processor.hpp"
#include "tracebench/tracer/context.hpp"
#include "tracebench/tracer/simple_processor.hpp"
#include "tracebench/tracer/span_pool.hpp"

// ---- allocation counting ------------------------------------------------------------
// Every global operator new of this program counts on the calling thread, so a test can
// assert that its own thread allocated nothing (background threads do not disturb it).

namespace {
thread_local std::size_t tls_allocations = 0;

void* counted_alloc(std::size_t size) {
  ++tls_allocations;
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void* counted_alloc(std::size_t size, std::align_val_t align) {
  ++tls_allocations;
  const auto a = static_cast<std::size_t>(align);
  const std::size_t rounded = ((size == 0 ? 1 : size) + a - 1) / a * a;
  if (void* p = std::aligned_alloc(a, rounded)) return p;
  throw std::bad_alloc();
}
}  // namespace

void* operator new(std::size_t size) { return counted_alloc(size); }
void* operator new[](std::size_t size) { return counted_alloc(size); }
void* operator new(std::size_t size, const std::nothrow_t&) noexcept {
  try {
    return counted_alloc(size);
  } catch (...) {
    return nullptr;
  }
}
void* operator new[](std::size_t size, const std::nothrow_t&) noexcept {
  try {
    return counted_alloc(size);
  } catch (...) {
    return nullptr;
  }
}
void* operator new(std::size_t size, std::align_val_t align) { return counted_alloc(size, align); }
void* operator new[](std::size_t size, std::align_val_t align) { return counted_alloc(size, align); }
void* operator new(std::size_t size, std::align_val_t align, const std::nothrow_t&) noexcept {
  try {
    return counted_alloc(size, align);
  } catch (...) {
    return nullptr;
  }
}
void* operator new[](std::size_t size, std::align_val_t align, const std::nothrow_t&) noexcept {
  try {
    return counted_alloc(size, align);
  } catch (...) {
    return nullptr;
  }
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t, const std::nothrow_t&) noexcept { std::free(p); }

namespace tracebench::tracer {
namespace {

// ---- a tiny in-memory exporter --------------------------------------------------------

struct copied_attribute {
  std::string key;
  attribute_type type;
  std::string str;
  std::int64_t i = 0;
  double d = 0;
  bool b = false;
};

std::vector<copied_attribute> copy_attributes(const attribute_list& list) {
  std::vector<copied_attribute> out;
  for (const attribute& a : list) {
    copied_attribute c{a.key, a.type, {}, 0, 0, false};
    const attribute_value v = a.value();
    switch (a.type) {
      case attribute_type::string:
        c.str = std::string(v.as_string());
        break;
      case attribute_type::int64:
        c.i = v.as_int();
        break;
      case attribute_type::float64:
        c.d = v.as_double();
        break;
      case attribute_type::boolean:
        c.b = v.as_bool();
        break;
    }
    out.push_back(std::move(c));
  }
  return out;
}

const copied_attribute* find(const std::vector<copied_attribute>& list, std::string_view key) {
  for (const auto& a : list) {
    if (a.key == key) return &a;
  }
  return nullptr;
}

struct copied_event {
  std::string name;
  std::int64_t time = 0;
  std::vector<copied_attribute> attributes;
};

struct copied_span {
  span_context context;
  span_id parent;
  bool parent_remote = false;
  std::string name;
  span_kind kind = span_kind::internal;
  std::int64_t start = 0;
  std::int64_t end = 0;
  status_code status = status_code::unset;
  std::string status_message;
  std::vector<copied_attribute> attributes;
  std::uint32_t dropped_attributes = 0;
  std::vector<copied_event> events;
  std::uint32_t dropped_events = 0;
  std::vector<span_context> links;
  std::uint32_t dropped_links = 0;
  const resource* owner = nullptr;
};

class test_exporter final : public span_exporter {
 public:
  export_result export_spans(std::span<const span_data* const> batch) noexcept override {
    std::lock_guard lock(mutex_);
    for (const span_data* s : batch) {
      copied_span c;
      c.context = s->context;
      c.parent = s->parent;
      c.parent_remote = s->parent_remote;
      c.name = s->name;
      c.kind = s->kind;
      c.start = s->start_unix_nanos;
      c.end = s->end_unix_nanos;
      c.status = s->status;
      c.status_message = s->status_message;
      c.attributes = copy_attributes(s->attributes);
      c.dropped_attributes = s->attributes.dropped();
      for (std::size_t i = 0; i < s->event_count(); ++i) {
        const event_data& e = s->event(i);
        c.events.push_back({e.name, e.time_unix_nanos, copy_attributes(e.attributes)});
      }
      c.dropped_events = s->dropped_events();
      for (std::size_t i = 0; i < s->link_count(); ++i) c.links.push_back(s->link(i).context);
      c.dropped_links = s->dropped_links();
      c.owner = s->owner;
      spans_.push_back(std::move(c));
    }
    return export_result::success;
  }
  std::vector<copied_span> spans() const {
    std::lock_guard lock(mutex_);
    return spans_;
  }
  std::size_t size() const {
    std::lock_guard lock(mutex_);
    return spans_.size();
  }

 private:
  mutable std::mutex mutex_;
  std::vector<copied_span> spans_;
};

// Counts and keeps nothing: allocation-free, for the allocation tests.
class counting_exporter final : public span_exporter {
 public:
  export_result export_spans(std::span<const span_data* const> batch) noexcept override {
    count_.fetch_add(batch.size(), std::memory_order_relaxed);
    return export_result::success;
  }
  std::size_t count() const noexcept { return count_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::size_t> count_{0};
};

struct fixture {
  explicit fixture(sampler s = sampler::always_on(), tracer_options options = {})
      : exporter(std::make_shared<test_exporter>()),
        processor(std::make_shared<simple_processor>(exporter)),
        owner(std::make_shared<resource>("checkout")),
        t(owner, std::move(s), processor, options) {}

  std::vector<copied_span> finished() {
    EXPECT_TRUE(processor->force_flush(std::chrono::seconds(10)));
    return exporter->spans();
  }

  std::shared_ptr<test_exporter> exporter;
  std::shared_ptr<simple_processor> processor;
  std::shared_ptr<resource> owner;
  tracer t;
};

span_context remote_parent(bool sampled, trace_state state = {}) {
  span_context c;
  c.trace = trace_id{0x4bf92f3577b34da6ULL, 0xa3ce929d0e0e4736ULL};
  c.span = span_id{0x00f067aa0ba902b7ULL};
  c.flags = static_cast<std::uint8_t>((sampled ? kSampledFlag : 0) | kRandomTraceIdFlag);
  c.remote = true;
  c.state = std::move(state);
  return c;
}

// ---- ids and flags -----------------------------------------------------------------

TEST(TracerTest, RootAndChildIds) {
  fixture f;
  span root = f.t.start_root_span("root", span_kind::server);
  const span_context root_ctx = root.context();
  ASSERT_TRUE(root_ctx.valid());
  EXPECT_FALSE(root_ctx.remote);
  span child = f.t.start_span("child", span_kind::client, root_ctx);
  const span_context child_ctx = child.context();
  EXPECT_EQ(child_ctx.trace, root_ctx.trace);
  EXPECT_NE(child_ctx.span, root_ctx.span);
  EXPECT_TRUE(child_ctx.span.valid());
  child.end();
  root.end();

  span other_root = f.t.start_root_span("other", span_kind::server);
  EXPECT_NE(other_root.context().trace, root_ctx.trace) << "every root starts a new trace";
  other_root.end();

  const auto spans = f.finished();
  ASSERT_EQ(spans.size(), 3U);
  EXPECT_EQ(spans[0].name, "child");
  EXPECT_EQ(spans[0].kind, span_kind::client);
  EXPECT_EQ(spans[0].parent, root_ctx.span);
  EXPECT_FALSE(spans[0].parent_remote);
  EXPECT_EQ(spans[0].context.trace, root_ctx.trace);
  EXPECT_EQ(spans[0].context.span, child_ctx.span);
  EXPECT_EQ(spans[1].name, "root");
  EXPECT_EQ(spans[1].kind, span_kind::server);
  EXPECT_FALSE(spans[1].parent.valid());
  EXPECT_EQ(spans[1].owner, f.owner.get());
  EXPECT_EQ(spans[1].owner->service_name(), "checkout");
}

TEST(TracerTest, ChildOfRemoteParentRecordsRemoteFlag) {
  fixture f;
  const span_context parent = remote_parent(true);
  span child = f.t.start_span("handle", span_kind::server, parent);
  EXPECT_EQ(child.context().trace, parent.trace);
  EXPECT_NE(child.context().span, parent.span);
  EXPECT_FALSE(child.context().remote) << "the child is local even when its parent is remote";
  child.end();
  const auto spans = f.finished();
  ASSERT_EQ(spans.size(), 1U);
  EXPECT_EQ(spans[0].parent, parent.span);
  EXPECT_TRUE(spans[0].parent_remote);
  EXPECT_FALSE(spans[0].context.remote);
}

TEST(TracerTest, SampledAndUnsampledFlags) {
  fixture on(sampler::always_on());
  span a = on.t.start_root_span("a", span_kind::internal);
  EXPECT_TRUE(a.recording());
  EXPECT_TRUE(a.context().sampled());
  EXPECT_TRUE(a.context().random_trace_id()) << "roots draw random trace ids: Level 2 random flag";

  fixture off(sampler::always_off());
  span b = off.t.start_root_span("b", span_kind::internal);
  EXPECT_FALSE(b.recording());
  EXPECT_TRUE(b.context().valid());
  EXPECT_FALSE(b.context().sampled());
  EXPECT_TRUE(b.context().random_trace_id());

  // Children under parent_based follow the parent and keep its other flag bits.
  fixture pb(sampler::parent_based(sampler::always_on()));
  span c = pb.t.start_span("c", span_kind::server, remote_parent(false));
  EXPECT_FALSE(c.recording());
  EXPECT_FALSE(c.context().sampled());
  EXPECT_TRUE(c.context().random_trace_id());
  span d = pb.t.start_span("d", span_kind::server, remote_parent(true));
  EXPECT_TRUE(d.recording());
  EXPECT_TRUE(d.context().sampled());
  EXPECT_TRUE(d.context().random_trace_id());
  span_context no_random = remote_parent(true);
  no_random.flags = kSampledFlag;
  span e = pb.t.start_span("e", span_kind::server, no_random);
  EXPECT_FALSE(e.context().random_trace_id()) << "a child does not claim randomness its trace id lacks";

  // Reserved flag bits from a remote parent are not passed on (W3C: set them to zero).
  span_context odd = remote_parent(true);
  odd.flags = 0xff;
  span g = pb.t.start_span("g", span_kind::server, odd);
  EXPECT_EQ(g.context().flags, kSampledFlag | kRandomTraceIdFlag);
  odd.flags = 0xfe;  // unsampled, every other bit set
  span h = pb.t.start_span("h", span_kind::server, odd);
  EXPECT_EQ(h.context().flags, kRandomTraceIdFlag);
}

TEST(TracerTest, TracestateReachesTheSpan) {
  fixture f(sampler::parent_based(sampler::consistent_probability(1.0)));
  span root = f.t.start_root_span("root", span_kind::server);
  EXPECT_EQ(root.context().state.get("ot"), "th:0");
  const auto state = trace_state::parse("vendor=abc");
  ASSERT_TRUE(state.has_value());
  span child = f.t.start_span("child", span_kind::server, remote_parent(true, *state));
  EXPECT_EQ(child.context().state.get("vendor"), "abc");
  span unsampled = f.t.start_span("child", span_kind::server, remote_parent(false, *state));
  EXPECT_EQ(unsampled.context().state.get("vendor"), "abc");
}

TEST(TracerTest, UnsampledSpanRecordsNothing) {
  fixture f(sampler::always_off());
  {
    span s = f.t.start_root_span("ignored", span_kind::server);
    EXPECT_FALSE(s.recording());
    s.set_attribute("k", "v");
    s.set_attribute("n", 1);
    s.add_event("e", {{"x", 1}});
    s.add_link(remote_parent(true));
    s.set_status(status_code::error, "boom");
    s.update_name("renamed");
    EXPECT_TRUE(s.context().valid());
    s.end();
    EXPECT_TRUE(s.context().valid()) << "an ended unsampled span keeps its context";
  }
  const auto spans = f.finished();
  EXPECT_TRUE(spans.empty());
  const span_counts c = f.processor->counts();
  EXPECT_EQ(c.started, 1U);
  EXPECT_EQ(c.sampled, 0U);
  EXPECT_EQ(c.ended, 0U);
  EXPECT_EQ(c.exported, 0U);
}

TEST(TracerTest, DefaultSpanIsInert) {
  span s;
  EXPECT_FALSE(s.recording());
  EXPECT_FALSE(s.context().valid());
  s.set_attribute("k", 1);
  s.add_event("e");
  s.set_status(status_code::ok);
  s.end();
  s.end_at(5);
}

// ---- allocations -------------------------------------------------------------------

template <typename F>
std::size_t allocations_of(F&& body) {
  const std::size_t before = tls_allocations;
  body();
  return tls_allocations - before;
}

TEST(TracerAllocationTest, CounterWorks) {
  EXPECT_GE(allocations_of([] { delete new int(3); }), 1U);
  EXPECT_EQ(allocations_of([] {}), 0U);
}

TEST(TracerAllocationTest, UnsampledChildAllocatesNothing) {
  fixture f(sampler::parent_based(sampler::always_on()));
  const auto state = trace_state::parse("ot=th:f,vendor=abc");
  ASSERT_TRUE(state.has_value());
  const span_context parent = remote_parent(false, *state);
  auto body = [&] {
    for (int i = 0; i < 1000; ++i) {
      span s = f.t.start_span("GET /cart", span_kind::server, parent);
      s.set_attribute("http.method", "GET");
      s.add_event("cache miss");
      s.end();
    }
  };
  body();  // warm-up: thread slot, id generator seed, clock calibration
  EXPECT_EQ(allocations_of(body), 0U);
  EXPECT_EQ(f.processor->counts().started, 2000U);
  EXPECT_EQ(f.processor->counts().sampled, 0U);
}

TEST(TracerAllocationTest, UnsampledRootAllocatesNothing) {
  fixture f(sampler::parent_based(sampler::consistent_probability(0.0)));
  auto body = [&] {
    for (int i = 0; i < 1000; ++i) {
      span s = f.t.start_root_span("GET /cart", span_kind::server);
      span child = f.t.start_span("db", span_kind::client, s.context());
    }
  };
  body();
  EXPECT_EQ(allocations_of(body), 0U);
}

TEST(TracerAllocationTest, SampledSpanAllocatesNothingAfterWarmUp) {
  auto exporter = std::make_shared<counting_exporter>();
  auto processor = std::make_shared<simple_processor>(exporter);
  tracer t(std::make_shared<resource>("cart"), sampler::parent_based(sampler::always_on()), processor);
  auto body = [&] {
    for (int i = 0; i < 1000; ++i) {
      span root = t.start_root_span("GET /cart", span_kind::server);
      span child = t.start_span("SELECT cart", span_kind::client, root.context());
      child.end();
      root.end();
    }
  };
  body();
  EXPECT_EQ(allocations_of(body), 0U);
  EXPECT_EQ(exporter->count(), 4000U);
}

TEST(TracerAllocationTest, SampledSpanWithAttributesAllocatesNothingAfterWarmUp) {
  // Pooled records keep their buffers, so the same shape of span reuses them.
  auto exporter = std::make_shared<counting_exporter>();
  auto processor = std::make_shared<simple_processor>(exporter);
  tracer t(std::make_shared<resource>("cart"), sampler::consistent_probability(1.0), processor);
  auto body = [&] {
    for (int i = 0; i < 1000; ++i) {
      span s = t.start_root_span("GET /cart/items/with/a/rather/long/route/name", span_kind::server);
      s.set_attribute("http.route", "/cart/items/{id}/with/a/long/route/template");
      s.set_attribute("http.status_code", 200);
      s.set_attribute("retry", false);
      s.set_attribute("ratio", 0.5);
      s.add_event("cache miss", {{"cache.key", "cart:1234567890:items:with:a:long:key"}});
      s.set_status(status_code::error, "a status message that does not fit in small string storage");
      s.end();
    }
  };
  body();
  EXPECT_EQ(allocations_of(body), 0U);
}

TEST(TracerAllocationTest, SampledSpanThroughBatchProcessorAllocatesNothingOnTheCaller) {
  auto exporter = std::make_shared<counting_exporter>();
  auto processor = std::make_shared<batch_processor>(
      exporter,
      batch_options{.queue_per_thread = 4096, .max_export_batch = 256, .schedule_delay = std::chrono::milliseconds(5)});
  tracer t(std::make_shared<resource>("cart"), sampler::always_on(), processor);
  auto body = [&] {
    for (int i = 0; i < 1000; ++i) {
      span s = t.start_root_span("GET /cart", span_kind::server);
      s.end();
    }
  };
  // Warm-up: the ring for this thread, and enough records in the pool to go round. Records
  // cross threads here (acquired on this thread, released on the worker, which keeps up to
  // kThreadCache of them in its own cache), so the pool must hold the most that can be in
  // flight plus that cache: give it twice the round's 1000 up front. Without this the pool
  // still stops growing, but after a number of rounds that depends on the worker's timing.
  {
    std::vector<span_data*> prefill;
    for (int i = 0; i < 2000; ++i) prefill.push_back(span_pool::acquire());
    for (span_data* r : prefill) span_pool::release(r);
  }
  for (int round = 0; round < 3; ++round) {
    body();
    ASSERT_TRUE(processor->force_flush(std::chrono::seconds(10)));
  }
  const std::size_t created = span_pool::records_created();
  const std::size_t allocations = allocations_of(body);
  ASSERT_TRUE(processor->force_flush(std::chrono::seconds(10)));
  EXPECT_EQ(allocations, 0U) << "records created meanwhile: " << span_pool::records_created() - created;
  const span_counts c = processor->counts();
  EXPECT_EQ(c.exported + c.dropped, 4000U);
  EXPECT_EQ(c.dropped, 0U);
}

// ---- attributes, events, links, status ---------------------------------------------------

TEST(SpanTest, AttributesOfAllFourTypes) {
  fixture f;
  {
    span s = f.t.start_root_span("s", span_kind::internal);
    std::string temporary = "value that dies";
    s.set_attribute("str", std::string_view(temporary));
    temporary.assign("XXXXXXXXXXXXXXX");  // the span copied it
    s.set_attribute("cstr", "literal");
    s.set_attribute("int", 42);
    s.set_attribute("neg", std::int64_t{-7});
    s.set_attribute("u", 7U);
    s.set_attribute("dbl", 2.5);
    s.set_attribute("flag", true);
    s.set_attribute("", 1);  // empty keys are ignored
  }
  const auto spans = f.finished();
  ASSERT_EQ(spans.size(), 1U);
  const auto& a = spans[0].attributes;
  ASSERT_EQ(a.size(), 7U);
  ASSERT_NE(find(a, "str"), nullptr);
  EXPECT_EQ(find(a, "str")->type, attribute_type::string);
  EXPECT_EQ(find(a, "str")->str, "value that dies");
  EXPECT_EQ(find(a, "cstr")->str, "literal");
  EXPECT_EQ(find(a, "int")->type, attribute_type::int64);
  EXPECT_EQ(find(a, "int")->i, 42);
  EXPECT_EQ(find(a, "neg")->i, -7);
  EXPECT_EQ(find(a, "u")->type, attribute_type::int64);
  EXPECT_EQ(find(a, "dbl")->type, attribute_type::float64);
  EXPECT_DOUBLE_EQ(find(a, "dbl")->d, 2.5);
  EXPECT_EQ(find(a, "flag")->type, attribute_type::boolean);
  EXPECT_TRUE(find(a, "flag")->b);
  EXPECT_EQ(spans[0].dropped_attributes, 0U);
}

TEST(SpanTest, OverwritingAKeyKeepsOneEntry) {
  fixture f;
  {
    span s = f.t.start_root_span("s", span_kind::internal);
    s.set_attribute("k", 1);
    s.set_attribute("other", "x");
    s.set_attribute("k", "now a string");
    s.set_attribute("other", false);
  }
  const auto spans = f.finished();
  ASSERT_EQ(spans.size(), 1U);
  const auto& a = spans[0].attributes;
  ASSERT_EQ(a.size(), 2U);
  EXPECT_EQ(a[0].key, "k") << "an overwrite keeps the key's position";
  EXPECT_EQ(a[0].type, attribute_type::string);
  EXPECT_EQ(a[0].str, "now a string");
  EXPECT_EQ(a[1].type, attribute_type::boolean);
  EXPECT_FALSE(a[1].b);
}

TEST(SpanTest, AttributeLimitCountsDropped) {
  fixture f;
  const std::size_t limit = attribute_list::kDefaultLimit;
  {
    span s = f.t.start_root_span("s", span_kind::internal);
    for (std::size_t i = 0; i < limit + 5; ++i)
      s.set_attribute("key" + std::to_string(i), static_cast<std::int64_t>(i));
    s.set_attribute("key0", "overwrite at the limit still works");
    s.set_attribute("key" + std::to_string(limit + 1), 1);  // over the limit again: dropped again
  }
  const auto spans = f.finished();
  ASSERT_EQ(spans.size(), 1U);
  EXPECT_EQ(spans[0].attributes.size(), limit);
  EXPECT_EQ(spans[0].dropped_attributes, 6U);
  EXPECT_EQ(find(spans[0].attributes, "key0")->str, "overwrite at the limit still works");
  EXPECT_EQ(find(spans[0].attributes, "key" + std::to_string(limit)), nullptr);

  // The next span from the same (pooled) record starts clean.
  { span s = f.t.start_root_span("clean", span_kind::internal); }
  const auto again = f.finished();
  ASSERT_EQ(again.size(), 2U);
  EXPECT_TRUE(again[1].attributes.empty());
  EXPECT_EQ(again[1].dropped_attributes, 0U);
}

TEST(SpanTest, EventsWithAttributesAndTimestamps) {
  fixture f;
  {
    span s = f.t.start_root_span("s", span_kind::internal);
    s.add_event("first");
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
    s.add_event("second", {{"retry", 2}, {"reason", "timeout"}, {"fatal", false}, {"wait", 0.25}});
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  const auto spans = f.finished();
  ASSERT_EQ(spans.size(), 1U);
  const auto& sp = spans[0];
  ASSERT_EQ(sp.events.size(), 2U);
  EXPECT_EQ(sp.events[0].name, "first");
  EXPECT_TRUE(sp.events[0].attributes.empty());
  EXPECT_EQ(sp.events[1].name, "second");
  ASSERT_EQ(sp.events[1].attributes.size(), 4U);
  EXPECT_EQ(find(sp.events[1].attributes, "retry")->i, 2);
  EXPECT_EQ(find(sp.events[1].attributes, "reason")->str, "timeout");
  EXPECT_FALSE(find(sp.events[1].attributes, "fatal")->b);
  EXPECT_DOUBLE_EQ(find(sp.events[1].attributes, "wait")->d, 0.25);
  EXPECT_LE(sp.start, sp.events[0].time);
  EXPECT_LE(sp.events[0].time, sp.events[1].time);
  EXPECT_LE(sp.events[1].time, sp.end);
  EXPECT_LT(sp.start, sp.end);
  EXPECT_EQ(sp.dropped_events, 0U);
}

TEST(SpanTest, EventLimitCountsDropped) {
  fixture f;
  {
    span s = f.t.start_root_span("s", span_kind::internal);
    for (std::uint32_t i = 0; i < kMaxEventsPerSpan + 3; ++i) s.add_event("e", {{"i", i}});
  }
  {
    span s = f.t.start_root_span("next", span_kind::internal);
    s.add_event("only");
  }
  const auto spans = f.finished();
  ASSERT_EQ(spans.size(), 2U);
  EXPECT_EQ(spans[0].events.size(), kMaxEventsPerSpan);
  EXPECT_EQ(spans[0].dropped_events, 3U);
  EXPECT_EQ(find(spans[0].events.back().attributes, "i")->i, kMaxEventsPerSpan - 1);
  ASSERT_EQ(spans[1].events.size(), 1U);
  EXPECT_EQ(spans[1].events[0].name, "only");
  EXPECT_TRUE(spans[1].events[0].attributes.empty()) << "a reused event slot starts without attributes";
  EXPECT_EQ(spans[1].dropped_events, 0U);
}

TEST(SpanTest, Links) {
  fixture f;
  const auto state = trace_state::parse("vendor=abc");
  ASSERT_TRUE(state.has_value());
  const span_context a = remote_parent(true, *state);
  span_context b = remote_parent(false);
  b.span = span_id{0x1234ULL};
  const span_context invalid{};
  const span_context at_start[] = {a, invalid, b};
  {
    span s = f.t.start_span("consume", span_kind::consumer, span_context{}, at_start);
    span_context c = a;
    c.span = span_id{0x5678ULL};
    s.add_link(c);
    s.add_link(invalid);  // ignored
  }
  const auto spans = f.finished();
  ASSERT_EQ(spans.size(), 1U);
  const auto& links = spans[0].links;
  ASSERT_EQ(links.size(), 3U);
  EXPECT_EQ(links[0].span, a.span);
  EXPECT_EQ(links[0].trace, a.trace);
  EXPECT_EQ(links[0].state.get("vendor"), "abc");
  EXPECT_TRUE(links[0].sampled());
  EXPECT_EQ(links[1].span, b.span);
  EXPECT_FALSE(links[1].sampled());
  EXPECT_EQ(links[2].span, span_id{0x5678ULL});
  EXPECT_FALSE(spans[0].parent.valid()) << "links are not parents";

  {
    span s = f.t.start_root_span("many", span_kind::consumer);
    for (std::uint32_t i = 0; i < kMaxLinksPerSpan + 2; ++i) s.add_link(a);
  }
  const auto more = f.finished();
  ASSERT_EQ(more.size(), 2U);
  EXPECT_EQ(more[1].links.size(), kMaxLinksPerSpan);
  EXPECT_EQ(more[1].dropped_links, 2U);
}

TEST(SpanTest, StatusRules) {
  fixture f;
  {
    span s = f.t.start_root_span("unset", span_kind::internal);
    s.set_status(status_code::unset, "ignored");
  }
  {
    span s = f.t.start_root_span("error", span_kind::internal);
    s.set_status(status_code::error, "boom");
  }
  {
    span s = f.t.start_root_span("ok-no-message", span_kind::internal);
    s.set_status(status_code::ok, "a description with ok is ignored");
  }
  {
    span s = f.t.start_root_span("ok-is-final", span_kind::internal);
    s.set_status(status_code::ok);
    s.set_status(status_code::error, "too late");
    s.set_status(status_code::unset);
  }
  {
    span s = f.t.start_root_span("error-then-ok", span_kind::internal);
    s.set_status(status_code::error, "boom");
    s.set_status(status_code::ok);
  }
  {
    span s = f.t.start_root_span("error-then-unset", span_kind::internal);
    s.set_status(status_code::error, "boom");
    s.set_status(status_code::unset);
  }
  {
    span s = f.t.start_root_span("error-twice", span_kind::internal);
    s.set_status(status_code::error, "first");
    s.set_status(status_code::error, "second");
  }
  const auto spans = f.finished();
  ASSERT_EQ(spans.size(), 7U);
  EXPECT_EQ(spans[0].status, status_code::unset);
  EXPECT_EQ(spans[0].status_message, "");
  EXPECT_EQ(spans[1].status, status_code::error);
  EXPECT_EQ(spans[1].status_message, "boom");
  EXPECT_EQ(spans[2].status, status_code::ok);
  EXPECT_EQ(spans[2].status_message, "");
  EXPECT_EQ(spans[3].status, status_code::ok);
  EXPECT_EQ(spans[3].status_message, "");
  EXPECT_EQ(spans[4].status, status_code::ok);
  EXPECT_EQ(spans[4].status_message, "");
  EXPECT_EQ(spans[5].status, status_code::error);
  EXPECT_EQ(spans[5].status_message, "boom");
  EXPECT_EQ(spans[6].status, status_code::error);
  EXPECT_EQ(spans[6].status_message, "second");
}

TEST(SpanTest, UpdateName) {
  fixture f;
  {
    span s = f.t.start_root_span("HTTP GET", span_kind::server);
    s.update_name("GET /cart/{id}");
  }
  const auto spans = f.finished();
  ASSERT_EQ(spans.size(), 1U);
  EXPECT_EQ(spans[0].name, "GET /cart/{id}");
}

// ---- time -----------------------------------------------------------------------------

TEST(SpanTest, ClockOffsetShiftsStartAndEnd) {
  constexpr std::int64_t kOffset = 3'600'000'000'000;  // an hour ahead
  fixture f(sampler::always_on(), tracer_options{.clock_offset_nanos = kOffset});
  EXPECT_EQ(f.t.clock_offset_nanos(), kOffset);
  const std::int64_t before = span_clock::now_unix_nanos();
  {
    span s = f.t.start_root_span("skewed", span_kind::server);
    s.add_event("inside");
  }
  const std::int64_t after = span_clock::now_unix_nanos();
  {
    span s = f.t.start_root_span("explicit", span_kind::server);
    s.end_at(before + 5);
  }
  const auto spans = f.finished();
  ASSERT_EQ(spans.size(), 2U);
  EXPECT_GE(spans[0].start, before + kOffset);
  EXPECT_LE(spans[0].end, after + kOffset);
  EXPECT_LE(spans[0].start, spans[0].end);
  ASSERT_EQ(spans[0].events.size(), 1U);
  EXPECT_GE(spans[0].events[0].time, spans[0].start);
  EXPECT_LE(spans[0].events[0].time, spans[0].end);
  EXPECT_EQ(spans[1].end, before + 5 + kOffset) << "end_at takes unshifted time and applies the offset";

  fixture behind(sampler::always_on(), tracer_options{.clock_offset_nanos = -kOffset});
  const std::int64_t t0 = span_clock::now_unix_nanos();
  { span s = behind.t.start_root_span("behind", span_kind::server); }
  const std::int64_t t1 = span_clock::now_unix_nanos();
  const auto b = behind.finished();
  ASSERT_EQ(b.size(), 1U);
  EXPECT_GE(b[0].start, t0 - kOffset);
  EXPECT_LE(b[0].end, t1 - kOffset);
}

TEST(SpanTest, EndNeverPrecedesStart) {
  fixture f;
  for (int i = 0; i < 10'000; ++i) {
    span s = f.t.start_root_span("quick", span_kind::internal);
    if (i % 1000 == 0) span_clock::recalibrate();
  }
  for (const auto& s : f.finished()) ASSERT_LE(s.start, s.end);
}

// ---- ending and moving ------------------------------------------------------------------

TEST(SpanTest, EndIsIdempotent) {
  fixture f;
  {
    span s = f.t.start_root_span("once", span_kind::internal);
    const span_context before = s.context();
    s.end();
    EXPECT_FALSE(s.recording());
    const span_context after = s.context();
    EXPECT_TRUE(after.valid()) << "an ended sampled span keeps its context";
    EXPECT_EQ(after.trace, before.trace);
    EXPECT_EQ(after.span, before.span);
    EXPECT_TRUE(after.sampled());
    s.end();
    s.end_at(1);
    s.set_attribute("after", "end");  // ignored, and must not touch a recycled record
  }
  const auto spans = f.finished();
  ASSERT_EQ(spans.size(), 1U);
  EXPECT_TRUE(spans[0].attributes.empty());
  const span_counts c = f.processor->counts();
  EXPECT_EQ(c.ended, 1U);
  EXPECT_EQ(c.exported, 1U);
}

TEST(SpanTest, MovedFromSpanDoesNotEndTwice) {
  fixture f;
  span_context moved_ctx;
  {
    span a = f.t.start_root_span("moved", span_kind::internal);
    moved_ctx = a.context();
    span b(std::move(a));
    EXPECT_TRUE(b.recording());
    EXPECT_EQ(b.context().span, moved_ctx.span);
    a.end();  // NOLINT(bugprone-use-after-move): a moved-from span does nothing
    EXPECT_EQ(f.exporter->size(), 0U);

    span c = f.t.start_root_span("assigned-over", span_kind::internal);
    const span_id over = c.context().span;
    c = std::move(b);  // ends "assigned-over" first
    ASSERT_EQ(f.exporter->size(), 1U);
    EXPECT_EQ(f.exporter->spans()[0].context.span, over);
    EXPECT_EQ(c.context().span, moved_ctx.span);
    c = std::move(c);  // self-move does nothing  NOLINT
    EXPECT_TRUE(c.recording());
  }
  const auto spans = f.finished();
  ASSERT_EQ(spans.size(), 2U);
  EXPECT_EQ(spans[1].name, "moved");
  EXPECT_EQ(spans[1].context.span, moved_ctx.span);
  EXPECT_EQ(f.processor->counts().ended, 2U);

  // Unsampled spans move their context.
  fixture off(sampler::always_off());
  span u = off.t.start_root_span("u", span_kind::internal);
  const span_context uc = u.context();
  span v(std::move(u));
  EXPECT_EQ(v.context().span, uc.span);
  EXPECT_EQ(v.context().trace, uc.trace);
}

// ---- active scopes -----------------------------------------------------------------------

TEST(ScopeTest, StartActiveSpanUsesTheScopesContext) {
  fixture f;
  EXPECT_FALSE(current_span_context().valid());
  span outer = f.t.start_active_span("outer", span_kind::server);  // no scope: a root
  const span_context outer_ctx = outer.context();
  {
    scope s1(outer);
    EXPECT_EQ(current_span_context().span, outer_ctx.span);
    span middle = f.t.start_active_span("middle", span_kind::internal);
    const span_context middle_ctx = middle.context();
    EXPECT_EQ(middle_ctx.trace, outer_ctx.trace);
    {
      scope s2(middle);
      EXPECT_EQ(current_span_context().span, middle_ctx.span);
      span inner = f.t.start_active_span("inner", span_kind::client);
      EXPECT_EQ(inner.context().trace, outer_ctx.trace);
      inner.end();
    }
    EXPECT_EQ(current_span_context().span, outer_ctx.span) << "the inner scope restored the outer one";
    span sibling = f.t.start_active_span("sibling", span_kind::internal);
    sibling.end();
    middle.end();
  }
  EXPECT_FALSE(current_span_context().valid());
  outer.end();

  // Another thread has its own (empty) current context.
  {
    scope s(outer_ctx);
    bool other_valid = true;
    std::thread([&] { other_valid = current_span_context().valid(); }).join();
    EXPECT_FALSE(other_valid);
  }

  const auto spans = f.finished();
  ASSERT_EQ(spans.size(), 4U);
  // Ended in order: inner, sibling, middle, outer.
  const copied_span& inner = spans[0];
  const copied_span& sibling = spans[1];
  const copied_span& middle = spans[2];
  const copied_span& outer_done = spans[3];
  EXPECT_EQ(inner.name, "inner");
  EXPECT_EQ(inner.parent, middle.context.span);
  EXPECT_EQ(sibling.parent, outer_ctx.span);
  EXPECT_EQ(middle.parent, outer_ctx.span);
  EXPECT_FALSE(outer_done.parent.valid());
}

TEST(ScopeTest, ScopeOfARemoteContext) {
  fixture f;
  const span_context parent = remote_parent(true);
  {
    scope s(parent);
    span child = f.t.start_active_span("handler", span_kind::server);
    EXPECT_EQ(child.context().trace, parent.trace);
  }
  const auto spans = f.finished();
  ASSERT_EQ(spans.size(), 1U);
  EXPECT_EQ(spans[0].parent, parent.span);
  EXPECT_TRUE(spans[0].parent_remote);
}

// ---- accounting ----------------------------------------------------------------------------

TEST(CountersTest, StartedSampledEndedExported) {
  auto exporter = std::make_shared<test_exporter>();
  auto processor = std::make_shared<batch_processor>(exporter);
  tracer t(std::make_shared<resource>("svc"), sampler::parent_based(sampler::always_on()), processor);
  constexpr int kRoots = 300;
  for (int i = 0; i < kRoots; ++i) {
    span root = t.start_root_span("root", span_kind::server);
    span child = t.start_span("child", span_kind::client, root.context());
    span unsampled = t.start_span("unsampled", span_kind::client, remote_parent(false));
  }
  ASSERT_TRUE(processor->force_flush(std::chrono::seconds(10)));
  const span_counts c = processor->counts();
  EXPECT_EQ(c.started, 3U * kRoots);
  EXPECT_EQ(c.sampled, 2U * kRoots);
  EXPECT_EQ(c.ended, 2U * kRoots);
  EXPECT_EQ(c.exported, 2U * kRoots);
  EXPECT_EQ(c.dropped, 0U);
  EXPECT_EQ(c.queued(), 0U);
  EXPECT_EQ(exporter->size(), 2U * kRoots);
  std::unordered_set<std::uint64_t> ids;
  for (const auto& s : exporter->spans()) EXPECT_TRUE(ids.insert(s.context.span.value).second);
}

TEST(CountersTest, TracersShareTheirProcessorsCounters) {
  auto exporter = std::make_shared<test_exporter>();
  auto processor = std::make_shared<simple_processor>(exporter);
  tracer a(std::make_shared<resource>("a"), sampler::always_on(), processor);
  tracer b(std::make_shared<resource>("b"), sampler::always_off(), processor);
  { span s = a.start_root_span("a", span_kind::server); }
  { span s = b.start_root_span("b", span_kind::server); }
  std::thread([&] { span s = a.start_root_span("a2", span_kind::server); }).join();
  const span_counts c = processor->counts();
  EXPECT_EQ(c.started, 3U);
  EXPECT_EQ(c.sampled, 2U);
  EXPECT_EQ(c.ended, 2U);
  EXPECT_EQ(c.exported, 2U);
  const auto spans = exporter->spans();
  ASSERT_EQ(spans.size(), 2U);
  EXPECT_EQ(spans[0].owner->service_name(), "a");
}

}  // namespace
}  // namespace tracebench::tracer
