// W3C Trace Context Level 2: traceparent/tracestate extraction, injection and the codec.
#include "tracebench/tracer/w3c_trace_context.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "tracebench/tracer/header_carrier.hpp"

namespace tracebench::tracer {
namespace {

constexpr const char* kTrace = "4bf92f3577b34da6a3ce929d0e0e4736";
constexpr const char* kSpan = "00f067aa0ba902b7";
constexpr const char* kZeroTrace = "00000000000000000000000000000000";
constexpr const char* kZeroSpan = "0000000000000000";

std::string tp(std::string_view version, std::string_view trace, std::string_view span, std::string_view flags) {
  std::string s(version);
  s += '-';
  s += trace;
  s += '-';
  s += span;
  s += '-';
  s += flags;
  return s;
}
const std::string kValid = tp("00", kTrace, kSpan, "01");

// prefix + decimal i, built with append: GCC 12 warns falsely (-Wrestrict) on "lit" + string.
std::string numbered(std::string_view prefix, int i) {
  std::string s(prefix);
  s += std::to_string(i);
  return s;
}

using headers = std::vector<std::pair<std::string, std::string>>;
using members = std::vector<std::pair<std::string, std::string>>;

// n members "k0=v0,k1=v1,..."
std::string numbered_members(int n, int first = 0) {
  std::string s;
  for (int i = first; i < first + n; ++i) {
    if (!s.empty()) s += ',';
    s += numbered("k", i);
    s += numbered("=v", i);
  }
  return s;
}
members numbered_list(int n) {
  members m;
  for (int i = 0; i < n; ++i) m.emplace_back(numbered("k", i), numbered("v", i));
  return m;
}

struct extract_case {
  std::string name;
  headers request;
  bool valid;
  std::string trace;  // expected ids when valid
  std::string span;
  std::uint8_t flags = 0;
  members state;  // expected tracestate members (empty: none kept)
};
void PrintTo(const extract_case& c, std::ostream* os) { *os << c.name; }

extract_case ok(std::string name, headers h, std::uint8_t flags, members state = {}, std::string trace = kTrace,
                std::string span = kSpan) {
  return {std::move(name), std::move(h), true, std::move(trace), std::move(span), flags, std::move(state)};
}
extract_case bad(std::string name, headers h) { return {std::move(name), std::move(h), false, "", "", 0, {}}; }
extract_case ok_state(std::string name, std::string state, members expected) {
  return ok(std::move(name), {{"traceparent", kValid}, {"tracestate", std::move(state)}}, 0x01, std::move(expected));
}
// tracestate that must be dropped while traceparent stays valid
extract_case dropped_state(std::string name, std::string state) {
  return ok_state(std::move(name), std::move(state), {});
}

std::vector<extract_case> extract_cases() {
  const std::string k256 = "k" + std::string(255, 'a');
  const std::string tenant241 = "1" + std::string(240, 't');
  const std::string v256 = std::string(255, 'v') + "x";
  std::vector<extract_case> c = {
      // --- valid traceparent
      ok("sampled", {{"traceparent", kValid}}, 0x01),
      ok("not_sampled", {{"traceparent", tp("00", kTrace, kSpan, "00")}}, 0x00),
      ok("random_and_sampled", {{"traceparent", tp("00", kTrace, kSpan, "03")}}, 0x03),
      ok("v00_keeps_unknown_flag_bits", {{"traceparent", tp("00", kTrace, kSpan, "09")}}, 0x09),
      ok("v00_keeps_all_flag_bits", {{"traceparent", tp("00", kTrace, kSpan, "ff")}}, 0xff),
      ok("header_name_any_case", {{"TraceParent", kValid}}, 0x01),
      ok("ids_with_leading_zero_bytes",
         {{"traceparent", tp("00", "00000000000000000000000000000001", "0000000000000001", "01")}}, 0x01, {},
         "00000000000000000000000000000001", "0000000000000001"),
      // --- future versions
      ok("v01_exactly_55", {{"traceparent", tp("01", kTrace, kSpan, "01")}}, 0x01),
      ok("v01_masks_unknown_flags", {{"traceparent", tp("01", kTrace, kSpan, "ff")}}, 0x03),
      ok("vcc_longer_with_dash", {{"traceparent", tp("cc", kTrace, kSpan, "01") + "-what-the-future-holds"}}, 0x01),
      ok("vfe_trailing_dash_only", {{"traceparent", tp("fe", kTrace, kSpan, "02") + "-"}}, 0x02),
      bad("v01_longer_without_dash", {{"traceparent", tp("01", kTrace, kSpan, "01") + "x"}}),
      bad("v01_longer_flags_3_chars", {{"traceparent", tp("01", kTrace, kSpan, "011")}}),
      bad("v01_too_short", {{"traceparent", tp("01", kTrace, kSpan, "0")}}),
      // --- invalid traceparent
      bad("absent", {}),
      bad("empty_value", {{"traceparent", ""}}),
      bad("too_short", {{"traceparent", kValid.substr(0, 54)}}),
      bad("v00_too_long_with_dash", {{"traceparent", kValid + "-"}}),
      bad("v00_too_long_with_field", {{"traceparent", kValid + "-extra"}}),
      bad("leading_space", {{"traceparent", " " + kValid}}),
      bad("trailing_space", {{"traceparent", kValid + " "}}),
      bad("version_ff", {{"traceparent", tp("ff", kTrace, kSpan, "01")}}),
      bad("version_uppercase", {{"traceparent", tp("0A", kTrace, kSpan, "01")}}),
      bad("version_not_hex", {{"traceparent", tp("0g", kTrace, kSpan, "01")}}),
      bad("version_one_digit", {{"traceparent", "0-" + std::string(kTrace) + "-" + kSpan + "-01-"}}),
      bad("separator_1_underscore", {{"traceparent", "00_" + kValid.substr(3)}}),
      bad("separator_2_underscore", {{"traceparent", kValid.substr(0, 35) + "_" + kValid.substr(36)}}),
      bad("separator_3_space", {{"traceparent", kValid.substr(0, 52) + " " + kValid.substr(53)}}),
      bad("trace_id_uppercase", {{"traceparent", tp("00", "4BF92F3577B34DA6A3CE929D0E0E4736", kSpan, "01")}}),
      bad("parent_id_uppercase", {{"traceparent", tp("00", kTrace, "00F067AA0BA902B7", "01")}}),
      bad("flags_uppercase", {{"traceparent", tp("00", kTrace, kSpan, "0A")}}),
      bad("trace_id_all_zero", {{"traceparent", tp("00", kZeroTrace, kSpan, "01")}}),
      bad("parent_id_all_zero", {{"traceparent", tp("00", kTrace, kZeroSpan, "01")}}),
      bad("trace_id_non_hex", {{"traceparent", tp("00", "4bf92f3577b34da6a3ce929d0e0e473g", kSpan, "01")}}),
      bad("parent_id_non_hex", {{"traceparent", tp("00", kTrace, "00f067aa0ba9z2b7", "01")}}),
      bad("flags_non_hex", {{"traceparent", tp("00", kTrace, kSpan, "0x")}}),
      bad("trace_id_short_parent_long", {{"traceparent", "00-4bf92f3577b34da6a3ce929d0e0e473-600f067aa0ba902b7-01"}}),
      bad("future_version_all_zero_trace", {{"traceparent", tp("01", kZeroTrace, kSpan, "01")}}),
      // --- duplicated traceparent: restart rather than guess
      bad("duplicate_identical", {{"traceparent", kValid}, {"traceparent", kValid}}),
      bad("duplicate_different_case_names", {{"traceparent", kValid}, {"TRACEPARENT", tp("00", kTrace, kSpan, "00")}}),
      bad("duplicate_one_invalid", {{"traceparent", kValid}, {"traceparent", "garbage"}}),
      // --- tracestate is read only after a valid traceparent
      bad("tracestate_without_traceparent", {{"tracestate", "rojo=00f067aa0ba902b7"}}),
      bad("tracestate_with_invalid_traceparent", {{"traceparent", "00-xyz"}, {"tracestate", "rojo=1"}}),
      // --- tracestate grammar and limits
      ok_state("state_two_members", "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE",
               {{"rojo", "00f067aa0ba902b7"}, {"congo", "t61rcWkgMzE"}}),
      ok("state_headers_combined_in_order", {{"traceparent", kValid}, {"tracestate", "a=1,b=2"}, {"TraceState", "c=3"}},
         0x01, {{"a", "1"}, {"b", "2"}, {"c", "3"}}),
      ok("state_empty_header_among_others", {{"traceparent", kValid}, {"tracestate", ""}, {"tracestate", "a=1"}}, 0x01,
         {{"a", "1"}}),
      ok_state("state_empty_header", "", {}),
      ok_state("state_empty_members", ",,a=1,, ,b=2,", {{"a", "1"}, {"b", "2"}}),
      ok_state("state_ows_around_members", " \ta=1 ,\t b=2\t ", {{"a", "1"}, {"b", "2"}}),
      ok_state("state_value_leading_space_kept", "a= x", {{"a", " x"}}),
      ok_state("state_value_inner_space_kept", "a=x y", {{"a", "x y"}}),
      ok_state("state_value_printable_specials", "a=!\"#$%&'()*+-./:;<>?@[\\]^_`{|}~",
               {{"a", "!\"#$%&'()*+-./:;<>?@[\\]^_`{|}~"}}),
      ok_state("state_32_members", numbered_members(32), numbered_list(32)),
      ok_state("state_32_members_plus_empties", ",," + numbered_members(32) + ",,", numbered_list(32)),
      dropped_state("state_33_members", numbered_members(33)),
      ok("state_33_members_over_two_headers",
         {{"traceparent", kValid}, {"tracestate", numbered_members(20)}, {"tracestate", numbered_members(13, 20)}},
         0x01, {}),
      dropped_state("state_duplicate_key", "a=1,b=2,a=3"),
      ok("state_duplicate_key_over_two_headers",
         {{"traceparent", kValid}, {"tracestate", "a=1"}, {"tracestate", "a=2"}}, 0x01, {}),
      ok_state("state_simple_key_chars", "a0_-*/z=1", {{"a0_-*/z", "1"}}),
      dropped_state("state_key_uppercase", "Rojo=1"),
      dropped_state("state_simple_key_starts_with_digit", "1abc=1"),
      dropped_state("state_key_bad_char", "ro.jo=1"),
      dropped_state("state_key_empty", "=1"),
      ok_state("state_simple_key_256", k256 + "=1", {{k256, "1"}}),
      dropped_state("state_simple_key_257", k256 + "a=1"),
      ok_state("state_multi_tenant", "tenant@vendor=1,0t@v=2", {{"tenant@vendor", "1"}, {"0t@v", "2"}}),
      ok_state("state_multi_tenant_241_14", tenant241 + "@abcdefghijklmn=1", {{tenant241 + "@abcdefghijklmn", "1"}}),
      dropped_state("state_multi_tenant_tenant_242", tenant241 + "t@v=1"),
      dropped_state("state_multi_tenant_system_15", "t@abcdefghijklmno=1"),
      dropped_state("state_multi_tenant_system_digit_first", "t@1v=1"),
      dropped_state("state_multi_tenant_empty_tenant", "@v=1"),
      dropped_state("state_multi_tenant_empty_system", "t@=1"),
      dropped_state("state_two_at_signs", "t@v@w=1"),
      ok_state("state_value_256", "a=" + v256, {{"a", v256}}),
      dropped_state("state_value_257", "a=v" + v256),
      dropped_state("state_value_empty", "a="),
      dropped_state("state_value_only_spaces", "a=   "),
      dropped_state("state_value_with_equals", "a=b=c"),
      dropped_state("state_value_with_tab", "a=b\tc"),
      dropped_state("state_value_non_ascii", "a=caf\xc3\xa9"),
      dropped_state("state_member_without_equals", "a=1,b"),
      dropped_state("state_one_bad_member_drops_all", "a=1,B=2,c=3"),
  };
  return c;
}

class ExtractTable : public ::testing::TestWithParam<extract_case> {};

TEST_P(ExtractTable, ExtractsAsTheSpecSays) {
  const extract_case& tc = GetParam();
  header_list carrier;
  for (const auto& [k, v] : tc.request) carrier.add(k, v);
  propagation_context context;
  w3c_trace_context_propagator{}.extract(carrier, context);

  ASSERT_EQ(context.span.valid(), tc.valid);
  if (!tc.valid) {
    EXPECT_FALSE(context.span.trace.valid());
    EXPECT_TRUE(context.span.state.empty());
    return;
  }
  EXPECT_EQ(context.span.trace.hex(), tc.trace);
  EXPECT_EQ(context.span.span.hex(), tc.span);
  EXPECT_EQ(context.span.flags, tc.flags);
  EXPECT_TRUE(context.span.remote);
  members got;
  for (const auto& m : context.span.state.members()) got.emplace_back(m.key, m.value);
  EXPECT_EQ(got, tc.state);
}

INSTANTIATE_TEST_SUITE_P(W3c, ExtractTable, ::testing::ValuesIn(extract_cases()),
                         [](const auto& p) { return p.param.name; });

TEST(W3cExtractTable, HasAtLeast40Cases) { EXPECT_GE(extract_cases().size(), 40u); }

// --- inject: tracestate truncation to 512 characters

struct inject_case {
  std::string name;
  std::string state_in;  // parsed into the context's trace_state
  std::string expected;  // tracestate header written ("" = header absent)
};
void PrintTo(const inject_case& c, std::ostream* os) { *os << c.name; }

std::string member_of_length(const std::string& key, std::size_t total) {
  return key + "=" + std::string(total - key.size() - 1, 'x');
}

std::vector<inject_case> inject_cases() {
  // 16 members of 31 chars + 15 commas = 511 characters.
  std::string s511;
  for (int i = 0; i < 16; ++i) {
    if (i > 0) s511 += ',';
    s511 += member_of_length(numbered("k", i + 10), 31);
  }
  const std::string s512 = s511.substr(0, s511.size() - 31) + member_of_length("k25", 32);
  const std::string long_a = member_of_length("longa", 129);
  const std::string long_b = member_of_length("longb", 200);
  const std::string exact128 = member_of_length("edge", 128);
  const std::string m100 = member_of_length("m", 100);
  std::string six100;  // 6 * 100 + 5 = 605
  for (int i = 0; i < 6; ++i) {
    if (i > 0) six100 += ',';
    six100 += member_of_length(numbered("m", i), 100);
  }
  const std::string five100 = six100.substr(0, 5 * 100 + 4);
  const std::string four100 = six100.substr(0, 4 * 100 + 3);
  const std::string three100 = six100.substr(0, 3 * 100 + 2);
  const std::string max_k = member_of_length("k", 258);  // 256-char value
  const std::string max_j = member_of_length("j", 258);
  const std::string max_member = std::string(256, 'z') + "=" + std::string(256, 'v');  // 513
  return {
      {"empty_state_writes_no_header", "", ""},
      {"short_state_unchanged", "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE", "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE"},
      {"ows_and_empty_members_not_sent", " a=1 ,, b=2 ", "a=1,b=2"},
      {"exactly_512_unchanged", s512, s512},
      {"over_512_no_long_members_drops_from_end", six100, five100},
      // 400 + 129 + 200 + 5 commas = 734: dropping longb (right-most long) leaves 533, still
      // over, so longa goes too; the short members stay.
      {"long_members_dropped_first_right_most_first", four100 + "," + long_a + "," + long_b, four100},
      // 500 + 129 + 5 commas = 634: dropping the one long member is enough.
      {"long_member_in_middle_dropped_first", five100.substr(0, 201) + "," + long_a + "," + five100.substr(202),
       five100},
      // Only as many long members as needed: 300 + 129 + 200 + 4 = 633 -> drop longb -> 432.
      {"only_needed_long_members_dropped", three100 + "," + long_a + "," + long_b, three100 + "," + long_a},
      // A 128-character member is not "long": 128 + 500 + 5 = 633, the right-most 100s go.
      {"member_of_exactly_128_is_not_long", exact128 + "," + five100, exact128 + "," + three100},
      // 258 + 258 + 1 = 517: one whole member goes, never a few characters of one.
      {"two_max_value_members_drop_the_last_whole", max_k + "," + max_j, max_k},
      {"single_513_char_member_dropped_whole", max_member, ""},
      {"m100_alone", m100, m100},
  };
}

class InjectTable : public ::testing::TestWithParam<inject_case> {};

TEST_P(InjectTable, WritesTraceparentAndTruncatedTracestate) {
  const inject_case& tc = GetParam();
  propagation_context context;
  context.span.trace = *trace_id::from_hex(kTrace);
  context.span.span = *span_id::from_hex(kSpan);
  context.span.flags = 0x03;
  const auto parsed = trace_state::parse(tc.state_in);
  ASSERT_TRUE(parsed.has_value()) << "fixture tracestate must be valid";
  context.span.state = *parsed;

  header_list carrier;
  w3c_trace_context_propagator{}.inject(context, carrier);
  EXPECT_EQ(carrier.get("traceparent"), tp("00", kTrace, kSpan, "03"));
  std::string_view values[2];
  const std::size_t n = carrier.get_all("tracestate", values, 2);
  if (tc.expected.empty()) {
    EXPECT_EQ(n, 0u);
  } else {
    ASSERT_EQ(n, 1u);
    EXPECT_EQ(values[0], tc.expected);
    EXPECT_LE(values[0].size(), trace_state::kMaxHeaderLength);
  }
}

INSTANTIATE_TEST_SUITE_P(W3c, InjectTable, ::testing::ValuesIn(inject_cases()),
                         [](const auto& p) { return p.param.name; });

TEST(W3cInject, InvalidContextWritesNothing) {
  const w3c_trace_context_propagator p;
  for (const auto& ctx : {span_context{}, span_context{*trace_id::from_hex(kTrace), span_id{}, 1, false, {}},
                          span_context{trace_id{}, *span_id::from_hex(kSpan), 1, false, {}}}) {
    propagation_context context;
    context.span = ctx;
    context.span.state = *trace_state::parse("a=1");
    header_list carrier;
    p.inject(context, carrier);
    EXPECT_TRUE(carrier.fields().empty());
  }
}

TEST(W3cInject, ReplacesAnExistingTraceparent) {
  header_list carrier{{"Traceparent", "stale"}, {"traceparent", "stale2"}};
  propagation_context context;
  context.span.trace = *trace_id::from_hex(kTrace);
  context.span.span = *span_id::from_hex(kSpan);
  w3c_trace_context_propagator{}.inject(context, carrier);
  std::string_view values[3];
  ASSERT_EQ(carrier.get_all("traceparent", values, 3), 1u);
  EXPECT_EQ(values[0], tp("00", kTrace, kSpan, "00"));
}

// --- round trip: inject -> extract restores ids, flags and state

struct round_trip_case {
  std::string name;
  std::string trace;
  std::string span;
  std::uint8_t flags;
  std::string state;
};
void PrintTo(const round_trip_case& c, std::ostream* os) { *os << c.name; }

class RoundTripTable : public ::testing::TestWithParam<round_trip_case> {};

TEST_P(RoundTripTable, ExtractOfInjectIsIdentity) {
  const auto& tc = GetParam();
  propagation_context sent;
  sent.span.trace = *trace_id::from_hex(tc.trace);
  sent.span.span = *span_id::from_hex(tc.span);
  sent.span.flags = tc.flags;
  sent.span.state = *trace_state::parse(tc.state);
  header_list carrier;
  const w3c_trace_context_propagator p;
  p.inject(sent, carrier);
  propagation_context received;
  p.extract(carrier, received);
  ASSERT_TRUE(received.span.valid());
  EXPECT_EQ(received.span.trace, sent.span.trace);
  EXPECT_EQ(received.span.span, sent.span.span);
  EXPECT_EQ(received.span.flags, sent.span.flags);
  EXPECT_TRUE(received.span.remote);
  EXPECT_EQ(received.span.state, sent.span.state);
}

INSTANTIATE_TEST_SUITE_P(
    W3c, RoundTripTable,
    ::testing::Values(round_trip_case{"sampled_no_state", kTrace, kSpan, 0x01, ""},
                      round_trip_case{"unsampled_with_state", kTrace, kSpan, 0x00, "rojo=1,congo=t61rcWkgMzE"},
                      round_trip_case{"random_flag", "ffffffffffffffffffffffffffffffff", "ffffffffffffffff", 0x03,
                                      "a=b"},
                      round_trip_case{"min_ids", "00000000000000000000000000000001", "0000000000000001", 0x00, ""},
                      round_trip_case{"thirty_two_members", kTrace, kSpan, 0x01, numbered_members(32)},
                      round_trip_case{"multi_tenant_and_spaces", kTrace, kSpan, 0x01, "t@v= a b,x=1"}),
    [](const auto& p) { return p.param.name; });

TEST(W3cRoundTrip, RandomIds) {
  const w3c_trace_context_propagator p;
  for (int i = 0; i < 1000; ++i) {
    propagation_context sent;
    sent.span.trace = random_trace_id();
    sent.span.span = random_span_id();
    sent.span.flags = static_cast<std::uint8_t>(i & 0xff);
    header_list carrier;
    p.inject(sent, carrier);
    propagation_context received;
    p.extract(carrier, received);
    ASSERT_EQ(received.span.trace, sent.span.trace);
    ASSERT_EQ(received.span.span, sent.span.span);
    ASSERT_EQ(received.span.flags, sent.span.flags);
  }
}

// --- extract semantics around an existing context

TEST(W3cExtract, AbsentOrInvalidTraceparentKeepsTheExistingContext) {
  propagation_context context;
  context.span.trace = *trace_id::from_hex("0af7651916cd43dd8448eb211c80319c");
  context.span.span = *span_id::from_hex("b7ad6b7169203331");
  const span_context before = context.span;
  const w3c_trace_context_propagator p;
  p.extract(header_list{}, context);
  EXPECT_EQ(context.span.trace, before.trace);
  p.extract(header_list{{"traceparent", "garbage"}}, context);
  EXPECT_EQ(context.span.span, before.span);
}

TEST(W3cExtract, ValidTraceparentReplacesContextAndItsTracestate) {
  propagation_context context;
  context.span.trace = *trace_id::from_hex("0af7651916cd43dd8448eb211c80319c");
  context.span.span = *span_id::from_hex("b7ad6b7169203331");
  context.span.state = *trace_state::parse("old=1");
  w3c_trace_context_propagator{}.extract(header_list{{"traceparent", kValid}}, context);
  EXPECT_EQ(context.span.trace.hex(), kTrace);
  EXPECT_TRUE(context.span.state.empty());
}

TEST(W3cExtract, BaggageIsLeftAlone) {
  propagation_context context;
  context.baggage.set("k", "v");
  w3c_trace_context_propagator{}.extract(header_list{{"traceparent", kValid}, {"baggage", "x=y"}}, context);
  ASSERT_EQ(context.baggage.size(), 1u);
  EXPECT_EQ(context.baggage.get("k"), "v");
}

TEST(W3cExtract, ManyTracestateHeadersAreAllCombined) {
  header_list carrier{{"traceparent", kValid}};
  for (int i = 0; i < 20; ++i) carrier.add("tracestate", numbered("k", i) + numbered("=v", i));
  propagation_context context;
  w3c_trace_context_propagator{}.extract(carrier, context);
  ASSERT_EQ(context.span.state.size(), 20u);
  EXPECT_EQ(context.span.state.members()[19].key, "k19");
  carrier.add("tracestate", numbered_members(13, 20));  // 33 in all
  propagation_context over;
  w3c_trace_context_propagator{}.extract(carrier, over);
  EXPECT_TRUE(over.span.valid());
  EXPECT_TRUE(over.span.state.empty());
}

// --- the codec directly

TEST(TraceparentCodec, FormatWritesExactly55LowercaseChars) {
  span_context ctx;
  ctx.trace = *trace_id::from_hex("0af7651916cd43dd8448eb211c80319c");
  ctx.span = *span_id::from_hex("b7ad6b7169203331");
  ctx.flags = kSampledFlag | kRandomTraceIdFlag;
  char buf[kTraceparentLength + 1];
  buf[kTraceparentLength] = '#';
  format_traceparent(ctx, buf);
  EXPECT_EQ(std::string_view(buf, kTraceparentLength), "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-03");
  EXPECT_EQ(buf[kTraceparentLength], '#');  // no terminator written
  ctx.flags = 0xa0;
  format_traceparent(ctx, buf);
  EXPECT_EQ(std::string_view(buf + 53, 2), "a0");
}

TEST(TraceparentCodec, FailedParseLeavesOutputUnchanged) {
  span_context ctx;
  ctx.trace = trace_id{1, 2};
  ctx.span = span_id{3};
  ctx.flags = 7;
  EXPECT_FALSE(parse_traceparent(tp("00", kTrace, kZeroSpan, "01"), ctx));
  EXPECT_EQ(ctx.trace, (trace_id{1, 2}));
  EXPECT_EQ(ctx.span, span_id{3});
  EXPECT_EQ(ctx.flags, 7);
  EXPECT_FALSE(ctx.remote);
}

TEST(TraceparentCodec, ParseLeavesStateAloneAndSetsRemote) {
  span_context ctx;
  ctx.state = *trace_state::parse("a=1");
  ASSERT_TRUE(parse_traceparent(kValid, ctx));
  EXPECT_TRUE(ctx.remote);
  EXPECT_EQ(ctx.state.get("a"), "1");
  EXPECT_EQ(ctx.trace, (trace_id{0x4bf92f3577b34da6ULL, 0xa3ce929d0e0e4736ULL}));
  EXPECT_EQ(ctx.span, span_id{0x00f067aa0ba902b7ULL});
}

TEST(TraceparentCodec, EverySingleCharacterCorruptionIsRejectedOrHarmless) {
  // Changing any hex digit to an uppercase or non-hex character must be rejected.
  for (std::size_t i = 0; i < kTraceparentLength; ++i) {
    for (char c : {'G', 'A', 'z', ' ', '\0', '_'}) {
      std::string s = kValid;
      if (s[i] == c) continue;
      s[i] = c;
      span_context ctx;
      EXPECT_FALSE(parse_traceparent(s, ctx)) << "position " << i << " char " << int(c);
    }
  }
}

}  // namespace
}  // namespace tracebench::tracer
