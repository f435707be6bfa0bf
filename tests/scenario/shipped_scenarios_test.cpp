// The scenarios shipped in scenarios/: all load, and each shows what it was made to show,
// checked against figures computed by hand from the files.

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "tracebench/services/scenario_loader.hpp"
#include "tracebench/services/scenario_summary.hpp"

namespace ts = tracebench::services;
namespace fs = std::filesystem;

namespace {

const fs::path kDir = fs::path(TRACEBENCH_SOURCE_DIR) / "scenarios";
const std::vector<std::string> kShipped = {"add-to-cart",        "async-queue",   "batch-consumer",
                                           "broken-propagation", "checkout",      "clock-skew",
                                           "order-fanout",       "rare-failures", "web-search"};

ts::scenario load(const std::string& name) {
  ts::load_result r = ts::load_scenario_file(kDir / (name + ".json"));
  if (!r.ok()) ADD_FAILURE() << name << ": " << r.errors.front();
  return r.ok() ? std::move(*r.value) : ts::scenario{};
}

const ts::service_figures& figures(const ts::scenario_summary& sum, const std::string& name) {
  return *std::find_if(sum.per_service.begin(), sum.per_service.end(),
                       [&](const ts::service_figures& f) { return f.name == name; });
}

// Every distribution constant, every call certain, no injected errors: same spans every request.
void expect_deterministic(const ts::scenario& s) {
  const auto constant = [](const ts::distribution& d) { return d.kind() == ts::distribution::shape::constant; };
  for (const ts::service& svc : s.services) {
    EXPECT_EQ(svc.error_probability, 0) << s.name << "/" << svc.name;
    EXPECT_TRUE(constant(svc.cpu_us) && constant(svc.wait_us)) << s.name << "/" << svc.name;
    for (const ts::internal_span& span : svc.internal_spans) {
      EXPECT_TRUE(constant(span.cpu_us) && constant(span.wait_us)) << s.name << "/" << svc.name;
    }
    for (const ts::step& st : svc.steps) {
      for (const ts::call& c : st.calls) EXPECT_EQ(c.probability, 1) << s.name << "/" << svc.name << " -> " << c.to;
    }
  }
}

}  // namespace

TEST(ShippedScenarios, ExactlyTheNineShippedFilesAllLoad) {
  std::vector<std::string> found;
  for (const fs::directory_entry& e : fs::directory_iterator(kDir)) {
    if (e.path().extension() == ".json") found.push_back(e.path().stem().string());
  }
  std::sort(found.begin(), found.end());
  EXPECT_EQ(found, kShipped);
  for (const std::string& name : kShipped) {
    const ts::load_result r = ts::load_scenario_file(kDir / (name + ".json"));
    ASSERT_TRUE(r.ok()) << name << ": " << r.errors.front();
    EXPECT_EQ(r.value->name, name) << "the name inside matches the file";
    EXPECT_FALSE(r.value->description.empty()) << name;
    EXPECT_TRUE(r.value->production.has_value()) << name;
  }
}

