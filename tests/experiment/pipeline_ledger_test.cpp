// Ground truth for pipeline runs on hand-made requests and spans: the ledger numbers every request
// of a run apart, storage is matched to requests by the request-id attribute, and the record's
// counts, estimates and exemplars follow from the two exactly.

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "tracebench/experiment/pipeline_ledger.hpp"
#include "tracebench/services/service_graph.hpp"
#include "tracebench/tracer/memory_exporter.hpp"

namespace {

using namespace tracebench;
using namespace std::chrono_literals;

// Answers at once: an error for the ids in `failing`, and remembers the ids it was sent.
class fake_target final : public harness::load_target {
 public:
  std::set<std::uint64_t> failing;
  std::vector<std::uint64_t> seen;
  void send(std::uint64_t request_id, harness::reply_callback done) override {
    seen.push_back(request_id);
    done(failing.count(request_id) != 0);
  }
};

tracer::span_data request_span(std::uint64_t request, std::uint64_t trace_low, std::uint64_t span) {
  tracer::span_data s;
  s.context.trace = tracer::trace_id{0xabc, trace_low};
  s.context.span = tracer::span_id{span};
  s.context.flags = tracer::kSampledFlag;  // no th in its tracestate: it counts once
  s.name = "op";
  s.attributes.set(services::kRequestIdAttribute, tracer::attribute_value(static_cast<std::int64_t>(request)));
  return s;
}

void store(harness::stored_traces& storage, const std::vector<tracer::span_data>& spans) {
  std::vector<const tracer::span_data*> batch;
  for (const auto& s : spans) batch.push_back(&s);
  ASSERT_EQ(storage.export_spans(batch), tracer::export_result::success);
}

TEST(RequestLedger, NumbersEveryRequestOfTheRunApartAcrossPhases) {
  fake_target target;
  harness::request_ledger ledger(target);
  // Two phases, each numbering its requests from 0, as the closed and open loops do.
  for (int phase = 0; phase < 2; ++phase) {
    for (std::uint64_t id = 0; id < 5; ++id) ledger.send(id, [](bool) {});
  }
  const auto outcomes = ledger.outcomes();
  EXPECT_EQ(outcomes.size(), 10U);
  EXPECT_EQ(std::set<std::uint64_t>(target.seen.begin(), target.seen.end()).size(), 10U);
  for (const auto& [id, o] : outcomes) EXPECT_GE(o.latency_ns, 0) << id;
}

TEST(RequestLedger, PassesTheOutcomeOnAndRecordsIt) {
  fake_target target;
  target.failing = {1, 3};
  harness::request_ledger ledger(target);
  std::vector<bool> replies;
  for (std::uint64_t id = 0; id < 4; ++id) ledger.send(id, [&](bool error) { replies.push_back(error); });
  EXPECT_EQ(replies, (std::vector<bool>{false, true, false, true}));
  const auto outcomes = ledger.outcomes();
  ASSERT_EQ(outcomes.size(), 4U);
  EXPECT_TRUE(outcomes.at(1).error);
  EXPECT_FALSE(outcomes.at(2).error);
}

TEST(PipelineRecord, CountsCapturedErrorsAgainstGroundTruthAndPointsExemplarsAtStoredTraces) {
  fake_target target;
  for (std::uint64_t id = 0; id < 100; id += 10) target.failing.insert(id);  // 10 errors of 100
  harness::request_ledger ledger(target);
  for (std::uint64_t id = 0; id < 100; ++id) ledger.send(id, [](bool) {});

  auto sink = std::make_shared<tracer::memory_exporter>();
  harness::stored_traces storage(sink);
  // Storage keeps requests 0..29 (three errors), two spans each; a span of another trace without a
  // request id is passed on and counted but matches nothing.
  std::vector<tracer::span_data> spans;
  for (std::uint64_t id = 0; id < 30; ++id) {
    spans.push_back(request_span(id, 1000 + id, 2 * id + 1));
    spans.push_back(request_span(id, 1000 + id, 2 * id + 2));
  }
  tracer::span_data anonymous;
  anonymous.context.trace = tracer::trace_id{1, 1};
  spans.push_back(anonymous);
  // A span of request 0's trace without the attribute (a client span, say) still belongs to it.
  tracer::span_data client = request_span(0, 1000, 99);
  client.attributes.clear();
  spans.push_back(client);
  store(storage, spans);
  EXPECT_EQ(sink->spans().size(), 62U);

  const harness::pipeline_record r = harness::make_pipeline_record(ledger, storage, 1h, std::nullopt);
  EXPECT_EQ(r.requests, 100U);
  EXPECT_EQ(r.errors, 10U);
  EXPECT_EQ(r.slow, 0U);  // nothing takes an hour
  EXPECT_EQ(r.kept, 30U);
  EXPECT_EQ(r.kept_errors, 3U);
  EXPECT_EQ(r.spans_stored, 61U);  // the kept requests' traces' spans
  EXPECT_EQ(r.spans_stored_in_run, 62U);
  // No threshold on the spans: each counts once, so the estimate is the naive count.
  EXPECT_DOUBLE_EQ(r.estimate.requests.value, 30.0);
  EXPECT_DOUBLE_EQ(r.estimate.naive_error_rate, 0.1);
  ASSERT_FALSE(r.exemplars.empty());
  std::set<std::string> stored_ids;
  for (std::uint64_t id = 0; id < 30; ++id) stored_ids.insert(tracer::trace_id{0xabc, 1000 + id}.hex());
  for (const auto& e : r.exemplars) {
    EXPECT_EQ(stored_ids.count(e.trace_id), 1U) << e.trace_id;
    EXPECT_GE(e.value_ns, 0);
    EXPECT_GT(e.timestamp_unix_seconds, 1.6e9);
  }
  EXPECT_FALSE(r.collector);
}

TEST(PipelineRecord, OnlyTheLatencyPhaseCounts) {
  fake_target target;
  target.failing = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};  // every request of the first phase fails
  harness::request_ledger ledger(target);
  for (std::uint64_t id = 0; id < 5; ++id) ledger.send(id, [](bool) {});
  ledger.start_latency_phase();
  for (std::uint64_t id = 0; id < 5; ++id) ledger.send(id, [](bool) {});
  harness::stored_traces storage(std::make_shared<tracer::memory_exporter>());
  store(storage, {request_span(2, 3, 1), request_span(7, 8, 1)});  // one of each phase
  const harness::pipeline_record r = harness::make_pipeline_record(ledger, storage, 1h, std::nullopt);
  // The ledger numbered the second phase 5..9, all failing too.
  EXPECT_EQ(r.requests, 5U);
  EXPECT_EQ(r.errors, 5U);
  EXPECT_EQ(r.kept, 1U);
  EXPECT_EQ(r.spans_stored, 1U);
  EXPECT_EQ(r.spans_stored_in_run, 2U);
}

TEST(PipelineRecord, SlowIsSendToReplyAtLeastTheThreshold) {
  // A target that answers requests 2 and 5 only after a pause.
  class pausing_target final : public harness::load_target {
   public:
    void send(std::uint64_t id, harness::reply_callback done) override {
      if (id == 2 || id == 5) std::this_thread::sleep_for(20ms);
      done(false);
    }
  } target;
  harness::request_ledger ledger(target);
  for (std::uint64_t id = 0; id < 8; ++id) ledger.send(id, [](bool) {});
  harness::stored_traces storage(std::make_shared<tracer::memory_exporter>());
  store(storage, {request_span(5, 7, 1), request_span(6, 8, 1)});
  const harness::pipeline_record r = harness::make_pipeline_record(ledger, storage, 20ms, std::nullopt);
  EXPECT_EQ(r.slow, 2U);
  EXPECT_EQ(r.kept, 2U);
  EXPECT_EQ(r.kept_slow, 1U);
  // The slowest kept request is an exemplar.
  bool found = false;
  for (const auto& e : r.exemplars) found = found || e.trace_id == tracer::trace_id{0xabc, 7}.hex();
  EXPECT_TRUE(found);
}

}  // namespace
