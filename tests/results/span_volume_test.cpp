// Span volume: zstd over sampled export requests, bytes per span, and the per-day projection
// at a scenario's production rate, with expected figures worked out by hand.

#include "tracebench/results/span_volume.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "tracebench/services/scenario_loader.hpp"

namespace th = tracebench::harness;
namespace ts = tracebench::services;
namespace tt = tracebench::tracer;

namespace {

ts::scenario_summary summary_of(const std::string& text) {
  const ts::load_result r = ts::parse_scenario(text);
  if (!r.ok()) {
    ADD_FAILURE() << r.errors.front();
    return {};
  }
  return ts::summarize(*r.value);
}

std::string random_bytes(std::size_t n, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::string out(n, '\0');
  for (char& c : out) c = static_cast<char>(rng() & 0xff);
  return out;
}

// a calls b twice: 1 + 2 client spans in a, 2 server spans in b = 5 spans per request.
constexpr const char* kTwoServices = R"({"name": "v", "entry": "a", %PRODUCTION% "services": {
  "a": {"calls": [{"to": "b", "repeat": 2}]}, "b": {}}})";

std::string with_production(const std::string& production) {
  std::string text = kTwoServices;
  text.replace(text.find("%PRODUCTION%"), 12, production);
  return text;
}

}  // namespace

TEST(CompressSamples, RepetitivePayloadCompressesWell) {
  std::string payload;
  for (int i = 0; i < 200; ++i) payload += R"({"traceId":"5b8efff798038103d269b633813fc60c","name":"GET /cart"},)";
  const std::vector<tt::encoded_batch> samples = {{payload, 200}, {payload, 200}};
  const th::compression_figures c = th::compress_samples(samples);
  EXPECT_EQ(c.payloads, 2U);
  EXPECT_EQ(c.spans, 400U);
  EXPECT_EQ(c.raw_bytes, 2 * payload.size());
  EXPECT_LT(c.ratio, 0.1);
  EXPECT_GT(c.ratio, 0);
  EXPECT_DOUBLE_EQ(c.ratio, static_cast<double>(c.compressed_bytes) / static_cast<double>(c.raw_bytes));
  EXPECT_DOUBLE_EQ(c.zstd_bytes_per_span, static_cast<double>(c.compressed_bytes) / 400);
}