TEST(ShippedScenarios, CheckoutMatchesHandComputedFigures) {
  const ts::scenario s = load("checkout");
  expect_deterministic(s);
  const ts::scenario_summary sum = ts::summarize(s);
  EXPECT_EQ(sum.services, 7u);
  EXPECT_EQ(sum.depth, 4u);  // gateway -> checkout -> payments -> bank-api
  // Six calls, each a client span plus the callee's server span, plus the gateway's own.
  EXPECT_DOUBLE_EQ(sum.spans_per_request, 13);
  EXPECT_DOUBLE_EQ(sum.traces_per_request, 1);
  EXPECT_DOUBLE_EQ(sum.cpu_us_per_request, 150 + 400 + 300 + 20 + 200 + 250 + 50);
  EXPECT_DOUBLE_EQ(sum.wait_us_per_request, 1850 + 2600 + 2700 + 480 + 4800 + 22750 + 86950);
  // gateway 2 ms + checkout 3 ms + max(pricing 3 + cache 0.5, inventory 5) + payments 23 + bank-api 87.
  EXPECT_DOUBLE_EQ(sum.critical_path_us, 120'000);
  EXPECT_DOUBLE_EQ(figures(sum, "pricing").critical_path_us, 0);
  EXPECT_DOUBLE_EQ(figures(sum, "inventory").critical_path_us, 5'000);
  ASSERT_TRUE(sum.projected_spans_per_second.has_value());
  EXPECT_DOUBLE_EQ(*sum.projected_spans_per_second, 10'000.0 * 13 * 20 / 7);
}

TEST(ShippedScenarios, BankApiDominatesCheckoutLatency) {
  const ts::scenario_summary sum = ts::summarize(load("checkout"));
  const ts::service_figures& top = sum.largest_latency_contributor();
  EXPECT_EQ(top.name, "bank-api");
  EXPECT_DOUBLE_EQ(top.critical_path_us, 87'000);
  EXPECT_GT(top.critical_path_us / sum.critical_path_us, 0.7);  // Dapper's 870 of 1,200 ms
}

TEST(ShippedScenarios, WebSearchIsWideAndFast) {
  const ts::scenario s = load("web-search");
  expect_deterministic(s);
  const ts::scenario_summary sum = ts::summarize(s);
  EXPECT_EQ(sum.services, 9u);
  EXPECT_EQ(sum.depth, 3u);
  // root + 4 x (client + mixer) + 32 x (client + index shard)
  EXPECT_DOUBLE_EQ(sum.spans_per_request, 1 + 4 * 2 + 32 * 2);
  EXPECT_DOUBLE_EQ(sum.traces_per_request, 1);
  EXPECT_DOUBLE_EQ(sum.cpu_us_per_request, 20 + 4 * 10 + 32 * 5);
  EXPECT_DOUBLE_EQ(sum.wait_us_per_request, 32 * 20);
  EXPECT_DOUBLE_EQ(sum.critical_path_us, 20 + 10 + 5 + 20);
  EXPECT_DOUBLE_EQ(figures(sum, "web-index").invocations, 8);
  // Fast on purpose: at most a few microseconds of busy work per span, so span cost shows.
  EXPECT_LT(sum.cpu_us_per_request / sum.spans_per_request, 5);
}

TEST(ShippedScenarios, AddToCartIsAFiveServiceChainEndingInPostgres) {
  const ts::scenario s = load("add-to-cart");
  expect_deterministic(s);
  const ts::scenario_summary sum = ts::summarize(s);
  EXPECT_EQ(sum.services, 5u);
  EXPECT_EQ(sum.depth, 5u);
  EXPECT_DOUBLE_EQ(sum.spans_per_request, 11);  // 5 server + 4 client + redis + postgres
  EXPECT_DOUBLE_EQ(sum.critical_path_us, 2'500);
  const ts::service& last = s.services.back();
  ASSERT_EQ(last.internal_spans.size(), 1u);
  const ts::internal_span& query = last.internal_spans[0];
  EXPECT_EQ(query.kind, ts::span_kind::client);
  const auto attribute = [&](const std::string& key) {
    const auto it = std::find_if(query.attributes.begin(), query.attributes.end(),
                                 [&](const ts::attribute& a) { return a.key == key; });
    return it == query.attributes.end() ? std::string() : std::get<std::string>(it->value);
  };
  EXPECT_EQ(attribute("db.system"), "postgresql");
  EXPECT_NE(attribute("db.statement").find("SELECT"), std::string::npos);
}

TEST(ShippedScenarios, BrokenPropagationPredictsTwoTraces) {
  const ts::scenario s = load("broken-propagation");
  const ts::scenario_summary sum = ts::summarize(s);
  EXPECT_DOUBLE_EQ(sum.traces_per_request, 2);
  EXPECT_DOUBLE_EQ(sum.spans_per_request, 13);  // the same work as checkout, split in two
  EXPECT_FALSE(s.find("payments")->propagates_context);
}

TEST(ShippedScenarios, ClockSkewHasOneServiceFiveMillisecondsAhead) {
  const ts::scenario s = load("clock-skew");
  std::vector<std::string> skewed;
  for (const ts::service& svc : s.services) {
    if (svc.clock_skew_ms != 0) skewed.push_back(svc.name);
  }
  EXPECT_EQ(skewed, std::vector<std::string>{"pricing"});
  const ts::service& pricing = *s.find("pricing");
  const ts::service& cache = *s.find("cache");
  EXPECT_EQ(pricing.clock_skew_ms, 5);
  // Pricing calls cache, whose clock is right: the skew exceeds cache's span, so that child
  // seems to run entirely before its parent (pricing's client span) starts.
  EXPECT_GT(pricing.clock_skew_ms * 1000, cache.cpu_us.mean() + cache.wait_us.mean());
}

TEST(ShippedScenarios, AsyncQueueStaysInOneTrace) {
  const ts::scenario s = load("async-queue");
  const ts::scenario_summary sum = ts::summarize(s);
  EXPECT_DOUBLE_EQ(sum.traces_per_request, 1);
  EXPECT_DOUBLE_EQ(sum.spans_per_request, 10);
  const ts::call& publish = s.find("orders")->steps.at(0).calls.at(0);
  EXPECT_EQ(publish.via, ts::call_via::queue);
  EXPECT_EQ(s.find("fulfillment")->kind, ts::span_kind::consumer);
  // The reply does not wait for the worker: only storefront and orders are on its critical path.
  EXPECT_DOUBLE_EQ(sum.critical_path_us, 100 + 200 + 10 + 800);
}

TEST(ShippedScenarios, BatchConsumerAmortisesItsSpans) {
  const ts::scenario s = load("batch-consumer");
  const ts::scenario_summary sum = ts::summarize(s);
  const ts::call& batch = s.find("events-api")->steps.at(0).calls.at(0);
  ASSERT_EQ(batch.via, ts::call_via::batch);
  ASSERT_EQ(batch.batch_size, 16u);
  // storefront 1 + client 1 + events-api 1 + producer 1 + (loader 1 + client 1 + warehouse 2) / 16
  EXPECT_DOUBLE_EQ(sum.spans_per_request, 4 + 4.0 / 16);
  EXPECT_DOUBLE_EQ(sum.traces_per_request, 1 + 1.0 / 16);
}

TEST(ShippedScenarios, OrderFanoutHasTwelveServicesAndFraudCheckIsTheBottleneck) {
  const ts::scenario s = load("order-fanout");
  const ts::scenario_summary sum = ts::summarize(s);
  EXPECT_EQ(sum.services, 12u);
  EXPECT_DOUBLE_EQ(sum.spans_per_request, 1 + 11 * 2 + 1);  // every service called once, one db span
  EXPECT_EQ(sum.largest_latency_contributor().name, "fraud-check");
  EXPECT_GT(sum.largest_latency_contributor().critical_path_us / sum.critical_path_us, 0.8);
}

namespace {

// The longest a request can take when no call of probability below 1 fires: every wait at its
// upper bound. Bounded distributions only, or there is no such bound.
double longest_us(const ts::scenario& s, const ts::service& svc) {
  const auto upper = [&](const ts::distribution& d) {
    if (d.kind() == ts::distribution::shape::constant) return d.first();
    EXPECT_EQ(d.kind(), ts::distribution::shape::uniform) << svc.name << ": unbounded " << d.describe();
    return d.second();
  };
  EXPECT_TRUE(svc.internal_spans.empty()) << svc.name;
  double total = upper(svc.cpu_us) + upper(svc.wait_us);
  for (const ts::step& st : svc.steps) {
    double slowest = 0;
    for (const ts::call& c : st.calls) {
      if (c.probability == 1) slowest = std::max(slowest, c.repeat * longest_us(s, s.services[c.target]));
    }
    total += slowest;
  }
  return total;
}

}  // namespace

TEST(ShippedScenarios, RareFailuresHasOneRareErrorAndOneRareSlowPath) {
  const ts::scenario s = load("rare-failures");
  const ts::scenario_summary sum = ts::summarize(s);
  EXPECT_EQ(sum.services, 6u);
  // Every call an rpc that propagates errors, so the one failing leaf fails the whole request.
  std::vector<std::string> failing;
  std::vector<const ts::call*> rare;
  for (const ts::service& svc : s.services) {
    if (svc.error_probability != 0) failing.push_back(svc.name);
    for (const ts::step& st : svc.steps) {
      for (const ts::call& c : st.calls) {
        EXPECT_EQ(c.via, ts::call_via::rpc) << svc.name << " -> " << c.to;
        EXPECT_EQ(c.on_error, ts::error_policy::propagate) << svc.name << " -> " << c.to;
        if (c.probability != 1) rare.push_back(&c);
      }
    }
  }
  ASSERT_EQ(failing.size(), 1u);
  const ts::service& leaf = *s.find(failing[0]);
  EXPECT_TRUE(leaf.steps.empty()) << leaf.name << " is a leaf";
  EXPECT_EQ(leaf.error_probability, 0.001);
  ASSERT_EQ(rare.size(), 1u);
  EXPECT_EQ(rare[0]->to, "cold-storage");
  EXPECT_EQ(rare[0]->probability, 0.001);
  EXPECT_EQ(s.find("cold-storage")->wait_us, ts::distribution::constant(200'000));

  // Normal requests stay far below the slow path's 200 ms, so a latency policy separates them.
  const double normal_us = longest_us(s, s.entry_service());
  EXPECT_LT(normal_us, 10'000);
  ASSERT_TRUE(s.sampling.has_value());
  ASSERT_TRUE(s.sampling->tail.slow_us.has_value());
  EXPECT_GT(static_cast<double>(*s.sampling->tail.slow_us), 10 * normal_us);
  EXPECT_LT(*s.sampling->tail.slow_us, 200'000);
  EXPECT_EQ(s.sampling->configurations, (std::vector<std::string>{"1/16", "1/1024", "tail", "1/16+tail"}));
  EXPECT_TRUE(s.sampling->tail.keep_errors);
  EXPECT_EQ(s.sampling->tail.baseline, 0.1);
  // A few hundred microseconds of cpu: a core serves a few thousand requests per second.
  EXPECT_GE(sum.cpu_us_per_request, 300);
  EXPECT_LE(sum.cpu_us_per_request, 500);
}

TEST(ShippedScenarios, ReadmeExampleLoads) {
  std::ifstream in(kDir / "README.md");
  std::stringstream text;
  text << in.rdbuf();
  const std::string readme = text.str();
  const std::string fence = "```jsonc\n";
  const std::size_t begin = readme.find(fence);
  ASSERT_NE(begin, std::string::npos) << "scenarios/README.md has an annotated ```jsonc example";
  const std::size_t end = readme.find("```", begin + fence.size());
  ASSERT_NE(end, std::string::npos);
  const ts::load_result r = ts::parse_scenario(readme.substr(begin + fence.size(), end - begin - fence.size()));
  ASSERT_TRUE(r.ok()) << r.errors.front();
}
