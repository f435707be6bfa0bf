// The instrumentation seam: tracebench's tracer behind it (start, annotate, inject,
// extract, end across a simulated hop) and the no-op baseline.

#include "tracebench/tracer/instrumentation.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "tracebench/tracer/composite_propagator.hpp"
#include "tracebench/tracer/header_carrier.hpp"
#include "tracebench/tracer/memory_exporter.hpp"
#include "tracebench/tracer/simple_processor.hpp"

namespace tracebench::tracer {
namespace {

struct service {
  service(std::string_view name, sampler s)
      : exporter(std::make_shared<memory_exporter>()),
        processor(std::make_shared<simple_processor>(exporter)),
        impl(std::make_shared<tracer>(std::make_shared<resource>(name), std::move(s), processor)),
        seam(impl, std::shared_ptr<const propagator>(make_propagator("tracecontext,baggage"))) {}

  std::shared_ptr<memory_exporter> exporter;
  std::shared_ptr<simple_processor> processor;
  std::shared_ptr<tracer> impl;
  tracer_instrumentation seam;
};

TEST(TracerInstrumentationTest, RoundTripAcrossAHop) {
  service gateway("gateway", sampler::parent_based(sampler::always_on()));
  service checkout("checkout", sampler::parent_based(sampler::always_off()));  // follows the caller
  EXPECT_EQ(&gateway.seam.impl(), gateway.impl.get());

  // Gateway: a root server span, then a client span for the outgoing call.
  span_token root = gateway.seam.start_span("GET /checkout", span_kind::server, span_context{});
  const span_context root_ctx = gateway.seam.context_of(root);
  ASSERT_TRUE(root_ctx.valid());
  ASSERT_TRUE(root_ctx.sampled());
  span_token call = gateway.seam.start_span("POST checkout", span_kind::client, root_ctx);
  gateway.seam.set_attribute(call, "http.method", "POST");
  gateway.seam.add_event(call, "sent");
  const span_context call_ctx = gateway.seam.context_of(call);
  EXPECT_EQ(call_ctx.trace, root_ctx.trace);

  baggage bag;
  bag.set("tenant", "acme");
  header_list headers;
  gateway.seam.inject(call, bag, headers);
  const std::string expected_traceparent = "00-" + call_ctx.trace.hex() + "-" + call_ctx.span.hex() + "-03";
  EXPECT_EQ(headers.get("traceparent"), expected_traceparent) << "sampled, and the random-trace-id flag";
  EXPECT_FALSE(headers.get("baggage").empty());

  // Checkout: extract, serve as a child, end.
  const propagation_context extracted = checkout.seam.extract(headers);
  ASSERT_TRUE(extracted.span.valid());
  EXPECT_TRUE(extracted.span.remote);
  EXPECT_TRUE(extracted.span.sampled());
  EXPECT_EQ(extracted.span.trace, call_ctx.trace);
  EXPECT_EQ(extracted.span.span, call_ctx.span);
  EXPECT_EQ(extracted.baggage.get("tenant"), std::optional<std::string_view>("acme"));

  span_token server = checkout.seam.start_span("POST /checkout", span_kind::server, extracted.span);
  EXPECT_EQ(checkout.seam.context_of(server).trace, call_ctx.trace);
  checkout.seam.set_status(server, status_code::error, "card declined");
  checkout.seam.end(server);
  EXPECT_TRUE(checkout.seam.context_of(server).valid()) << "the context outlives end()";
  checkout.seam.end(server);  // twice is harmless

  gateway.seam.set_status(call, status_code::ok, "");
  gateway.seam.end(call);
  gateway.seam.end(root);

  const auto downstream = checkout.exporter->spans();
  ASSERT_EQ(downstream.size(), 1U);
  EXPECT_EQ(downstream[0].name, "POST /checkout");
  EXPECT_EQ(downstream[0].kind, span_kind::server);
  EXPECT_EQ(downstream[0].parent, call_ctx.span);
  EXPECT_TRUE(downstream[0].parent_remote);
  EXPECT_EQ(downstream[0].context.trace, root_ctx.trace);
  EXPECT_EQ(downstream[0].status, status_code::error);
  EXPECT_EQ(downstream[0].status_message, "card declined");

  const auto upstream = gateway.exporter->spans();
  ASSERT_EQ(upstream.size(), 2U);
  EXPECT_EQ(upstream[0].name, "POST checkout");
  EXPECT_EQ(upstream[0].parent, root_ctx.span);
  EXPECT_FALSE(upstream[0].parent_remote);
  EXPECT_EQ(upstream[0].attributes.size(), 1U);
  EXPECT_EQ(upstream[0].attributes.begin()->key, "http.method");
  EXPECT_EQ(upstream[0].event_count(), 1U);
  EXPECT_EQ(upstream[0].status, status_code::ok);
  EXPECT_EQ(upstream[1].name, "GET /checkout");
  EXPECT_FALSE(upstream[1].parent.valid());
}

TEST(TracerInstrumentationTest, UnsampledDecisionTravels) {
  service edge("edge", sampler::parent_based(sampler::always_off()));
  service next("next", sampler::parent_based(sampler::always_on()));
  span_token root = edge.seam.start_span("GET /", span_kind::server, span_context{});
  const span_context ctx = edge.seam.context_of(root);
  ASSERT_TRUE(ctx.valid()) << "an unsampled span still has ids to propagate";
  header_list headers;
  edge.seam.inject(root, baggage{}, headers);
  EXPECT_EQ(headers.get("traceparent"), "00-" + ctx.trace.hex() + "-" + ctx.span.hex() + "-02");
  EXPECT_TRUE(headers.get("baggage").empty()) << "no baggage, no header";

  const propagation_context extracted = next.seam.extract(headers);
  ASSERT_TRUE(extracted.span.valid());
  EXPECT_FALSE(extracted.span.sampled());
  span_token child = next.seam.start_span("handle", span_kind::server, extracted.span);
  EXPECT_FALSE(next.seam.context_of(child).sampled()) << "the downstream follows the edge's decision";
  EXPECT_EQ(next.seam.context_of(child).trace, ctx.trace);
  next.seam.end(child);
  edge.seam.end(root);
  EXPECT_TRUE(next.exporter->spans().empty());
  EXPECT_TRUE(edge.exporter->spans().empty());
}

TEST(TracerInstrumentationTest, TracestateTravels) {
  service edge("edge", sampler::parent_based(sampler::consistent_probability(0.25)));
  service next("next", sampler::parent_based(sampler::always_off()));
  // Find a root the 1/4 sampler keeps (a few tries at most, bounded).
  span_token root;
  for (int i = 0; i < 1000; ++i) {
    root = edge.seam.start_span("GET /", span_kind::server, span_context{});
    if (edge.seam.context_of(root).sampled()) break;
  }
  ASSERT_TRUE(edge.seam.context_of(root).sampled());
  header_list headers;
  edge.seam.inject(root, baggage{}, headers);
  EXPECT_EQ(headers.get("tracestate"), "ot=th:c");
  const propagation_context extracted = next.seam.extract(headers);
  span_token child = next.seam.start_span("handle", span_kind::server, extracted.span);
  EXPECT_TRUE(next.seam.context_of(child).sampled());
  EXPECT_EQ(next.seam.context_of(child).state.get("ot"), "th:c");
  header_list onward;
  next.seam.inject(child, baggage{}, onward);
  EXPECT_EQ(onward.get("tracestate"), "ot=th:c");
}

TEST(TracerInstrumentationTest, ExtractFromNothingGivesARoot) {
  service s("svc", sampler::always_on());
  const header_list empty;
  const propagation_context extracted = s.seam.extract(empty);
  EXPECT_FALSE(extracted.span.valid());
  span_token root = s.seam.start_span("root", span_kind::server, extracted.span);
  EXPECT_TRUE(s.seam.context_of(root).valid());
  s.seam.end(root);
  const auto spans = s.exporter->spans();
  ASSERT_EQ(spans.size(), 1U);
  EXPECT_FALSE(spans[0].parent.valid());
}

TEST(TracerInstrumentationTest, LinksPassThrough) {
  service s("consumer", sampler::always_on());
  span_context producer;
  producer.trace = trace_id{1, 2};
  producer.span = span_id{3};
  const span_context links[] = {producer};
  span_token t = s.seam.start_span("consume", span_kind::consumer, span_context{}, links);
  s.seam.end(t);
  const auto spans = s.exporter->spans();
  ASSERT_EQ(spans.size(), 1U);
  EXPECT_EQ(spans[0].link_count(), 1U);
}

TEST(NoopInstrumentationTest, InjectsNothingAndGivesInvalidContexts) {
  noop_instrumentation noop;
  span_token s = noop.start_span("GET /", span_kind::server, span_context{});
  EXPECT_FALSE(noop.context_of(s).valid());
  EXPECT_EQ(s.foreign, nullptr);
  EXPECT_FALSE(s.native.recording());
  noop.set_attribute(s, "k", 1);
  noop.add_event(s, "e");
  noop.set_status(s, status_code::error, "x");

  baggage bag;
  bag.set("tenant", "acme");
  header_list headers;
  noop.inject(s, bag, headers);
  EXPECT_TRUE(headers.fields().empty());

  // Even a perfectly good incoming header is ignored.
  header_list incoming{{"traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"},
                       {"baggage", "tenant=acme"}};
  const propagation_context extracted = noop.extract(incoming);
  EXPECT_FALSE(extracted.span.valid());
  EXPECT_TRUE(extracted.baggage.empty());

  // A child of a valid parent is still nothing.
  span_context parent;
  parent.trace = trace_id{1, 2};
  parent.span = span_id{3};
  parent.flags = kSampledFlag;
  span_token child = noop.start_span("child", span_kind::client, parent);
  EXPECT_FALSE(noop.context_of(child).valid());
  noop.end(child);
  noop.end(s);
}

TEST(NoopInstrumentationTest, UsableThroughTheBaseClass) {
  std::unique_ptr<instrumentation> seam = std::make_unique<noop_instrumentation>();
  span_token s = seam->start_span("x", span_kind::internal, span_context{});
  header_list headers;
  seam->inject(s, baggage{}, headers);
  seam->end(s);
  EXPECT_TRUE(headers.fields().empty());
}

}  // namespace
}  // namespace tracebench::tracer
