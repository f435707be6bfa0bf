#include "tracebench/tracer/json_writer.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <iterator>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace tracebench::tracer {
namespace {

std::string encode_string(std::string_view s) {
  std::string out;
  append_json_string(out, s);
  return out;
}

std::string double_text(double d) {
  std::string out;
  append_json_double(out, d);
  return out;
}

struct escape_case {
  std::string_view input;
  std::string_view expected;  // including the quotes
};

TEST(JsonWriter, EscapesQuotesBackslashesAndControlCharacters) {
  using namespace std::string_view_literals;
  const escape_case cases[] = {
      {""sv, R"("")"sv},
      {"plain"sv, R"("plain")"sv},
      {"a\"b"sv, R"("a\"b")"sv},
      {"a\\b"sv, R"("a\\b")"sv},
      {"/"sv, R"("/")"sv},  // solidus needs no escape
      {"\b\f\n\r\t"sv, R"("\b\f\n\r\t")"sv},
      {"\0"sv, R"("\u0000")"sv},
      {"\x01\x1f"sv, R"("\u0001\u001f")"sv},
      {"x\x7fy"sv, "\"x\x7fy\""sv},            // DEL is legal in JSON strings
      {"caf\xc3\xa9"sv, "\"caf\xc3\xa9\""sv},  // valid UTF-8 copied as-is
      {"\xe2\x82\xac \xf0\x9f\x98\x80"sv, "\"\xe2\x82\xac \xf0\x9f\x98\x80\""sv},
      {"bad\xff"sv, "\"bad\xef\xbf\xbd\""sv},                            // invalid byte -> U+FFFD
      {"\xc3"sv, "\"\xef\xbf\xbd\""sv},                                  // truncated sequence
      {"\xc0\xaf"sv, "\"\xef\xbf\xbd\xef\xbf\xbd\""sv},                  // overlong '/'
      {"\xed\xa0\x80"sv, "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\""sv},  // surrogate
  };
  for (std::size_t i = 0; i < std::size(cases); ++i) {
    EXPECT_EQ(encode_string(cases[i].input), cases[i].expected) << "case " << i;
  }
}

// The writer scans eight bytes at a time; a special byte must be caught at every offset
// of every word and of the tail. nlohmann's dump is the reference.
TEST(JsonWriter, MatchesAReferenceEncoderAtEveryPosition) {
  const std::string specials[] = {"\"", "\\", "\n", "\x1f", "\x01", "\x7f", "\x80", "\xc3\xa9", "\xff", " ", "~"};
  for (std::size_t length = 1; length <= 24; ++length) {
    for (std::size_t pos = 0; pos < length; ++pos) {
      for (const std::string& special : specials) {
        std::string s(length, 'a');
        s.replace(pos, 1, special);
        const std::string expected = nlohmann::json(s).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
        ASSERT_EQ(encode_string(s), expected) << "length " << length << " pos " << pos;
      }
    }
  }
}

TEST(JsonWriter, EveryByteRoundTripsThroughAJsonParser) {
  std::string all;
  for (int c = 0; c < 0x80; ++c) all.push_back(static_cast<char>(c));
  const auto parsed = nlohmann::json::parse(encode_string(all));
  EXPECT_EQ(parsed.get<std::string>(), all);
}

TEST(JsonWriter, IntegersAtTheirLimits) {
  std::string out;
  append_json_int(out, std::numeric_limits<std::int64_t>::min());
  EXPECT_EQ(out, "-9223372036854775808");
  out.clear();
  append_json_uint(out, std::numeric_limits<std::uint64_t>::max());
  EXPECT_EQ(out, "18446744073709551615");

  out.clear();
  json_writer w(out);
  w.begin_array();
  w.quoted_int_value(-42);
  w.quoted_uint_value(std::numeric_limits<std::uint64_t>::max());
  w.end_array();
  w.finish();
  EXPECT_EQ(out, R"(["-42","18446744073709551615"])");
}

TEST(JsonWriter, DoublesAreShortestRoundTrip) {
  EXPECT_EQ(double_text(0.1), "0.1");
  EXPECT_EQ(double_text(1.5), "1.5");
  EXPECT_EQ(double_text(-2.0), "-2");
  EXPECT_EQ(double_text(1e300), "1e+300");
  for (double d : {0.1, 1.0 / 3.0, 6.02214076e23, 5e-324, std::numeric_limits<double>::max(), -123.456}) {
    const auto parsed = nlohmann::json::parse(double_text(d));
    EXPECT_EQ(parsed.get<double>(), d) << double_text(d);
  }
}

TEST(JsonWriter, NonFiniteDoublesAreProtobufJsonStrings) {
  EXPECT_EQ(double_text(std::numeric_limits<double>::quiet_NaN()), R"("NaN")");
  EXPECT_EQ(double_text(std::numeric_limits<double>::infinity()), R"("Infinity")");
  EXPECT_EQ(double_text(-std::numeric_limits<double>::infinity()), R"("-Infinity")");
}

TEST(JsonWriter, NestingAndSeparators) {
  std::string out = "prefix:";  // appends, never replaces
  json_writer w(out);
  w.begin_object();
  w.literal_key("a");
  w.int_value(1);
  w.key("b\"c");
  w.begin_array();
  w.bool_value(true);
  w.bool_value(false);
  w.null_value();
  w.begin_object();
  w.end_object();
  w.begin_array();
  w.end_array();
  w.double_value(2.5);
  w.end_array();
  w.literal_key("d");
  w.begin_object();
  w.literal_key("e");
  w.string_value("f");
  w.end_object();
  w.literal_key("g");
  w.begin_string();
  w.string_fragment("x");
  w.string_fragment("\"y\"");
  w.end_string();
  w.literal_key("h");
  w.raw_value("[1,2]");
  w.end_object();
  w.finish();
  EXPECT_EQ(w.size(), out.size());
  EXPECT_EQ(out, R"(prefix:{"a":1,"b\"c":[true,false,null,{},[],2.5],"d":{"e":"f"},"g":"x\"y\"","h":[1,2]})");

  const auto j = nlohmann::json::parse(out.substr(7));
  EXPECT_EQ(j["b\"c"][5], 2.5);
  EXPECT_EQ(j["g"], "x\"y\"");
}

TEST(JsonWriter, GrowsAcrossManyStepsAndTrimsOnFinish) {
  std::string out;
  std::string expected = "[";
  {
    json_writer w(out);
    w.begin_array();
    for (int i = 0; i < 100'000; ++i) {
      w.int_value(i);
      if (i != 0) expected += ',';
      expected += std::to_string(i);
    }
    w.string_value(std::string(100'000, 'x'));  // one piece larger than a growth step
    w.end_array();
    EXPECT_GE(out.size(), w.size());  // sized ahead while writing
    w.finish();
    EXPECT_EQ(out.size(), w.size());
    w.null_value();  // writing may continue after finish
  }                  // the destructor trims again
  expected += ",\"";
  expected.append(100'000, 'x');
  expected += "\"]";
  EXPECT_EQ(out, expected + ",null");
}

TEST(JsonWriter, ReusesTheStringsCapacity) {
  std::string out;
  out.reserve(256);
  const auto* data = out.data();
  for (int round = 0; round < 3; ++round) {
    out.clear();
    json_writer w(out);
    w.begin_object();
    w.literal_key("k");
    w.string_value("value with \"escapes\"\n");
    w.end_object();
  }
  EXPECT_EQ(out.data(), data);
  EXPECT_EQ(out, R"({"k":"value with \"escapes\"\n"})");
}

}  // namespace
}  // namespace tracebench::tracer
