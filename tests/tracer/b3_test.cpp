// Zipkin B3 propagation: single and multi header, id padding, sampling and debug.
#include "tracebench/tracer/b3_propagator.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "tracebench/tracer/header_carrier.hpp"

namespace tracebench::tracer {
namespace {

const std::string kTrace = "463ac35c9f6413ad48485a3953bb6124";
const std::string kTrace64 = "48485a3953bb6124";
const std::string kTrace64Padded = "000000000000000048485a3953bb6124";
const std::string kSpan = "a2fb4a1d1a96d312";
const std::string kParent = "0020000000000001";
const std::string kOther = "0af7651916cd43dd8448eb211c80319c";

std::string dash(std::initializer_list<std::string_view> parts) {
  std::string s;
  for (auto p : parts) {
    if (!s.empty()) s += '-';
    s += p;
  }
  return s;
}

using headers = std::vector<std::pair<std::string, std::string>>;

struct b3_case {
  std::string name;
  headers request;
  bool valid;
  std::string trace;
  std::string span;
  std::uint8_t flags;
};

void PrintTo(const b3_case& c, std::ostream* os) { *os << c.name; }

b3_case ok(std::string name, headers h, std::uint8_t flags, std::string trace = kTrace, std::string span = kSpan) {
  return {std::move(name), std::move(h), true, std::move(trace), std::move(span), flags};
}
b3_case bad(std::string name, headers h) { return {std::move(name), std::move(h), false, "", "", 0}; }

headers multi(std::string trace, std::string span, std::string sampled = "", std::string flags = "",
              std::string parent = "") {
  headers h{{"X-B3-TraceId", std::move(trace)}, {"X-B3-SpanId", std::move(span)}};
  if (!sampled.empty()) h.emplace_back("X-B3-Sampled", std::move(sampled));
  if (!flags.empty()) h.emplace_back("X-B3-Flags", std::move(flags));
  if (!parent.empty()) h.emplace_back("X-B3-ParentSpanId", std::move(parent));
  return h;
}

std::vector<b3_case> cases() {
  return {
      // --- single header
      ok("single_sampled", {{"b3", dash({kTrace, kSpan, "1"})}}, kSampledFlag),
      ok("single_not_sampled", {{"b3", dash({kTrace, kSpan, "0"})}}, 0),
      ok("single_debug_is_sampled", {{"b3", dash({kTrace, kSpan, "d"})}}, kSampledFlag),
      ok("single_deferred", {{"b3", dash({kTrace, kSpan})}}, 0),
      ok("single_with_parent", {{"b3", dash({kTrace, kSpan, "1", kParent})}}, kSampledFlag),
      ok("single_64bit_trace_padded", {{"b3", dash({kTrace64, kSpan, "1"})}}, kSampledFlag, kTrace64Padded),
      ok("single_header_name_any_case", {{"B3", dash({kTrace, kSpan, "1"})}}, kSampledFlag),
      bad("single_sampling_only_0", {{"b3", "0"}}),
      bad("single_sampling_only_1", {{"b3", "1"}}),
      bad("single_sampling_only_d", {{"b3", "d"}}),
      bad("single_empty", {{"b3", ""}}),
      bad("single_uppercase_trace", {{"b3", dash({"463AC35C9F6413AD48485A3953BB6124", kSpan, "1"})}}),
      bad("single_uppercase_span", {{"b3", dash({kTrace, "A2FB4A1D1A96D312", "1"})}}),
      bad("single_trace_20_hex", {{"b3", dash({"463ac35c9f6413ad4848", kSpan, "1"})}}),
      bad("single_span_15_hex", {{"b3", dash({kTrace, "a2fb4a1d1a96d31", "1"})}}),
      bad("single_zero_trace", {{"b3", dash({std::string(32, '0'), kSpan, "1"})}}),
      bad("single_zero_trace_64", {{"b3", dash({std::string(16, '0'), kSpan, "1"})}}),
      bad("single_zero_span", {{"b3", dash({kTrace, std::string(16, '0'), "1"})}}),
      bad("single_bad_sampling_2", {{"b3", dash({kTrace, kSpan, "2"})}}),
      bad("single_bad_sampling_true", {{"b3", dash({kTrace, kSpan, "true"})}}),
      bad("single_empty_sampling", {{"b3", dash({kTrace, kSpan, ""})}}),
      bad("single_bad_parent", {{"b3", dash({kTrace, kSpan, "1", "xyz"})}}),
      bad("single_zero_parent", {{"b3", dash({kTrace, kSpan, "1", std::string(16, '0')})}}),
      bad("single_too_many_fields", {{"b3", dash({kTrace, kSpan, "1", kParent, "x"})}}),
      bad("single_trace_only", {{"b3", kTrace}}),
      bad("single_leading_space", {{"b3", std::string(" ").append(dash({kTrace, kSpan, "1"}))}}),
      bad("single_duplicated", {{"b3", dash({kTrace, kSpan, "1"})}, {"b3", dash({kTrace, kSpan, "1"})}}),
      // --- multi header
      ok("multi_sampled", multi(kTrace, kSpan, "1"), kSampledFlag),
      ok("multi_not_sampled", multi(kTrace, kSpan, "0"), 0),
      ok("multi_sampled_true", multi(kTrace, kSpan, "true"), kSampledFlag),
      ok("multi_sampled_false", multi(kTrace, kSpan, "false"), 0),
      ok("multi_deferred", multi(kTrace, kSpan), 0),
      ok("multi_debug_is_sampled", multi(kTrace, kSpan, "", "1"), kSampledFlag),
      ok("multi_debug_overrides_sampled_0", multi(kTrace, kSpan, "0", "1"), kSampledFlag),
      ok("multi_flags_0_not_debug", multi(kTrace, kSpan, "0", "0"), 0),
      ok("multi_with_parent", multi(kTrace, kSpan, "1", "", kParent), kSampledFlag),
      ok("multi_64bit_trace_padded", multi(kTrace64, kSpan, "1"), kSampledFlag, kTrace64Padded),
      ok("multi_lowercase_names", {{"x-b3-traceid", kTrace}, {"x-b3-spanid", kSpan}, {"x-b3-sampled", "1"}},
         kSampledFlag),
      bad("multi_missing_span", {{"X-B3-TraceId", kTrace}, {"X-B3-Sampled", "1"}}),
      bad("multi_missing_trace", {{"X-B3-SpanId", kSpan}, {"X-B3-Sampled", "1"}}),
      bad("multi_sampled_only", {{"X-B3-Sampled", "1"}}),
      bad("multi_flags_only", {{"X-B3-Flags", "1"}}),
      bad("multi_bad_sampled", multi(kTrace, kSpan, "yes")),
      bad("multi_sampled_uppercase_true", multi(kTrace, kSpan, "True")),
      bad("multi_bad_flags", multi(kTrace, kSpan, "1", "2")),
      bad("multi_bad_parent", multi(kTrace, kSpan, "1", "", "nothex0000000000")),
      bad("multi_uppercase_trace", multi("463AC35C9F6413AD48485A3953BB6124", kSpan, "1")),
      bad("multi_zero_span", multi(kTrace, std::string(16, '0'), "1")),
      bad("multi_trace_33_hex", multi(kTrace + "1", kSpan, "1")),
      bad("multi_duplicated_trace", {{"X-B3-TraceId", kTrace}, {"X-B3-TraceId", kOther}, {"X-B3-SpanId", kSpan}}),
      bad("multi_duplicated_sampled",
          {{"X-B3-TraceId", kTrace}, {"X-B3-SpanId", kSpan}, {"X-B3-Sampled", "1"}, {"X-B3-Sampled", "0"}}),
      bad("nothing", {}),
      // --- both forms: single preferred, multi as fallback
      ok(
          "single_preferred_over_multi",
          [] {
            headers h = multi(kOther, kParent, "0");
            h.emplace_back("b3", dash({kTrace, kSpan, "1"}));
            return h;
          }(),
          kSampledFlag),
      ok(
          "bad_single_falls_back_to_multi",
          [] {
            headers h = multi(kTrace, kSpan, "1");
            h.emplace_back("b3", "garbage");
            return h;
          }(),
          kSampledFlag),
      ok(
          "sampling_only_single_falls_back_to_multi",
          [] {
            headers h = multi(kTrace, kSpan, "0");
            h.emplace_back("b3", "1");
            return h;
          }(),
          0),
  };
}

class B3Table : public ::testing::TestWithParam<b3_case> {};

TEST_P(B3Table, Extracts) {
  const b3_case& tc = GetParam();
  header_list carrier;
  for (const auto& [k, v] : tc.request) carrier.add(k, v);
  propagation_context context;
  b3_propagator{}.extract(carrier, context);
  ASSERT_EQ(context.span.valid(), tc.valid);
  if (!tc.valid) return;
  EXPECT_EQ(context.span.trace.hex(), tc.trace);
  EXPECT_EQ(context.span.span.hex(), tc.span);
  EXPECT_EQ(context.span.flags, tc.flags);
  EXPECT_TRUE(context.span.remote);
  EXPECT_TRUE(context.span.state.empty());
}

INSTANTIATE_TEST_SUITE_P(B3, B3Table, ::testing::ValuesIn(cases()), [](const auto& p) { return p.param.name; });

// The extract mode does not depend on the inject mode.
TEST(B3, MultiModePropagatorExtractsSingleHeader) {
  propagation_context context;
  b3_propagator{b3_propagator::mode::multi_header}.extract(header_list{{"b3", dash({kTrace, kSpan, "1"})}}, context);
  EXPECT_TRUE(context.span.valid());
}

span_context make_context(std::uint8_t flags) {
  span_context ctx;
  ctx.trace = *trace_id::from_hex(kTrace);
  ctx.span = *span_id::from_hex(kSpan);
  ctx.flags = flags;
  ctx.state = *trace_state::parse("a=1");  // B3 has no tracestate: never written
  return ctx;
}

TEST(B3, InjectSingle) {
  for (const auto& [flags, expected] : {std::pair<std::uint8_t, std::string>{kSampledFlag, dash({kTrace, kSpan, "1"})},
                                        {0, dash({kTrace, kSpan, "0"})},
                                        {kRandomTraceIdFlag, dash({kTrace, kSpan, "0"})}}) {
    propagation_context context;
    context.span = make_context(flags);
    header_list carrier;
    b3_propagator{}.inject(context, carrier);
    ASSERT_EQ(carrier.fields().size(), 1u);
    EXPECT_EQ(carrier.fields()[0].first, "b3");
    EXPECT_EQ(carrier.fields()[0].second, expected);
  }
}

TEST(B3, InjectMulti) {
  propagation_context context;
  context.span = make_context(kSampledFlag);
  header_list carrier;
  b3_propagator{b3_propagator::mode::multi_header}.inject(context, carrier);
  EXPECT_EQ(carrier.fields(), (headers{{"X-B3-TraceId", kTrace}, {"X-B3-SpanId", kSpan}, {"X-B3-Sampled", "1"}}));
  context.span.flags = 0;
  b3_propagator{b3_propagator::mode::multi_header}.inject(context, carrier);
  EXPECT_EQ(carrier.get("x-b3-sampled"), "0");
  EXPECT_EQ(carrier.fields().size(), 3u);  // replaced, not repeated
}

TEST(B3, InjectInvalidContextWritesNothing) {
  for (auto m : {b3_propagator::mode::single_header, b3_propagator::mode::multi_header}) {
    propagation_context context;
    context.span.trace = *trace_id::from_hex(kTrace);  // no span id
    header_list carrier;
    b3_propagator{m}.inject(context, carrier);
    EXPECT_TRUE(carrier.fields().empty());
  }
}

TEST(B3, RoundTripBothModesRandomIds) {
  for (auto m : {b3_propagator::mode::single_header, b3_propagator::mode::multi_header}) {
    const b3_propagator p{m};
    EXPECT_EQ(p.inject_mode(), m);
    for (int i = 0; i < 500; ++i) {
      propagation_context sent;
      sent.span.trace = random_trace_id();
      sent.span.span = random_span_id();
      sent.span.flags = (i & 1) ? kSampledFlag : 0;
      header_list carrier;
      p.inject(sent, carrier);
      propagation_context received;
      p.extract(carrier, received);
      ASSERT_EQ(received.span.trace, sent.span.trace);
      ASSERT_EQ(received.span.span, sent.span.span);
      ASSERT_EQ(received.span.sampled(), sent.span.sampled());
    }
  }
}

TEST(B3, MalformedKeepsAnExistingContext) {
  propagation_context context;
  context.span = make_context(kSampledFlag);
  b3_propagator{}.extract(header_list{{"b3", "not-valid"}}, context);
  EXPECT_EQ(context.span.trace.hex(), kTrace);
  EXPECT_EQ(context.span.state.get("a"), "1");
}

}  // namespace
}  // namespace tracebench::tracer
