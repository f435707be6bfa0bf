#include "tracebench/tracer/zipkin_json.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>

namespace tracebench::tracer {
namespace {

using nlohmann::json;

constexpr std::int64_t kStart = 1'700'000'000'123'456'789;

void fill_span(span_data& s, const resource& owner) {
  s.context.trace = trace_id{0, 0x00f067aa0ba902b7ULL};  // a 64-bit-looking id, still 32 digits
  s.context.span = span_id{0xABCDEF0123456789ULL};
  s.context.flags = kSampledFlag;
  s.parent = span_id{0x1122334455667788ULL};
  s.name = "charge card";
  s.kind = span_kind::client;
  s.start_unix_nanos = kStart;
  s.end_unix_nanos = kStart + 870'000'999;
  s.attributes.set("peer.service", "bank-api");
  s.attributes.set("retries", std::int64_t{-3});
  s.attributes.set("amount", 12.5);
  s.attributes.set("idempotent", false);
  s.attributes.set("inf", std::numeric_limits<double>::infinity());
  s.owner = &owner;
}

json encode_one(const span_data& s) {
  const span_data* batch[] = {&s};
  const json spans = json::parse(to_zipkin_json(batch));
  EXPECT_TRUE(spans.is_array());
  EXPECT_EQ(spans.size(), 1U);
  return spans.at(0);
}

TEST(ZipkinJson, EverySpanField) {
  resource owner("payments");
  span_data s;
  fill_span(s, owner);
  const json span = encode_one(s);

  EXPECT_EQ(span.at("traceId"), "000000000000000000f067aa0ba902b7");
  EXPECT_EQ(span.at("id"), "abcdef0123456789");
  EXPECT_EQ(span.at("parentId"), "1122334455667788");
  EXPECT_EQ(span.at("name"), "charge card");
  EXPECT_EQ(span.at("kind"), "CLIENT");
  ASSERT_TRUE(span.at("timestamp").is_number_integer());
  EXPECT_EQ(span["timestamp"].get<std::int64_t>(), 1'700'000'000'123'456);  // microseconds
  EXPECT_EQ(span.at("duration").get<std::int64_t>(), 870'001);
  EXPECT_EQ(span.at("localEndpoint"), json::parse(R"({"serviceName":"payments"})"));
  EXPECT_FALSE(span.contains("annotations"));
  EXPECT_FALSE(span.contains("shared"));

  const json& tags = span.at("tags");
  EXPECT_EQ(tags, json::parse(R"({"peer.service":"bank-api","retries":"-3","amount":"12.5",
                                 "idempotent":"false","inf":"Infinity"})"));
}

TEST(ZipkinJson, KindNames) {
  resource owner("svc");
  span_data s;
  fill_span(s, owner);
  const std::pair<span_kind, const char*> kinds[] = {{span_kind::server, "SERVER"},
                                                     {span_kind::client, "CLIENT"},
                                                     {span_kind::producer, "PRODUCER"},
                                                     {span_kind::consumer, "CONSUMER"}};
  for (const auto& [kind, name] : kinds) {
    s.kind = kind;
    EXPECT_EQ(encode_one(s).at("kind"), name);
  }
  s.kind = span_kind::internal;
  EXPECT_FALSE(encode_one(s).contains("kind"));
}

TEST(ZipkinJson, RootSpanAndMinimumDuration) {
  span_data s;
  s.context.trace = trace_id{0x0102030405060708ULL, 0x090a0b0c0d0e0f10ULL};
  s.context.span = span_id{1};
  s.name = "root";
  s.start_unix_nanos = kStart;
  s.end_unix_nanos = kStart + 400;  // under a microsecond
  const json span = encode_one(s);
  EXPECT_FALSE(span.contains("parentId"));
  EXPECT_EQ(span.at("traceId"), "0102030405060708090a0b0c0d0e0f10");
  EXPECT_EQ(span.at("duration"), 1);                                         // Zipkin reads 0 as "unknown"
  EXPECT_EQ(span.at("localEndpoint").at("serviceName"), "unknown_service");  // no owner
  EXPECT_FALSE(span.contains("tags"));                                       // nothing to say
}

TEST(ZipkinJson, StatusTags) {
  resource owner("svc");
  span_data s;
  fill_span(s, owner);
  s.attributes.set("error", "from an attribute");  // replaced by the status tag, not duplicated

  s.status = status_code::error;
  s.status_message = "card declined";
  std::string text;
  const span_data* batch[] = {&s};
  append_zipkin_json(text, batch);
  EXPECT_EQ(text.find("from an attribute"), std::string::npos);
  json tags = json::parse(text)[0].at("tags");
  EXPECT_EQ(tags.at("error"), "card declined");
  EXPECT_EQ(tags.at("otel.status_code"), "ERROR");

  s.status_message.clear();
  tags = encode_one(s).at("tags");
  EXPECT_EQ(tags.at("error"), "true");

  s.status = status_code::ok;
  tags = encode_one(s).at("tags");
  EXPECT_EQ(tags.at("otel.status_code"), "OK");
  EXPECT_EQ(tags.at("error"), "from an attribute");  // no error status: the attribute stands

  s.status = status_code::unset;
  tags = encode_one(s).at("tags");
  EXPECT_FALSE(tags.contains("otel.status_code"));
}

TEST(ZipkinJson, EventsBecomeAnnotations) {
  resource owner("svc");
  span_data s;
  fill_span(s, owner);
  s.add_event("retry \"1\"", kStart + 1'500);
  event_data* e = s.add_event("cache.miss", kStart + 2'999);
  e->attributes.set("key", "user:42");
  e->attributes.set("size", 7);
  const json annotations = encode_one(s).at("annotations");
  ASSERT_EQ(annotations.size(), 2U);
  EXPECT_EQ(annotations[0].at("timestamp").get<std::int64_t>(), 1'700'000'000'123'458);
  EXPECT_EQ(annotations[0].at("value"), "retry \"1\"");
  EXPECT_EQ(annotations[1].at("timestamp").get<std::int64_t>(), 1'700'000'000'123'459);
  // The OpenTelemetry mapping: `"name":{attributes as JSON}`, as one string.
  const std::string value = annotations[1].at("value");
  EXPECT_EQ(value, R"("cache.miss":{"key":"user:42","size":7})");
  EXPECT_EQ(json::parse("{" + value + "}")["cache.miss"]["size"], 7);
}

TEST(ZipkinJson, DroppedCountTags) {
  resource owner("svc");
  span_data s;
  fill_span(s, owner);
  s.attributes.set_limit(5);
  s.attributes.set("over", 1);
  for (std::uint32_t i = 0; i < kMaxEventsPerSpan + 2; ++i) s.add_event("e", kStart);
  span_context linked;
  linked.trace = trace_id{0, 1};
  linked.span = span_id{2};
  for (std::uint32_t i = 0; i < kMaxLinksPerSpan + 1; ++i) s.add_link(linked);
  const json span = encode_one(s);
  EXPECT_EQ(span.at("tags").at("otel.dropped_attributes_count"), "1");
  EXPECT_EQ(span["tags"].at("otel.dropped_events_count"), "2");
  EXPECT_EQ(span["tags"].at("otel.dropped_links_count"), "1");
  EXPECT_EQ(span.at("annotations").size(), kMaxEventsPerSpan);
}

TEST(ZipkinJson, BatchIsOneArray) {
  EXPECT_EQ(to_zipkin_json({}), "[]");
  resource a("a");
  resource b("b");
  span_data s1;
  span_data s2;
  fill_span(s1, a);
  fill_span(s2, b);
  s2.name = "second";
  const span_data* batch[] = {&s1, &s2};
  const json spans = json::parse(to_zipkin_json(batch));
  ASSERT_EQ(spans.size(), 2U);
  EXPECT_EQ(spans[0]["localEndpoint"]["serviceName"], "a");
  EXPECT_EQ(spans[1]["localEndpoint"]["serviceName"], "b");
  EXPECT_EQ(spans[1]["name"], "second");

  std::string one;
  append_zipkin_json_span(one, s1);
  EXPECT_EQ(json::parse(one), spans[0]);
}

}  // namespace
}  // namespace tracebench::tracer
