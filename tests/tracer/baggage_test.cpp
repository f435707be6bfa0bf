// W3C Baggage: parsing, percent-encoding, limits, and the baggage propagator.
#include "tracebench/tracer/baggage.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "tracebench/tracer/baggage_propagator.hpp"
#include "tracebench/tracer/header_carrier.hpp"

namespace tracebench::tracer {
namespace {

using entries = std::vector<baggage::entry>;

// Appends only: GCC 12 warns falsely (-Wrestrict) on "literal" + std::string.
std::string numbered(std::string_view prefix, std::size_t i) {
  std::string s(prefix);
  s += std::to_string(i);
  return s;
}
std::string join(const std::vector<std::string>& parts) {
  std::string s;
  for (const auto& p : parts) {
    if (!s.empty()) s += ',';
    s += p;
  }
  return s;
}
// n members k0=v0,...
std::vector<std::string> numbered_members(std::size_t n) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < n; ++i) out.push_back(numbered("k", i) + numbered("=v", i));
  return out;
}
entries numbered_entries(std::size_t n) {
  entries out;
  for (std::size_t i = 0; i < n; ++i) out.push_back({numbered("k", i), numbered("v", i), ""});
  return out;
}
// A member "key=xxxx" of exactly `total` bytes.
std::string sized_member(const std::string& key, std::size_t total) {
  std::string m = key;
  m += '=';
  m.append(total - key.size() - 1, 'x');
  return m;
}

struct parse_case {
  std::string name;
  std::string header;
  entries expected;
  std::size_t dropped;
};
void PrintTo(const parse_case& c, std::ostream* os) { *os << c.name; }

