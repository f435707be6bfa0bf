// trace_analysis on hand-built spans: roots, orphans, splits, skew and critical paths.

#include "tracebench/results/trace_analysis.hpp"

#include <gtest/gtest.h>

#include <sstream>

namespace tracebench::harness {
namespace {

constexpr int kServer = 2;
constexpr int kClient = 3;

analyzed_span make(std::string trace, std::string id, std::string parent, std::string service, int kind,
                   std::int64_t start, std::int64_t end) {
  analyzed_span s;
  s.trace_id = std::move(trace);
  s.span_id = std::move(id);
  s.parent_id = std::move(parent);
  s.service = std::move(service);
  s.name = s.service + "-op";
  s.kind = kind;
  s.start_nanos = start;
  s.end_nanos = end;
  return s;
}

// The gateway waited on b, then on d: both calls are on the path, d's callee the slowest on it.
TEST(TraceAnalysis, CriticalPathHoldsSequentialCallsAndTheirSlowestSpan) {
  std::vector<analyzed_span> spans = {
      make("t1", "a", "", "gateway", kServer, 0, 100), make("t1", "b", "a", "gateway", kClient, 10, 30),
      make("t1", "c", "b", "fast", kServer, 11, 29),   make("t1", "d", "a", "gateway", kClient, 30, 95),
      make("t1", "e", "d", "slow", kServer, 31, 94),
  };
  const trace_report r = analyze_spans(spans);
  ASSERT_EQ(r.critical_paths.size(), 1U);
  const critical_path& p = r.critical_paths.front();
  ASSERT_EQ(p.spans.size(), 5U);
  std::string order;
  for (std::size_t i : p.spans) order += r.spans[i].span_id;
  EXPECT_EQ(order, "abcde");
  EXPECT_EQ(r.spans[p.slowest].service, "slow");
  EXPECT_EQ(p.slowest_self_nanos, 63);
  EXPECT_EQ(p.duration_nanos, 100);
  EXPECT_EQ(r.min_spans_per_trace, 5U);
}

TEST(TraceAnalysis, CountsRootsOrphansAndSkew) {
  std::vector<analyzed_span> spans = {
      make("t1", "a", "", "x", kServer, 10, 100),
      make("t1", "b", "a", "x", kClient, 5, 50),    // starts before its parent
      make("t1", "c", "b", "y", kServer, 20, 60),   // ends after the client waiting for it
      make("t1", "d", "zz", "y", kServer, 20, 60),  // its parent is missing
      make("t2", "e", "", "x", kServer, 0, 1),
      make("t2", "f", "", "x", kServer, 0, 1),  // a second root
  };
  const trace_report r = analyze_spans(spans);
  EXPECT_EQ(r.traces, 2U);
  EXPECT_EQ(r.orphans, 1U);
  EXPECT_EQ(r.traces_without_one_root, 1U);
  EXPECT_EQ(r.child_before_parent, 1U);
  EXPECT_EQ(r.child_after_parent, 1U);
  EXPECT_EQ(r.median_spans_per_trace, 3);
}

TEST(TraceAnalysis, NamesWhereARequestSplits) {
  std::vector<analyzed_span> spans = {
      make("t1", "a", "", "gateway", kServer, 0, 100),
      make("t1", "b", "a", "gateway", kClient, 10, 90),
      make("t1", "c", "a", "gateway", kClient, 10, 20),  // a database call, childless too
      make("t2", "d", "", "bank", kServer, 11, 89),
  };
  spans[0].request_id = 3;
  spans[3].request_id = 3;
  spans[1].peer_service = "bank";
  spans[2].peer_service = "db";
  const trace_report r = analyze_spans(spans);
  EXPECT_EQ(r.requests, 1U);
  ASSERT_EQ(r.split_requests.size(), 1U);
  EXPECT_EQ(r.split_requests[0].request_id, 3U);
  EXPECT_EQ(r.split_requests[0].trace_ids, 2U);
  ASSERT_EQ(r.split_requests[0].splits.size(), 1U);
  EXPECT_EQ(r.split_requests[0].splits[0], "gateway -> bank");
}

TEST(TraceAnalysis, ReadsOtlpLinesAndNamesBadOnes) {
  std::istringstream good(
      R"({"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"s"}}]},)"
      R"("scopeSpans":[{"spans":[{"traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"b7ad6b7169203331",)"
      R"("name":"n","kind":5,"startTimeUnixNano":"1","endTimeUnixNano":"2","status":{"code":2},)"
      R"("links":[{"traceId":"0af7651916cd43dd8448eb211c80319d","spanId":"00f067aa0ba902b7"}]}]}]}]})"
      "\n\n");
  const trace_report r = analyze_otlp_stream(good, "mem");
  ASSERT_EQ(r.spans.size(), 1U);
  EXPECT_EQ(r.spans[0].service, "s");
  EXPECT_EQ(r.spans[0].status, 2);
  EXPECT_EQ(r.spans[0].kind, 5);
  ASSERT_EQ(r.spans[0].links.size(), 1U);
  EXPECT_EQ(r.spans[0].links[0].span_id, "00f067aa0ba902b7");

  std::istringstream bad("{}\n");
  try {
    (void)analyze_otlp_stream(bad, "mem");
    FAIL() << "no error";
  } catch (const analysis_error& e) {
    EXPECT_STREQ(e.what(), "mem:1: request has no \"resourceSpans\"");
  }
  std::istringstream bad_time(
      R"({"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"0af7651916cd43dd8448eb211c80319c",)"
      R"("spanId":"b7ad6b7169203331","name":"n","kind":2,"startTimeUnixNano":"x1","endTimeUnixNano":"2"}]}]}]})");
  EXPECT_THROW((void)analyze_otlp_stream(bad_time, "mem"), analysis_error);
}

}  // namespace
}  // namespace tracebench::harness
