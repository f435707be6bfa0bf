#include "tracebench/tracer/otlp_json.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace tracebench::tracer {
namespace {

using nlohmann::json;

constexpr std::int64_t kStart = 1'700'000'000'123'456'789;

// Finds the element of an OTLP KeyValue array with `key`, or null.
json find_attribute(const json& attributes, const std::string& key) {
  for (const auto& kv : attributes) {
    if (kv.at("key") == key) return kv.at("value");
  }
  return nullptr;
}

// A span with every field set, as a tracer would hand it to an exporter.
void fill_full_span(span_data& s, const resource& owner) {
  s.context.trace = trace_id{0x0123456789abcdefULL, 0xFEDCBA9876543210ULL};
  s.context.span = span_id{0x00f067aa0ba902b7ULL};
  s.context.flags = kSampledFlag;
  s.context.state = trace_state::parse("congo=t61rcWkgMzE,rojo=00f067aa0ba902b7").value();
  s.parent = span_id{0x0A0B0C0D0E0F1011ULL};
  s.parent_remote = true;
  s.name = "POST /checkout";
  s.kind = span_kind::server;
  s.start_unix_nanos = kStart;
  s.end_unix_nanos = kStart + 870'000'000;
  s.attributes.set("http.method", "POST");
  s.attributes.set("big.int", std::int64_t{9'007'199'254'740'993});  // 2^53 + 1: not a double
  s.attributes.set("ratio", 0.25);
  s.attributes.set("cache.hit", true);
  s.attributes.set("nan", std::numeric_limits<double>::quiet_NaN());
  event_data* retry = s.add_event("retry", kStart + 1000);
  retry->attributes.set("attempt", 2);
  retry->attributes.set("reason", "timeout");
  s.add_event("gave up", kStart + 2000);
  link_data* link = s.add_link(
      span_context{trace_id{0, 0x42}, span_id{0x43}, kSampledFlag, true, trace_state::parse("vendor=x").value()});
  link->attributes.set("link.kind", "batch");
  s.status = status_code::error;
  s.status_message = "card declined";
  s.owner = &owner;
}

json encode_one(const span_data& s) {
  const span_data* batch[] = {&s};
  return json::parse(to_otlp_json(batch));
}

TEST(OtlpJson, RequestEnvelopeResourceAndScope) {
  resource owner("checkout");
  owner.set("deployment.environment", "bench").set("host.cpus", 8);
  span_data s;
  fill_full_span(s, owner);
  const json request = encode_one(s);

  ASSERT_EQ(request.size(), 1U);
  ASSERT_EQ(request.at("resourceSpans").size(), 1U);
  const json& rs = request["resourceSpans"][0];
  const json& attrs = rs.at("resource").at("attributes");
  ASSERT_EQ(attrs.size(), 3U);
  EXPECT_EQ(attrs[0], json::parse(R"({"key":"service.name","value":{"stringValue":"checkout"}})"));
  EXPECT_EQ(find_attribute(attrs, "deployment.environment"), json::parse(R"({"stringValue":"bench"})"));
  EXPECT_EQ(find_attribute(attrs, "host.cpus"), json::parse(R"({"intValue":"8"})"));
  EXPECT_FALSE(rs["resource"].contains("droppedAttributesCount"));

  ASSERT_EQ(rs.at("scopeSpans").size(), 1U);
  const json& ss = rs["scopeSpans"][0];
  EXPECT_EQ(ss.at("scope"), json::parse(R"({"name":"tracebench","version":"0.1.0"})"));
  EXPECT_EQ(ss.at("spans").size(), 1U);
}

TEST(OtlpJson, EverySpanField) {
  resource owner("checkout");
  span_data s;
  fill_full_span(s, owner);
  const json span = encode_one(s)["resourceSpans"][0]["scopeSpans"][0]["spans"][0];

  EXPECT_EQ(span.at("traceId"), "0123456789abcdeffedcba9876543210");  // lowercase hex
  EXPECT_EQ(span.at("spanId"), "00f067aa0ba902b7");
  EXPECT_EQ(span.at("parentSpanId"), "0a0b0c0d0e0f1011");
  EXPECT_EQ(span.at("traceState"), "congo=t61rcWkgMzE,rojo=00f067aa0ba902b7");
  EXPECT_EQ(span.at("flags"), 0x01 | 0x100 | 0x200);  // sampled, parent known to be remote
  EXPECT_EQ(span.at("name"), "POST /checkout");
  EXPECT_EQ(span.at("kind"), 2);                                   // SPAN_KIND_SERVER, a number
  EXPECT_EQ(span.at("startTimeUnixNano"), "1700000000123456789");  // strings, not numbers
  EXPECT_EQ(span.at("endTimeUnixNano"), "1700000000993456789");

  const json& attrs = span.at("attributes");
  ASSERT_EQ(attrs.size(), 5U);
  EXPECT_EQ(attrs[0].at("key"), "http.method");  // recording order kept
  EXPECT_EQ(find_attribute(attrs, "http.method"), json::parse(R"({"stringValue":"POST"})"));
  EXPECT_EQ(find_attribute(attrs, "big.int"), json::parse(R"({"intValue":"9007199254740993"})"));
  EXPECT_EQ(find_attribute(attrs, "ratio"), json::parse(R"({"doubleValue":0.25})"));
  EXPECT_EQ(find_attribute(attrs, "cache.hit"), json::parse(R"({"boolValue":true})"));
  EXPECT_EQ(find_attribute(attrs, "nan"), json::parse(R"({"doubleValue":"NaN"})"));
  EXPECT_FALSE(span.contains("droppedAttributesCount"));

  const json& events = span.at("events");
  ASSERT_EQ(events.size(), 2U);
  EXPECT_EQ(events[0].at("timeUnixNano"), "1700000000123457789");
  EXPECT_EQ(events[0].at("name"), "retry");
  EXPECT_EQ(find_attribute(events[0].at("attributes"), "attempt"), json::parse(R"({"intValue":"2"})"));
  EXPECT_EQ(find_attribute(events[0]["attributes"], "reason"), json::parse(R"({"stringValue":"timeout"})"));
  EXPECT_EQ(events[1], json::parse(R"({"timeUnixNano":"1700000000123458789","name":"gave up"})"));
  EXPECT_FALSE(span.contains("droppedEventsCount"));

  const json& links = span.at("links");
  ASSERT_EQ(links.size(), 1U);
  EXPECT_EQ(links[0].at("traceId"), "00000000000000000000000000000042");
  EXPECT_EQ(links[0].at("spanId"), "0000000000000043");
  EXPECT_EQ(links[0].at("traceState"), "vendor=x");
  EXPECT_EQ(find_attribute(links[0].at("attributes"), "link.kind"), json::parse(R"({"stringValue":"batch"})"));
  EXPECT_EQ(links[0].at("flags"), 0x01 | 0x100 | 0x200);
  EXPECT_FALSE(span.contains("droppedLinksCount"));

  EXPECT_EQ(span.at("status"), json::parse(R"({"code":2,"message":"card declined"})"));
}

TEST(OtlpJson, RootSpanOmitsParentAndDefaults) {
  span_data s;
  s.context.trace = trace_id{1, 2};
  s.context.span = span_id{3};
  s.name = "root";
  s.start_unix_nanos = 10;
  s.end_unix_nanos = 20;
  json span = encode_one(s)["resourceSpans"][0]["scopeSpans"][0]["spans"][0];
  EXPECT_FALSE(span.contains("parentSpanId"));
  EXPECT_FALSE(span.contains("traceState"));
  EXPECT_FALSE(span.contains("flags"));  // all zero: protobuf JSON omits defaults
  EXPECT_FALSE(span.contains("attributes"));
  EXPECT_FALSE(span.contains("events"));
  EXPECT_FALSE(span.contains("links"));
  EXPECT_FALSE(span.contains("status"));  // unset without a message
  EXPECT_EQ(span.at("kind"), 1);          // SPAN_KIND_INTERNAL
  EXPECT_EQ(span.at("startTimeUnixNano"), "10");

  s.context.flags = kSampledFlag | kRandomTraceIdFlag;
  s.status = status_code::ok;
  span = encode_one(s)["resourceSpans"][0]["scopeSpans"][0]["spans"][0];
  EXPECT_EQ(span.at("flags"), 0x03);  // no parent: the remote bits stay clear
  EXPECT_EQ(span.at("status"), json::parse(R"({"code":1})"));

  s.parent = span_id{9};  // a local parent: "has is-remote" set, "is remote" clear
  span = encode_one(s)["resourceSpans"][0]["scopeSpans"][0]["spans"][0];
  EXPECT_EQ(span.at("flags"), 0x03 | 0x100);

  s.status = status_code::unset;
  s.status_message = "odd but kept";
  span = encode_one(s)["resourceSpans"][0]["scopeSpans"][0]["spans"][0];
  EXPECT_EQ(span.at("status"), json::parse(R"({"code":0,"message":"odd but kept"})"));
}

TEST(OtlpJson, DroppedCounts) {
  span_data s;
  s.context.trace = trace_id{1, 2};
  s.context.span = span_id{3};
  s.attributes.set_limit(1);
  s.attributes.set("a", 1);
  s.attributes.set("b", 2);
  s.attributes.set("c", 3);
  event_data* first = s.add_event("e", 1);
  first->attributes.set_limit(0);
  first->attributes.set("x", 1);
  for (std::uint32_t i = 1; i < kMaxEventsPerSpan + 3; ++i) s.add_event("e", 1);
  for (std::uint32_t i = 0; i < kMaxLinksPerSpan + 2; ++i) {
    s.add_link(span_context{trace_id{0, 5}, span_id{6}, 0, false, {}});
  }

  const json span = encode_one(s)["resourceSpans"][0]["scopeSpans"][0]["spans"][0];
  EXPECT_EQ(span.at("attributes").size(), 1U);
  EXPECT_EQ(span.at("droppedAttributesCount"), 2);
  EXPECT_EQ(span.at("events").size(), kMaxEventsPerSpan);
  EXPECT_EQ(span.at("droppedEventsCount"), 3);
  EXPECT_EQ(span["events"][0].at("droppedAttributesCount"), 1);
  EXPECT_FALSE(span["events"][0].contains("attributes"));
  EXPECT_EQ(span.at("links").size(), kMaxLinksPerSpan);
  EXPECT_EQ(span.at("droppedLinksCount"), 2);
  EXPECT_EQ(span["links"][0].at("flags"), 0x100);  // local link context, unsampled
}

TEST(OtlpJson, GroupsSpansByResourceInFirstSeenOrder) {
  resource checkout("checkout");
  resource payments("payments");
  std::vector<span_data> spans(4);
  const resource* owners[] = {&payments, &checkout, &payments, nullptr};
  for (std::size_t i = 0; i < spans.size(); ++i) {
    spans[i].context.trace = trace_id{0, 1};
    spans[i].context.span = span_id{i + 1};
    spans[i].name = "span" + std::to_string(i);
    spans[i].owner = owners[i];
  }
  const span_data* batch[] = {&spans[0], &spans[1], &spans[2], &spans[3]};
  const json request = json::parse(to_otlp_json(batch));
  const json& rs = request.at("resourceSpans");
  ASSERT_EQ(rs.size(), 3U);

  EXPECT_EQ(find_attribute(rs[0]["resource"]["attributes"], "service.name")["stringValue"], "payments");
  const json& first = rs[0]["scopeSpans"][0]["spans"];
  ASSERT_EQ(first.size(), 2U);
  EXPECT_EQ(first[0]["name"], "span0");
  EXPECT_EQ(first[1]["name"], "span2");

  EXPECT_EQ(find_attribute(rs[1]["resource"]["attributes"], "service.name")["stringValue"], "checkout");
  ASSERT_EQ(rs[1]["scopeSpans"][0]["spans"].size(), 1U);
  EXPECT_EQ(rs[1]["scopeSpans"][0]["spans"][0]["name"], "span1");

  EXPECT_EQ(rs[2].at("resource"), json::object());  // no owner: an empty resource
  EXPECT_EQ(rs[2]["scopeSpans"][0]["spans"][0]["name"], "span3");
}

TEST(OtlpJson, EmptyBatchAndSizeHelper) {
  EXPECT_EQ(to_otlp_json({}), R"({"resourceSpans":[]})");

  resource owner("svc");
  span_data s;
  fill_full_span(s, owner);
  const span_data* batch[] = {&s, &s};
  std::string scratch = "left over";
  EXPECT_EQ(otlp_json_size(batch, scratch), to_otlp_json(batch).size());
  EXPECT_EQ(scratch, to_otlp_json(batch));
}

TEST(OtlpJson, SingleSpanEncodingMatchesTheRequestAndAppends) {
  resource owner("svc");
  span_data s;
  fill_full_span(s, owner);
  std::string out = "[";
  append_otlp_json_span(out, s);
  out += ",";
  append_otlp_json_span(out, s);
  out += "]";
  const json spans = json::parse(out);
  ASSERT_EQ(spans.size(), 2U);
  EXPECT_EQ(spans[0], encode_one(s)["resourceSpans"][0]["scopeSpans"][0]["spans"][0]);
}

TEST(OtlpJson, HostileStringsStayValidJson) {
  span_data s;
  s.context.trace = trace_id{1, 2};
  s.context.span = span_id{3};
  s.name = std::string("quote\" back\\ nl\n nul") + '\0' + " bad\xff";
  s.attributes.set("k\"ey", "v\x01");
  const json span = encode_one(s)["resourceSpans"][0]["scopeSpans"][0]["spans"][0];
  EXPECT_EQ(span.at("name"), std::string("quote\" back\\ nl\n nul") + '\0' + " bad\xEF\xBF\xBD");
  EXPECT_EQ(span["attributes"][0]["key"], "k\"ey");
  EXPECT_EQ(span["attributes"][0]["value"]["stringValue"], "v\x01");
}

}  // namespace
}  // namespace tracebench::tracer
