// The fake services run in-process: every scenario's traces come out the shape its
// description promises, whatever the tracing configuration.

#include "tracebench/services/service_graph.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>
#include <string>

#include "support/run_scenario.hpp"
#include "tracebench/services/scenario_summary.hpp"
#include "tracebench/tracer/memory_exporter.hpp"

namespace tracebench::test {
namespace {

constexpr int kProducer = 4;
constexpr int kConsumer = 5;

class DeterministicScenario : public testing::TestWithParam<const char*> {};

TEST_P(DeterministicScenario, ExportsWhatValidatePredictsAsOneTreePerRequest) {
  const services::scenario spec = load_shipped(GetParam());
  const double per_request = services::summarize(spec).spans_per_request;
  constexpr std::size_t kRequests = 20;
  const scenario_run run = run_scenario(spec, kRequests);
  EXPECT_EQ(run.completed, kRequests);
  EXPECT_EQ(run.report.spans.size(), static_cast<std::size_t>(per_request * kRequests));
  EXPECT_EQ(run.counts.exported, run.report.spans.size());
  EXPECT_EQ(run.report.traces, kRequests);
  EXPECT_EQ(run.report.requests, kRequests);
  EXPECT_EQ(run.report.traces_without_one_root, 0U);
  EXPECT_EQ(run.report.orphans, 0U);
  EXPECT_TRUE(run.report.split_requests.empty());
  EXPECT_EQ(run.report.min_spans_per_trace, run.report.max_spans_per_trace);
}

INSTANTIATE_TEST_SUITE_P(Shipped, DeterministicScenario, testing::Values("checkout", "add-to-cart", "web-search"),
                         [](const testing::TestParamInfo<const char*>& param) {
                           std::string name = param.param;
                           std::replace(name.begin(), name.end(), '-', '_');
                           return name;
                         });

TEST(ServiceGraph, BrokenPropagationSplitsEachRequestWherePaymentsCallsTheBank) {
  constexpr std::size_t kRequests = 10;
  const scenario_run run = run_scenario(load_shipped("broken-propagation"), kRequests);
  EXPECT_EQ(run.report.traces, 2 * kRequests);
  ASSERT_EQ(run.report.split_requests.size(), kRequests);
  for (const harness::split_request& split : run.report.split_requests) {
    EXPECT_EQ(split.trace_ids, 2U);
    ASSERT_EQ(split.splits.size(), 1U);
    EXPECT_EQ(split.splits.front(), "payments -> bank-api");
  }
  EXPECT_EQ(run.report.traces_without_one_root, 0U);
  EXPECT_EQ(run.report.orphans, 0U);
}

TEST(ServiceGraph, AsyncQueueKeepsProducerAndConsumerInOneTrace) {
  constexpr std::size_t kRequests = 20;
  const scenario_run run = run_scenario(load_shipped("async-queue"), kRequests);
  EXPECT_EQ(run.report.traces, kRequests);
  EXPECT_TRUE(run.report.split_requests.empty());
  EXPECT_EQ(run.report.traces_without_one_root, 0U);
  EXPECT_EQ(run.report.orphans, 0U);
  std::map<std::string, std::set<int>> kinds;
  for (const harness::analyzed_span& s : run.report.spans) kinds[s.trace_id].insert(s.kind);
  for (const auto& [trace, k] : kinds) {
    EXPECT_TRUE(k.contains(kProducer)) << trace;
    EXPECT_TRUE(k.contains(kConsumer)) << trace;
  }
  EXPECT_EQ(run.report.spans.size(),
            static_cast<std::size_t>(services::summarize(run.spec).spans_per_request) * kRequests);
}

TEST(ServiceGraph, BatchConsumerLinksToEachMessagesProducerSpan) {
  constexpr std::size_t kRequests = 32;  // two batches of 16
  const scenario_run run = run_scenario(load_shipped("batch-consumer"), kRequests);
  std::set<std::pair<std::string, std::string>> producers;
  for (const harness::analyzed_span& s : run.report.spans) {
    if (s.kind == kProducer) producers.insert({s.trace_id, s.span_id});
  }
  EXPECT_EQ(producers.size(), kRequests);
  std::set<std::pair<std::string, std::string>> linked;
  std::size_t consumers = 0;
  for (const harness::analyzed_span& s : run.report.spans) {
    if (s.kind != kConsumer) continue;
    ++consumers;
    EXPECT_TRUE(s.parent_id.empty()) << "a batch starts a trace of its own";
    EXPECT_EQ(s.links.size(), 16U);
    for (const harness::span_link& l : s.links) {
      EXPECT_TRUE(producers.contains({l.trace_id, l.span_id}));
      linked.insert({l.trace_id, l.span_id});
    }
  }
  EXPECT_EQ(consumers, 2U);
  EXPECT_EQ(linked, producers);
  EXPECT_EQ(run.report.traces, kRequests + 2);
  EXPECT_TRUE(run.report.split_requests.empty());
  EXPECT_EQ(run.report.orphans, 0U);
}

// The shipped clock-skew puts pricing 5 ms ahead: cache's span seems to start before its
// parent (pricing's client span), and pricing's seems to end after checkout's client span.
TEST(ServiceGraph, ClockSkewShowsChildBeforeParentYetEveryParentResolves) {
  constexpr std::size_t kRequests = 10;
  const scenario_run run = run_scenario(load_shipped("clock-skew"), kRequests);
  EXPECT_EQ(run.report.child_before_parent, kRequests);
  EXPECT_EQ(run.report.child_after_parent, kRequests);
  EXPECT_EQ(run.report.orphans, 0U);
  EXPECT_EQ(run.report.traces_without_one_root, 0U);
  EXPECT_EQ(run.report.traces, kRequests);
}

TEST(ServiceGraph, ClockBehindShowsChildBeforeParentYetEveryParentResolves) {
  services::scenario spec = load_shipped("clock-skew");
  for (services::service& s : spec.services) {
    if (s.name == "inventory") s.clock_skew_ms = -5;  // a leaf behind: it starts before its caller
    if (s.name == "pricing") s.clock_skew_ms = 0;     // the shipped skew, taken out to isolate this one
  }
  constexpr std::size_t kRequests = 10;
  const scenario_run run = run_scenario(spec, kRequests);
  EXPECT_EQ(run.report.child_before_parent, kRequests);
  EXPECT_EQ(run.report.orphans, 0U);
  EXPECT_EQ(run.report.traces_without_one_root, 0U);
}

TEST(ServiceGraph, CheckoutCriticalPathRunsThroughTheBank) {
  const scenario_run run = run_scenario(load_shipped("checkout"), 5);
  ASSERT_EQ(run.report.critical_paths.size(), 5U);
  for (const harness::critical_path& path : run.report.critical_paths) {
    const bool through_bank = std::any_of(path.spans.begin(), path.spans.end(),
                                          [&](std::size_t i) { return run.report.spans[i].service == "bank-api"; });
    EXPECT_TRUE(through_bank) << path.trace_id;
    EXPECT_EQ(run.report.spans[path.slowest].service, "bank-api");
  }
}

TEST(ServiceGraph, OffRunsTheSameGraphAndExportsNothing) {
  constexpr std::size_t kRequests = 10;
  const scenario_run run = run_scenario(load_shipped("batch-consumer"), kRequests, "off");
  EXPECT_EQ(run.completed, kRequests);
  EXPECT_EQ(run.counts.started, 0U);
  EXPECT_TRUE(run.report.spans.empty());
}

TEST(ServiceGraph, NeverStartsEverySpanAndExportsNone) {
  constexpr std::size_t kRequests = 10;
  const services::scenario spec = load_shipped("checkout");
  const scenario_run run = run_scenario(spec, kRequests, "never");
  EXPECT_EQ(run.completed, kRequests);
  EXPECT_EQ(run.counts.started, static_cast<std::uint64_t>(services::summarize(spec).spans_per_request) * kRequests);
  EXPECT_EQ(run.counts.sampled, 0U);
  EXPECT_TRUE(run.report.spans.empty());
}

TEST(ServiceGraph, ErrorsPropagateToTheEntryAndRepeatAcrossConfigurations) {
  services::scenario spec = load_shipped("checkout");
  for (services::service& s : spec.services) {
    if (s.name == "bank-api") s.error_probability = 0.5;
  }
  constexpr std::size_t kRequests = 20;
  const scenario_run traced = run_scenario(spec, kRequests, "1/1");
  const scenario_run untraced = run_scenario(spec, kRequests, "off");
  EXPECT_GT(traced.errors, 0U);
  EXPECT_LT(traced.errors, kRequests);
  EXPECT_EQ(traced.errors, untraced.errors) << "the same seed draws the same errors";
  std::size_t error_spans = 0;
  for (const harness::analyzed_span& s : traced.report.spans) error_spans += s.status == 2 ? 1 : 0;
  // bank-api, its client span in payments, payments, checkout's client and server, gateway's.
  EXPECT_EQ(error_spans, traced.errors * 7);
}

// Counts the seam's calls and forwards them: the same instrumented code runs under every configuration.
class counting_instrumentation final : public tracer::instrumentation {
 public:
  counting_instrumentation(std::shared_ptr<tracer::instrumentation> inner, std::atomic<std::size_t>& starts,
                           std::atomic<std::size_t>& injects)
      : inner_(std::move(inner)), starts_(starts), injects_(injects) {}
  tracer::span_token start_span(std::string_view name, tracer::span_kind kind, const tracer::span_context& parent,
                                std::span<const tracer::span_context> links) noexcept override {
    starts_.fetch_add(1);
    return inner_->start_span(name, kind, parent, links);
  }
  void set_attribute(tracer::span_token& s, std::string_view key, const tracer::attribute_value& v) noexcept override {
    inner_->set_attribute(s, key, v);
  }
  void add_event(tracer::span_token& s, std::string_view name) noexcept override { inner_->add_event(s, name); }
  void set_status(tracer::span_token& s, tracer::status_code code, std::string_view message) noexcept override {
    inner_->set_status(s, code, message);
  }
  void end(tracer::span_token& s) noexcept override { inner_->end(s); }
  tracer::span_context context_of(const tracer::span_token& s) const noexcept override { return inner_->context_of(s); }
  void inject(const tracer::span_token& s, const tracer::baggage& bag,
              tracer::header_carrier& carrier) noexcept override {
    injects_.fetch_add(1);
    inner_->inject(s, bag, carrier);
  }
  tracer::propagation_context extract(const tracer::header_carrier& carrier) noexcept override {
    return inner_->extract(carrier);
  }