TEST(CompressSamples, RandomBytesDoNotCompress) {
  const std::vector<tt::encoded_batch> samples = {{random_bytes(20'000, 1), 10}, {random_bytes(5'000, 2), 5}};
  const th::compression_figures c = th::compress_samples(samples);
  EXPECT_EQ(c.raw_bytes, 25'000U);
  EXPECT_GT(c.ratio, 0.98);  // zstd stores incompressible blocks raw: a frame header more, never much
  EXPECT_LT(c.ratio, 1.05);
}

TEST(CompressSamples, EachPayloadIsItsOwnFrame) {
  // Two copies of one payload compress to twice one copy: nothing is shared across requests.
  const std::string payload = random_bytes(4'000, 3);
  const th::compression_figures one = th::compress_samples(std::vector<tt::encoded_batch>{{payload, 1}});
  const th::compression_figures two = th::compress_samples(std::vector<tt::encoded_batch>{{payload, 1}, {payload, 1}});
  EXPECT_EQ(two.compressed_bytes, 2 * one.compressed_bytes);
}

TEST(CompressSamples, NothingToCompress) {
  const th::compression_figures c = th::compress_samples({});
  EXPECT_EQ(c.payloads, 0U);
  EXPECT_EQ(c.ratio, 0);
  EXPECT_EQ(c.zstd_bytes_per_span, 0);
}

TEST(SpanVolume, PerSpanFiguresAndProjection) {
  const ts::scenario_summary summary =
      summary_of(with_production(R"("production": {"requests_per_second": 1000, "services": 10},)"));
  ASSERT_TRUE(summary.projected_spans_per_second.has_value());

  th::span_volume_input in;
  in.counts.started = 1'000;
  in.counts.sampled = 260;
  in.counts.ended = 260;
  in.counts.exported = 250;
  in.counts.dropped = 10;
  in.otlp_json_bytes = 250 * 600;
  in.measured_seconds = 2;
  in.sampled_fraction = 0.25;
  th::compression_figures c;
  c.raw_bytes = 1'000;
  c.compressed_bytes = 150;
  c.ratio = 0.15;
  c.spans = 3;
  in.compression = c;

  const th::span_volume v = th::make_span_volume(in, summary);
  EXPECT_EQ(v.started, 1'000U);
  EXPECT_EQ(v.sampled, 260U);
  EXPECT_EQ(v.exported, 250U);
  EXPECT_EQ(v.dropped, 10U);
  EXPECT_DOUBLE_EQ(v.spans_per_second, 125);  // 250 / 2 s
  EXPECT_DOUBLE_EQ(v.measured_sampled_fraction, 0.26);
  ASSERT_TRUE(v.otlp_json_bytes_per_span.has_value());
  EXPECT_DOUBLE_EQ(*v.otlp_json_bytes_per_span, 600);
  ASSERT_TRUE(v.compression_ratio.has_value());
  EXPECT_DOUBLE_EQ(*v.compression_ratio, 0.15);
  ASSERT_TRUE(v.zstd_bytes_per_span.has_value());
  EXPECT_DOUBLE_EQ(*v.zstd_bytes_per_span, 90);  // 600 x 0.15

  // 1000 req/s x 5 spans x 10 production services / 2 scenario services = 25,000 spans/s.
  ASSERT_TRUE(v.projection.has_value());
  const th::volume_projection& p = *v.projection;
  EXPECT_DOUBLE_EQ(p.spans_per_second, 25'000);
  EXPECT_DOUBLE_EQ(p.sampled_fraction, 0.25);
  const double raw_per_day = 25'000.0 * 86'400;  // 2.16e9
  EXPECT_DOUBLE_EQ(p.raw.spans, raw_per_day);
  EXPECT_DOUBLE_EQ(*p.raw.otlp_json_bytes, raw_per_day * 600);  // 1.296 TB
  EXPECT_DOUBLE_EQ(*p.raw.zstd_bytes, raw_per_day * 90);
  EXPECT_DOUBLE_EQ(p.sampled.spans, raw_per_day / 4);
  EXPECT_DOUBLE_EQ(*p.sampled.otlp_json_bytes, raw_per_day / 4 * 600);
  EXPECT_DOUBLE_EQ(*p.sampled.zstd_bytes, raw_per_day / 4 * 90);
}

TEST(SpanVolume, NoProductionProfileNoProjection) {
  const ts::scenario_summary summary = summary_of(with_production(""));
  th::span_volume_input in;
  in.counts.started = 10;
  in.counts.sampled = 10;
  in.counts.ended = 10;
  in.counts.exported = 10;
  in.otlp_json_bytes = 5'000;
  in.measured_seconds = 1;
  in.sampled_fraction = 1;
  const th::span_volume v = th::make_span_volume(in, summary);
  EXPECT_FALSE(v.projection.has_value());
  EXPECT_DOUBLE_EQ(*v.otlp_json_bytes_per_span, 500);
  EXPECT_FALSE(v.compression_ratio.has_value());  // no samples compressed
  EXPECT_FALSE(v.zstd_bytes_per_span.has_value());
}

TEST(SpanVolume, NothingExportedLeavesBytesUnknown) {
  // never: spans start, none is sampled; the raw projection has spans but no known weight.
  const ts::scenario_summary summary =
      summary_of(with_production(R"("production": {"requests_per_second": 10, "services": 2},)"));
  th::span_volume_input in;
  in.counts.started = 500;
  in.measured_seconds = 1;
  in.sampled_fraction = 0;
  const th::span_volume v = th::make_span_volume(in, summary);
  EXPECT_EQ(v.spans_per_second, 0);
  EXPECT_EQ(v.measured_sampled_fraction, 0);
  EXPECT_FALSE(v.otlp_json_bytes_per_span.has_value());
  ASSERT_TRUE(v.projection.has_value());
  EXPECT_DOUBLE_EQ(v.projection->raw.spans, 10.0 * 5 * 86'400);  // 10 req/s x 5 spans x 2 / 2
  EXPECT_FALSE(v.projection->raw.otlp_json_bytes.has_value());
  EXPECT_EQ(v.projection->sampled.spans, 0);
  EXPECT_EQ(v.projection->sampled.otlp_json_bytes, 0.0);  // no spans weigh nothing
  EXPECT_EQ(v.projection->sampled.zstd_bytes, 0.0);
}
