// composite_propagator and make_propagator: names, defaults, order, errors.
#include "tracebench/tracer/composite_propagator.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "tracebench/tracer/b3_propagator.hpp"
#include "tracebench/tracer/baggage_propagator.hpp"
#include "tracebench/tracer/header_carrier.hpp"
#include "tracebench/tracer/w3c_trace_context.hpp"

namespace tracebench::tracer {
namespace {

constexpr const char* kTrace = "4bf92f3577b34da6a3ce929d0e0e4736";
constexpr const char* kSpan = "00f067aa0ba902b7";
constexpr const char* kTraceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
constexpr const char* kB3Trace = "463ac35c9f6413ad48485a3953bb6124";
constexpr const char* kB3 = "463ac35c9f6413ad48485a3953bb6124-a2fb4a1d1a96d312-1";

propagation_context sample_context() {
  propagation_context context;
  context.span.trace = *trace_id::from_hex(kTrace);
  context.span.span = *span_id::from_hex(kSpan);
  context.span.flags = kSampledFlag;
  context.baggage.set("tenant", "acme");
  return context;
}

std::vector<std::string> injected_names(const propagator& p) {
  header_list carrier;
  p.inject(sample_context(), carrier);
  std::vector<std::string> names;
  for (const auto& [name, value] : carrier.fields()) names.push_back(name);
  return names;
}

struct factory_case {
  std::string config;
  std::vector<std::string> injected;  // header names, in injection order
};
void PrintTo(const factory_case& c, std::ostream* os) { *os << '"' << c.config << '"'; }

class FactoryTable : public ::testing::TestWithParam<factory_case> {};

TEST_P(FactoryTable, BuildsTheNamedPropagatorsInOrder) {
  const auto p = make_propagator(GetParam().config);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(injected_names(*p), GetParam().injected);
}

INSTANTIATE_TEST_SUITE_P(
    Composite, FactoryTable,
    ::testing::Values(factory_case{"", {"traceparent", "baggage"}}, factory_case{"default", {"traceparent", "baggage"}},
                      factory_case{"  default ", {"traceparent", "baggage"}},
                      factory_case{"tracecontext", {"traceparent"}}, factory_case{"baggage", {"baggage"}},
                      factory_case{"b3", {"b3"}},
                      factory_case{"b3multi", {"X-B3-TraceId", "X-B3-SpanId", "X-B3-Sampled"}},
                      factory_case{"baggage,tracecontext", {"baggage", "traceparent"}},
                      factory_case{" tracecontext , b3 ,\tbaggage ", {"traceparent", "b3", "baggage"}},
                      factory_case{"tracecontext,baggage,b3,b3multi",
                                   {"traceparent", "baggage", "b3", "X-B3-TraceId", "X-B3-SpanId", "X-B3-Sampled"}}));

struct error_case {
  std::string config;
  std::string message;
};
void PrintTo(const error_case& c, std::ostream* os) { *os << '"' << c.config << '"'; }

class FactoryErrors : public ::testing::TestWithParam<error_case> {};

TEST_P(FactoryErrors, ThrowOneLineNamingTheEntry) {
  try {
    (void)make_propagator(GetParam().config);
    FAIL() << "expected std::invalid_argument";
  } catch (const std::invalid_argument& e) {
    EXPECT_EQ(std::string(e.what()), GetParam().message);
    EXPECT_EQ(std::string(e.what()).find('\n'), std::string::npos);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Composite, FactoryErrors,
    ::testing::Values(
        error_case{"xray", "propagators: unknown propagator \"xray\" (known: tracecontext, baggage, b3, b3multi)"},
        error_case{"tracecontext,jaeger",
                   "propagators: unknown propagator \"jaeger\" (known: tracecontext, baggage, b3, b3multi)"},
        error_case{"TraceContext",
                   "propagators: unknown propagator \"TraceContext\" (known: tracecontext, baggage, b3, b3multi)"},
        error_case{"default,b3",
                   "propagators: unknown propagator \"default\" (known: tracecontext, baggage, b3, b3multi)"},
        error_case{"tracecontext,,baggage",
                   "propagators: empty entry in \"tracecontext,,baggage\" (known: tracecontext, baggage, b3, b3multi)"},
        error_case{"b3,", "propagators: empty entry in \"b3,\" (known: tracecontext, baggage, b3, b3multi)"},
        error_case{"b3, b3", "propagators: repeated propagator \"b3\" (known: tracecontext, baggage, b3, b3multi)"}));

TEST(Composite, DefaultExtractsBothTraceContextAndBaggage) {
  const auto p = make_propagator("");
  header_list carrier{{"traceparent", kTraceparent}, {"baggage", "k=v"}};
  propagation_context context;
  p->extract(carrier, context);
  EXPECT_EQ(context.span.trace.hex(), kTrace);
  EXPECT_EQ(context.baggage.get("k"), "v");
}

TEST(Composite, DefaultRoundTrip) {
  const auto p = make_propagator("default");
  header_list carrier;
  const propagation_context sent = sample_context();
  p->inject(sent, carrier);
  EXPECT_EQ(carrier.get("traceparent"), kTraceparent);
  EXPECT_EQ(carrier.get("baggage"), "tenant=acme");
  propagation_context received;
  p->extract(carrier, received);
  EXPECT_EQ(received.span.trace, sent.span.trace);
  EXPECT_EQ(received.span.span, sent.span.span);
  EXPECT_EQ(received.baggage, sent.baggage);
}

TEST(Composite, LaterPropagatorsRefineEarlierOnes) {
  const header_list both{{"traceparent", kTraceparent}, {"b3", kB3}};
  propagation_context a;
  make_propagator("b3,tracecontext")->extract(both, a);
  EXPECT_EQ(a.span.trace.hex(), kTrace);
  propagation_context b;
  make_propagator("tracecontext,b3")->extract(both, b);
  EXPECT_EQ(b.span.trace.hex(), kB3Trace);
}

TEST(Composite, AMissingOrBadHeaderDoesNotUndoAnEarlierFind) {
  propagation_context context;
  make_propagator("b3,tracecontext")->extract(header_list{{"b3", kB3}, {"traceparent", "00-bad"}}, context);
  EXPECT_EQ(context.span.trace.hex(), kB3Trace);
  propagation_context other;
  make_propagator("tracecontext,b3multi")->extract(header_list{{"traceparent", kTraceparent}}, other);
  EXPECT_EQ(other.span.trace.hex(), kTrace);
}

TEST(Composite, DirectConstructionSkipsNullParts) {
  std::vector<std::unique_ptr<propagator>> parts;
  parts.push_back(std::make_unique<w3c_trace_context_propagator>());
  parts.push_back(nullptr);
  parts.push_back(std::make_unique<w3c_baggage_propagator>());
  const composite_propagator p(std::move(parts));
  EXPECT_EQ(p.size(), 2u);
  EXPECT_EQ(injected_names(p), (std::vector<std::string>{"traceparent", "baggage"}));
  const composite_propagator empty({});
  EXPECT_TRUE(injected_names(empty).empty());
}

TEST(Composite, InvalidContextInjectsOnlyBaggage) {
  const auto p = make_propagator("tracecontext,b3multi,baggage");
  propagation_context context;
  context.baggage.set("k", "v");
  header_list carrier;
  p->inject(context, carrier);
  ASSERT_EQ(carrier.fields().size(), 1u);
  EXPECT_EQ(carrier.fields()[0].first, "baggage");
}

}  // namespace
}  // namespace tracebench::tracer