 private:
  std::shared_ptr<tracer::instrumentation> inner_;
  std::atomic<std::size_t>& starts_;
  std::atomic<std::size_t>& injects_;
};

TEST(ServiceGraph, EveryConfigurationMakesTheSameInstrumentationCalls) {
  const services::scenario spec = load_shipped("async-queue");
  constexpr std::size_t kRequests = 10;
  const auto count = [&](const char* config) {
    std::atomic<std::size_t> starts{0};
    std::atomic<std::size_t> injects{0};
    auto processor = std::make_shared<tracer::simple_processor>(std::make_shared<tracer::memory_exporter>());
    services::graph_options options;
    options.threads = 2;
    options.instrument =
        [&, inner = services::make_instrumentation_factory(services::tracing_config::parse(config), processor)](
            const services::service_identity& id) -> std::shared_ptr<tracer::instrumentation> {
      return std::make_shared<counting_instrumentation>(inner(id), starts, injects);
    };
    services::service_graph graph(spec, std::move(options));
    for (std::uint64_t i = 0; i < kRequests; ++i) graph.submit(i, {});
    EXPECT_TRUE(graph.wait_idle(std::chrono::seconds(10)));
    graph.stop();
    return std::pair<std::size_t, std::size_t>{starts.load(), injects.load()};
  };
  const auto off = count("off");
  EXPECT_EQ(off.first, static_cast<std::size_t>(services::summarize(spec).spans_per_request) * kRequests);
  EXPECT_EQ(count("never"), off);
  EXPECT_EQ(count("1/4"), off);
}

TEST(ServiceGraph, StopAbandonsWorkInFlight) {
  auto processor = std::make_shared<tracer::simple_processor>(std::make_shared<tracer::memory_exporter>());
  services::graph_options options;
  options.threads = 2;
  options.instrument = services::make_instrumentation_factory(services::tracing_config::parse("1/1"), processor);
  services::service_graph graph(load_shipped("async-queue"), std::move(options));
  for (std::uint64_t i = 0; i < 50; ++i) graph.submit(i, {});
  EXPECT_FALSE(graph.wait_idle(std::chrono::milliseconds(0)));
  graph.stop();
  graph.stop();
}

TEST(ServiceGraph, RequiresAnInstrumentationFactory) {
  EXPECT_THROW(services::service_graph(load_shipped("checkout"), services::graph_options{}), std::invalid_argument);
}

TEST(TracingConfig, ParsesAndNamesTheConfigurations) {
  using services::tracing_config;
  EXPECT_EQ(tracing_config::parse("off").tracing, tracing_config::mode::off);
  EXPECT_EQ(tracing_config::parse("never").tracing, tracing_config::mode::never);
  EXPECT_EQ(tracing_config::parse("1/16").probability, 1.0 / 16);
  EXPECT_EQ(tracing_config::parse("1/16").name(), "1/16");
  EXPECT_EQ(tracing_config::parse("off").name(), "off");
  EXPECT_THROW((void)tracing_config::parse("sometimes"), std::invalid_argument);
}

TEST(TracingConfig, TailIsHeadAtOneThenTheCollectorAndTwoTierKeepsItsHeadRatio) {
  using services::tracing_config;
  const tracing_config tail = tracing_config::parse("tail");
  EXPECT_TRUE(tail.tail);
  EXPECT_EQ(tail.tracing, tracing_config::mode::probability);
  EXPECT_EQ(tail.probability, 1.0);
  EXPECT_EQ(tail.name(), "tail");
  const tracing_config two = tracing_config::parse("1/16+tail");
  EXPECT_TRUE(two.tail);
  EXPECT_EQ(two.probability, 1.0 / 16);
  EXPECT_EQ(two.name(), "1/16+tail");
  EXPECT_FALSE(tracing_config::parse("1/16").tail);
  for (const char* bad : {"off+tail", "never+tail", "+tail", "1/16+", "1/16+head", "tail+tail", "1/0+tail"}) {
    EXPECT_THROW((void)tracing_config::parse(bad), std::invalid_argument) << bad;
  }
}

}  // namespace
}  // namespace tracebench::test