std::vector<parse_case> parse_cases() {
  std::vector<parse_case> c = {
      {"single", "k=v", {{"k", "v", ""}}, 0},
      {"two_members_in_order", "b=2,a=1", {{"b", "2", ""}, {"a", "1", ""}}, 0},
      {"ows_everywhere", " \ta = 1 \t,\t b\t=\t2 ", {{"a", "1", ""}, {"b", "2", ""}}, 0},
      {"token_key_chars", "!#$%&'*+-.^_`|~09AZaz=v", {{"!#$%&'*+-.^_`|~09AZaz", "v", ""}}, 0},
      {"value_all_baggage_octets", "k=!#$&'()*+-./:<=>?@[]^_`{|}~", {{"k", "!#$&'()*+-./:<=>?@[]^_`{|}~", ""}}, 0},
      {"empty_value", "k=", {{"k", "", ""}}, 0},
      {"percent_space", "k=hello%20world", {{"k", "hello world", ""}}, 0},
      {"percent_reserved", "k=%2C%3B%3D%25%22%5C", {{"k", ",;=%\"\\", ""}}, 0},
      {"percent_lowercase_hex", "k=%c3%a9", {{"k", "\xc3\xa9", ""}}, 0},
      {"percent_utf8_three_bytes", "k=%E2%9C%93", {{"k", "\xe2\x9c\x93", ""}}, 0},
      {"percent_utf8_four_bytes", "k=%F0%9F%98%80", {{"k", "\xf0\x9f\x98\x80", ""}}, 0},
      {"invalid_utf8_byte_replaced",
       "k=a%FFb",
       {{"k",
         "a\xef\xbf\xbd"
         "b",
         ""}},
       0},
      {"truncated_utf8_one_replacement", "k=%E2%9Cx", {{"k", "\xef\xbf\xbdx", ""}}, 0},
      {"overlong_utf8_replaced", "k=%C0%AF", {{"k", "\xef\xbf\xbd\xef\xbf\xbd", ""}}, 0},
      {"surrogate_utf8_replaced", "k=%ED%A0%80", {{"k", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd", ""}}, 0},
      {"lone_percent_kept", "k=100%", {{"k", "100%", ""}}, 0},
      {"bad_escape_kept", "k=%zz%4", {{"k", "%zz%4", ""}}, 0},
      {"property_flag", "k=v;p", {{"k", "v", "p"}}, 0},
      {"properties_kept_verbatim", "k=v;p1;p2=x", {{"k", "v", "p1;p2=x"}}, 0},
      {"properties_with_ows_verbatim", "k=v ; p = 1 ;q", {{"k", "v", " p = 1 ;q"}}, 0},
      {"properties_not_decoded", "k=a%20b;p=%20", {{"k", "a b", "p=%20"}}, 0},
      {"duplicate_key_last_wins", "k=1,j=2,k=3", {{"k", "3", ""}, {"j", "2", ""}}, 0},
      {"empty_header", "", {}, 0},
      {"only_separators", " , ,, ", {}, 0},
      {"empty_members_ignored", ",a=1,,b=2,", {{"a", "1", ""}, {"b", "2", ""}}, 0},
      // malformed members are skipped and counted, never the whole header
      {"missing_equals", "a=1,k,b=2", {{"a", "1", ""}, {"b", "2", ""}}, 1},
      {"empty_key", "=v", {}, 1},
      {"key_with_space", "a b=1", {}, 1},
      {"key_with_separator", "k(=1,k/=2,k@=3,ok=4", {{"ok", "4", ""}}, 3},
      {"key_non_ascii", "caf\xc3\xa9=1", {}, 1},
      {"value_with_space", "k=a b", {}, 1},
      {"value_with_dquote", "k=\"v\"", {}, 1},
      {"value_with_backslash", "k=a\\b", {}, 1},
      {"value_with_ctl",
       std::string("k=a\x01"
                   "b,j=\x7f"),
       {},
       2},
      {"value_with_nul", std::string("k=a\0b,j=1", 9), {{"j", "1", ""}}, 1},
      {"value_non_ascii", "k=\xc3\xa9", {}, 1},
      {"empty_property", "k=v;", {}, 1},
      {"property_empty_key", "k=v;=x", {}, 1},
      {"property_bad_value", "k=v;p=a b", {}, 1},
      {"property_empty_between", "k=v;a;;b", {}, 1},
      {"good_bad_good", "a=1,b=\"x\",c=3", {{"a", "1", ""}, {"c", "3", ""}}, 1},
      {"tabs_and_newlines_are_not_ows", "k=v\r\n", {}, 1},
  };

  // 64 members kept; the 65th and 66th dropped whole.
  c.push_back({"64_members", join(numbered_members(64)), numbered_entries(64), 0});
  c.push_back({"66_members_drop_2", join(numbered_members(66)), numbered_entries(64), 2});
  // Malformed members do not use up the member budget.
  {
    auto parts = numbered_members(64);
    parts.insert(parts.begin(), "bad member");
    c.push_back({"malformed_not_counted_in_64", join(parts), numbered_entries(64), 1});
  }

  // Byte limit: 8 members of 1023 bytes + 7 commas = 8191; a 9th cannot fit, whole.
  {
    std::vector<std::string> parts;
    entries kept;
    for (std::size_t i = 0; i < 9; ++i) {
      parts.push_back(sized_member(numbered("k", i), 1023));
      if (i < 8) kept.push_back({numbered("k", i), std::string(1023 - 3, 'x'), ""});
    }
    c.push_back({"8192_bytes_drop_whole_member", join(parts), kept, 1});
    // A malformed last member is dropped for its grammar, and counted once, not twice.
    parts.back() = "z";
    c.push_back({"8191_bytes_then_malformed", join(parts), kept, 1});
  }
  {
    // Exactly 8192 bytes: 7 * 1023 + 7 commas + last member of 1024 bytes = 8192.
    std::vector<std::string> parts;
    entries kept;
    for (std::size_t i = 0; i < 8; ++i) {
      const std::size_t len = i < 7 ? 1023 : 1024;
      parts.push_back(sized_member(numbered("k", i), len));
      kept.push_back({numbered("k", i), std::string(len - 3, 'x'), ""});
    }
    c.push_back({"exactly_8192_bytes_kept", join(parts), kept, 0});
    parts.back() = sized_member("k7", 1025);  // one byte over
    kept.pop_back();
    c.push_back({"8193_bytes_drops_last_whole", join(parts), kept, 1});
    // A later, smaller member still fits after an oversized one is dropped.
    parts.push_back("s=");
    kept.push_back({"s", "", ""});
    c.push_back({"smaller_member_after_dropped_one", join(parts), kept, 1});
  }
  {
    // One member larger than the whole budget.
    c.push_back({"single_member_over_8192", sized_member("big", 9000) + ",ok=1", {{"ok", "1", ""}}, 1});
  }
  return c;
}

class ParseTable : public ::testing::TestWithParam<parse_case> {};

TEST_P(ParseTable, ParsesAsTheSpecSays) {
  const parse_case& tc = GetParam();
  const baggage b = baggage::parse(tc.header);
  EXPECT_EQ(b.entries(), tc.expected);
  EXPECT_EQ(b.dropped(), tc.dropped);
  EXPECT_LE(b.size(), baggage::kMaxMembers);
}

INSTANTIATE_TEST_SUITE_P(Baggage, ParseTable, ::testing::ValuesIn(parse_cases()),
                         [](const auto& p) { return p.param.name; });

// --- encoding: to_header and parse(to_header) round trip

struct encode_case {
  std::string name;
  entries in;
  std::string header;
};
void PrintTo(const encode_case& c, std::ostream* os) { *os << c.name; }

class EncodeTable : public ::testing::TestWithParam<encode_case> {};

TEST_P(EncodeTable, EncodesAndRoundTrips) {
  const encode_case& tc = GetParam();
  baggage b;
  for (const auto& e : tc.in) b.set(e.key, e.value, e.properties);
  EXPECT_EQ(b.to_header(), tc.header);
  const baggage back = baggage::parse(b.to_header());
  EXPECT_EQ(back.dropped(), 0u);
  EXPECT_EQ(back, b);
}

INSTANTIATE_TEST_SUITE_P(
    Baggage, EncodeTable,
    ::testing::Values(
        encode_case{"plain", {{"k", "v", ""}}, "k=v"}, encode_case{"space", {{"k", "a b", ""}}, "k=a%20b"},
        encode_case{"percent", {{"k", "50%", ""}}, "k=50%25"},
        encode_case{"percent_that_looks_like_escape", {{"k", "%41", ""}}, "k=%2541"},
        encode_case{"equals", {{"k", "x=y", ""}}, "k=x%3Dy"},
        encode_case{"comma_semicolon", {{"k", "a,b;c", ""}}, "k=a%2Cb%3Bc"},
        encode_case{"dquote_backslash", {{"k", "\"q\\", ""}}, "k=%22q%5C"},
        encode_case{"controls", {{"k", std::string("\n\t\0\x7f", 4), ""}}, "k=%0A%09%00%7F"},
        encode_case{"utf8", {{"k", "caf\xc3\xa9 \xe2\x9c\x93", ""}}, "k=caf%C3%A9%20%E2%9C%93"},
        encode_case{"safe_specials_literal", {{"k", "!#$&'()*+-./:<>?@[]^_`{|}~", ""}}, "k=!#$&'()*+-./:<>?@[]^_`{|}~"},
        encode_case{"empty_value", {{"k", "", ""}}, "k="},
        encode_case{"properties", {{"k", "v", "p1;p2=x"}, {"j", "w", ""}}, "k=v;p1;p2=x,j=w"},
        encode_case{"order_kept", {{"z", "1", ""}, {"a", "2", ""}, {"m", "3", ""}}, "z=1,a=2,m=3"}),
    [](const auto& p) { return p.param.name; });

TEST(Baggage, ToHeaderSkipsUnsendableEntries) {
  baggage b;
  b.set("bad key", "1");
  b.set("", "2");
  b.set("ok", "3");
  b.set("badprops", "4", "p=a b");
  EXPECT_EQ(b.to_header(), "ok=3");
}

TEST(Baggage, ToHeaderKeepsAtMost64Members) {
  baggage b;
  for (std::size_t i = 0; i < 70; ++i) b.set(numbered("k", i), "v");
  const std::string h = b.to_header();
  EXPECT_EQ(std::count(h.begin(), h.end(), ','), 63);
  EXPECT_TRUE(h.ends_with(",k63=v")) << h;
  const baggage back = baggage::parse(h);
  EXPECT_EQ(back.size(), baggage::kMaxMembers);
  EXPECT_EQ(back.dropped(), 0u);
}

TEST(Baggage, ToHeaderDropsWholeMembersPast8192Bytes) {
  baggage b;
  // Each value encodes to 3 bytes per character: 1000 spaces -> 3000 bytes.
  for (std::size_t i = 0; i < 4; ++i) b.set(numbered("k", i), std::string(1000, ' '));
  b.set("small", "1");
  const std::string h = b.to_header();
  EXPECT_LE(h.size(), baggage::kMaxBytes);
  const baggage back = baggage::parse(h);
  EXPECT_EQ(back.dropped(), 0u);
  ASSERT_EQ(back.size(), 3u);  // k0, k1 (2 * 3003 + 1), then k2/k3 don't fit, small does
  EXPECT_EQ(back.entries()[0].value, std::string(1000, ' '));
  EXPECT_EQ(back.entries()[1].key, "k1");
  EXPECT_EQ(back.entries()[2].key, "small");
}

TEST(Baggage, GetAndSet) {
  baggage b;
  EXPECT_FALSE(b.get("k").has_value());
  b.set("k", "1");
  b.set("k", "2", "p");
  ASSERT_EQ(b.size(), 1u);
  EXPECT_EQ(b.get("k"), "2");
  EXPECT_EQ(b.entries()[0].properties, "p");
  EXPECT_FALSE(b.get("K").has_value());  // keys are case-sensitive
}

TEST(Baggage, HostileHeadersNeverThrowAndStayBounded) {
  std::vector<std::string> hostile = {
      std::string(100000, ','),
      std::string(100000, '='),
      std::string(100000, ';'),
      std::string(100000, '%'),
      std::string(20000, 'a'),
      std::string("\0\0\0=\0", 5),
      "\xff\xfe\xfd=\xff",
      "k=%",
      "k=%%%%",
  };
  std::string many;
  for (std::size_t i = 0; i < 10000; ++i) many += numbered("k", i) + "=1,";
  hostile.push_back(many);
  for (const auto& h : hostile) {
    baggage b;
    EXPECT_NO_THROW(b = baggage::parse(h));
    EXPECT_LE(b.size(), baggage::kMaxMembers);
    EXPECT_LE(b.to_header().size(), baggage::kMaxBytes);
  }
  EXPECT_EQ(baggage::parse(many).dropped(), 10000u - 64u);
}

// --- propagator

TEST(BaggagePropagator, InjectWritesTheHeader) {
  propagation_context context;
  context.baggage.set("tenant", "acme corp");
  header_list carrier;
  w3c_baggage_propagator{}.inject(context, carrier);
  EXPECT_EQ(carrier.get("baggage"), "tenant=acme%20corp");
}

TEST(BaggagePropagator, InjectEmptyBaggageWritesNothing) {
  propagation_context context;
  header_list carrier;
  w3c_baggage_propagator{}.inject(context, carrier);
  EXPECT_TRUE(carrier.fields().empty());
  context.baggage.set("bad key", "x");  // nothing sendable
  w3c_baggage_propagator{}.inject(context, carrier);
  EXPECT_TRUE(carrier.fields().empty());
}

TEST(BaggagePropagator, ExtractCombinesHeadersInOrder) {
  header_list carrier{{"baggage", "a=1,b=2"}, {"X", "y"}, {"Baggage", "c=3"}};
  propagation_context context;
  w3c_baggage_propagator{}.extract(carrier, context);
  EXPECT_EQ(context.baggage.entries(), (entries{{"a", "1", ""}, {"b", "2", ""}, {"c", "3", ""}}));
}

TEST(BaggagePropagator, CombinedHeadersShareTheLimits) {
  header_list carrier;
  for (std::size_t i = 0; i < 70; ++i) carrier.add("baggage", numbered("k", i) + "=v");
  propagation_context context;
  w3c_baggage_propagator{}.extract(carrier, context);
  EXPECT_EQ(context.baggage.size(), 64u);
  EXPECT_EQ(context.baggage.dropped(), 6u);
}

TEST(BaggagePropagator, AbsentHeaderKeepsExistingBaggage) {
  propagation_context context;
  context.baggage.set("k", "v");
  w3c_baggage_propagator{}.extract(header_list{}, context);
  EXPECT_EQ(context.baggage.get("k"), "v");
}

TEST(BaggagePropagator, BadBaggageOnlyDropsMembersAndLeavesSpanAlone) {
  propagation_context context;
  context.span.trace = trace_id{1, 2};
  context.span.span = span_id{3};
  header_list carrier{{"baggage", "ok=1,bad member,\"x\"=2"}};
  w3c_baggage_propagator{}.extract(carrier, context);
  EXPECT_TRUE(context.span.valid());
  EXPECT_EQ(context.baggage.entries(), (entries{{"ok", "1", ""}}));
  EXPECT_EQ(context.baggage.dropped(), 2u);
}

TEST(BaggagePropagator, RoundTrip) {
  propagation_context sent;
  sent.baggage.set("user", "j\xc3\xb6rg, \"admin\"", "ttl=60");
  sent.baggage.set("flag", "on");
  header_list carrier;
  const w3c_baggage_propagator p;
  p.inject(sent, carrier);
  propagation_context received;
  p.extract(carrier, received);
  EXPECT_EQ(received.baggage, sent.baggage);
}

}  // namespace
}  // namespace tracebench::tracer
