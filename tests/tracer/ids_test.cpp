// Trace and span ids: hex codec and the random generator.

#include "tracebench/tracer/ids.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <thread>
#include <unordered_set>
#include <utility>
#include <vector>

namespace tracebench::tracer {
namespace {

constexpr std::string_view kTraceHex = "4bf92f3577b34da6a3ce929d0e0e4736";
constexpr std::string_view kSpanHex = "00f067aa0ba902b7";

struct pair_hash {
  std::size_t operator()(const std::pair<std::uint64_t, std::uint64_t>& p) const noexcept {
    return std::hash<std::uint64_t>{}(p.first) ^ (std::hash<std::uint64_t>{}(p.second) * 0x9e3779b97f4a7c15ULL);
  }
};

TEST(TraceIdTest, HexRoundTrip) {
  const auto id = trace_id::from_hex(kTraceHex);
  ASSERT_TRUE(id.has_value());
  EXPECT_EQ(id->high, 0x4bf92f3577b34da6ULL);
  EXPECT_EQ(id->low, 0xa3ce929d0e0e4736ULL);
  EXPECT_EQ(id->hex(), kTraceHex);

  char buf[trace_id::kHexLength + 1] = {};
  buf[trace_id::kHexLength] = 'X';
  id->to_hex(buf);
  EXPECT_EQ(std::string_view(buf, trace_id::kHexLength), kTraceHex);
  EXPECT_EQ(buf[trace_id::kHexLength], 'X') << "to_hex must write exactly 32 characters";
}

TEST(TraceIdTest, HexIsLowercaseAndZeroPadded) {
  const trace_id id{0xABCDEFULL, 0x1ULL};
  EXPECT_EQ(id.hex(), "0000000000abcdef0000000000000001");
  const trace_id all_f{~0ULL, ~0ULL};
  EXPECT_EQ(all_f.hex(), std::string(32, 'f'));
}

TEST(TraceIdTest, RejectsUppercase) {
  EXPECT_FALSE(trace_id::from_hex("4BF92F3577B34DA6A3CE929D0E0E4736").has_value());
  EXPECT_FALSE(trace_id::from_hex("4bf92f3577b34da6a3ce929d0e0e473A").has_value());
  EXPECT_FALSE(trace_id::from_hex("Abf92f3577b34da6a3ce929d0e0e4736").has_value());
}

TEST(TraceIdTest, RejectsWrongLength) {
  EXPECT_FALSE(trace_id::from_hex("").has_value());
  EXPECT_FALSE(trace_id::from_hex(kTraceHex.substr(0, 31)).has_value());
  EXPECT_FALSE(trace_id::from_hex(std::string(kTraceHex) + "0").has_value());
  EXPECT_FALSE(trace_id::from_hex(kSpanHex).has_value());
}

TEST(TraceIdTest, RejectsNonHex) {
  for (const char bad : {'g', 'z', ' ', '-', 'x', '\0', '/', ':', '@', '`', '\xff'}) {
    for (const std::size_t pos : {std::size_t{0}, std::size_t{15}, std::size_t{16}, std::size_t{31}}) {
      std::string s(kTraceHex);
      s[pos] = bad;
      EXPECT_FALSE(trace_id::from_hex(s).has_value())
          << "char " << int(static_cast<unsigned char>(bad)) << " at " << pos;
    }
  }
}

TEST(TraceIdTest, RejectsAllZero) {
  EXPECT_FALSE(trace_id::from_hex(std::string(32, '0')).has_value());
  EXPECT_FALSE(trace_id{}.valid());
  // Only one half zero is still a valid id.
  EXPECT_TRUE(trace_id::from_hex("00000000000000000000000000000001").has_value());
  EXPECT_TRUE(trace_id::from_hex("10000000000000000000000000000000").has_value());
}

TEST(SpanIdTest, HexRoundTrip) {
  const auto id = span_id::from_hex(kSpanHex);
  ASSERT_TRUE(id.has_value());
  EXPECT_EQ(id->value, 0x00f067aa0ba902b7ULL);
  EXPECT_EQ(id->hex(), kSpanHex);
  char buf[span_id::kHexLength + 1] = {};
  buf[span_id::kHexLength] = 'X';
  id->to_hex(buf);
  EXPECT_EQ(std::string_view(buf, span_id::kHexLength), kSpanHex);
  EXPECT_EQ(buf[span_id::kHexLength], 'X');
  EXPECT_EQ((span_id{0xDEADBEEFULL}.hex()), "00000000deadbeef");
}

TEST(SpanIdTest, Rejects) {
  EXPECT_FALSE(span_id::from_hex("00F067AA0BA902B7").has_value());
  EXPECT_FALSE(span_id::from_hex("00f067aa0ba902bG").has_value());
  EXPECT_FALSE(span_id::from_hex("00f067aa0ba902b").has_value());
  EXPECT_FALSE(span_id::from_hex("00f067aa0ba902b70").has_value());
  EXPECT_FALSE(span_id::from_hex("").has_value());
  EXPECT_FALSE(span_id::from_hex("0000000000000000").has_value());
  EXPECT_FALSE(span_id::from_hex(" 0f067aa0ba902b7").has_value());
  EXPECT_TRUE(span_id::from_hex("0000000000000001").has_value());
}

TEST(HexHelpersTest, ParseAndWrite) {
  std::uint64_t v = 7;
  EXPECT_TRUE(parse_hex_u64("ff", v));
  EXPECT_EQ(v, 0xffULL);
  EXPECT_TRUE(parse_hex_u64("ffffffffffffffff", v));
  EXPECT_EQ(v, ~0ULL);
  v = 7;
  EXPECT_FALSE(parse_hex_u64("fffffffffffffffff", v));  // 17 digits
  EXPECT_FALSE(parse_hex_u64("FF", v));
  EXPECT_FALSE(parse_hex_u64("f g", v));
  EXPECT_EQ(v, 7U) << "a rejected parse leaves the output alone";
  char buf[16];
  write_hex_u64(0x0123456789abcdefULL, buf);
  EXPECT_EQ(std::string_view(buf, 16), "0123456789abcdef");
}

TEST(RandomIdsTest, NeverZeroAndNoDuplicates) {
  constexpr std::size_t kCount = 100'000;
  std::unordered_set<std::pair<std::uint64_t, std::uint64_t>, pair_hash> traces;
  std::unordered_set<std::uint64_t> spans;
  traces.reserve(kCount);
  spans.reserve(kCount);
  for (std::size_t i = 0; i < kCount; ++i) {
    const trace_id t = random_trace_id();
    const span_id s = random_span_id();
    ASSERT_TRUE(t.valid());
    ASSERT_TRUE(s.valid());
    ASSERT_TRUE(traces.emplace(t.high, t.low).second) << "duplicate trace id " << t.hex();
    ASSERT_TRUE(spans.insert(s.value).second) << "duplicate span id " << s.hex();
  }
}

TEST(RandomIdsTest, BitsLookRandom) {
  // Every one of the 128 bits must take both values over a few thousand draws; a stuck
  // bit (a half left zero, a shifted word) would show here.
  std::uint64_t high_or = 0, high_and = ~0ULL, low_or = 0, low_and = ~0ULL;
  for (int i = 0; i < 4096; ++i) {
    const trace_id t = random_trace_id();
    high_or |= t.high;
    high_and &= t.high;
    low_or |= t.low;
    low_and &= t.low;
  }
  EXPECT_EQ(high_or, ~0ULL);
  EXPECT_EQ(low_or, ~0ULL);
  EXPECT_EQ(high_and, 0ULL);
  EXPECT_EQ(low_and, 0ULL);
}

TEST(RandomIdsTest, TwoThreadsDrawDifferentIds) {
  constexpr std::size_t kCount = 10'000;
  std::vector<trace_id> a(kCount), b(kCount);
  std::vector<span_id> sa(kCount), sb(kCount);
  std::thread ta([&] {
    for (std::size_t i = 0; i < kCount; ++i) {
      a[i] = random_trace_id();
      sa[i] = random_span_id();
    }
  });
  std::thread tb([&] {
    for (std::size_t i = 0; i < kCount; ++i) {
      b[i] = random_trace_id();
      sb[i] = random_span_id();
    }
  });
  ta.join();
  tb.join();
  std::unordered_set<std::pair<std::uint64_t, std::uint64_t>, pair_hash> traces;
  std::unordered_set<std::uint64_t> spans;
  for (std::size_t i = 0; i < kCount; ++i) {
    EXPECT_TRUE(traces.emplace(a[i].high, a[i].low).second);
    EXPECT_TRUE(spans.insert(sa[i].value).second);
  }
  for (std::size_t i = 0; i < kCount; ++i) {
    EXPECT_TRUE(traces.emplace(b[i].high, b[i].low).second) << "thread B repeated an id: " << b[i].hex();
    EXPECT_TRUE(spans.insert(sb[i].value).second) << "thread B repeated a span id";
  }
  // Also the main thread's stream differs from both.
  const trace_id mine = random_trace_id();
  EXPECT_EQ(traces.count({mine.high, mine.low}), 0U);
}

}  // namespace
}  // namespace tracebench::tracer
