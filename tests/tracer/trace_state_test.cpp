// trace_state: key/value grammar, parsing, immutable updates, truncation.
#include "tracebench/tracer/trace_state.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace tracebench::tracer {
namespace {

struct grammar_case {
  std::string text;
  bool valid;
};
void PrintTo(const grammar_case& c, std::ostream* os) { *os << c.text; }

class KeyGrammar : public ::testing::TestWithParam<grammar_case> {};
TEST_P(KeyGrammar, MatchesLevel2) { EXPECT_EQ(trace_state::valid_key(GetParam().text), GetParam().valid); }
INSTANTIATE_TEST_SUITE_P(
    TraceState, KeyGrammar,
    ::testing::Values(
        grammar_case{"a", true}, grammar_case{"rojo", true}, grammar_case{"a0_-*/", true},
        grammar_case{std::string("z").append(255, '9'), true}, grammar_case{std::string("z").append(256, '9'), false},
        grammar_case{"", false}, grammar_case{"0abc", false}, grammar_case{"_a", false}, grammar_case{"Abc", false},
        grammar_case{"aBc", false}, grammar_case{"a.b", false}, grammar_case{"a b", false}, grammar_case{"a=b", false},
        grammar_case{"t@v", true}, grammar_case{"0@v", true}, grammar_case{"_t@v", false}, grammar_case{"t@0v", false},
        grammar_case{"t@", false}, grammar_case{"@v", false}, grammar_case{"t@v@w", false},
        grammar_case{std::string(241, '7') + "@v", true}, grammar_case{std::string(242, '7') + "@v", false},
        grammar_case{std::string("t@v").append(13, '_'), true}, grammar_case{std::string("t@v").append(14, '_'), false},
        grammar_case{"t@V", false}, grammar_case{std::string("a\0b", 3), false}));

class ValueGrammar : public ::testing::TestWithParam<grammar_case> {};
TEST_P(ValueGrammar, MatchesLevel2) { EXPECT_EQ(trace_state::valid_value(GetParam().text), GetParam().valid); }
INSTANTIATE_TEST_SUITE_P(TraceState, ValueGrammar,
                         ::testing::Values(grammar_case{"x", true}, grammar_case{" x", true}, grammar_case{"x y", true},
                                           grammar_case{"x ", false}, grammar_case{"", false}, grammar_case{" ", false},
                                           grammar_case{"a,b", false}, grammar_case{"a=b", false},
                                           grammar_case{"a\tb", false}, grammar_case{"\x7f", false},
                                           grammar_case{"~!", true}, grammar_case{std::string(256, 'v'), true},
                                           grammar_case{std::string(257, 'v'), false},
                                           grammar_case{"caf\xc3\xa9", false}));

TEST(TraceState, ParseKeepsOrderAndValues) {
  const auto s = trace_state::parse("b=2, a=1");
  ASSERT_TRUE(s);
  ASSERT_EQ(s->size(), 2u);
  EXPECT_EQ(s->members()[0].key, "b");
  EXPECT_EQ(s->members()[1].value, "1");
  EXPECT_EQ(s->get("a"), "1");
  EXPECT_EQ(s->get("missing"), "");
}

TEST(TraceState, ParseEmptyAndWhitespaceGivesEmptyState) {
  for (const char* h : {"", " ", ",", " , \t, "}) {
    const auto s = trace_state::parse(h);
    ASSERT_TRUE(s) << h;
    EXPECT_TRUE(s->empty());
    EXPECT_EQ(*s, trace_state{});
  }
}

TEST(TraceState, WithMovesTheMemberToTheFront) {
  const auto s = *trace_state::parse("a=1,b=2,c=3");
  const auto t = s.with("b", "9");
  ASSERT_EQ(t.size(), 3u);
  EXPECT_EQ(t.to_header(), "b=9,a=1,c=3");
  EXPECT_EQ(s.to_header(), "a=1,b=2,c=3");  // the original is immutable
  EXPECT_EQ(s.with("d", "4").to_header(), "d=4,a=1,b=2,c=3");
}

TEST(TraceState, WithInvalidInputIsUnchanged) {
  const auto s = *trace_state::parse("a=1");
  EXPECT_EQ(s.with("Bad", "1"), s);
  EXPECT_EQ(s.with("ok", "bad,value"), s);
  EXPECT_EQ(s.with("ok", ""), s);
}

TEST(TraceState, WithDropsTheLastMemberPast32) {
  std::string h;
  for (int i = 0; i < 32; ++i) {
    if (i > 0) h += ',';
    h += 'k';
    h += std::to_string(i);
    h += "=1";
  }
  const auto s = *trace_state::parse(h);
  const auto t = s.with("new", "x");
  ASSERT_EQ(t.size(), 32u);
  EXPECT_EQ(t.members()[0].key, "new");
  EXPECT_EQ(t.members()[31].key, "k30");
  EXPECT_EQ(t.get("k31"), "");
  // Updating an existing key at the limit keeps everyone else.
  const auto u = s.with("k31", "y");
  ASSERT_EQ(u.size(), 32u);
  EXPECT_EQ(u.members()[0].key, "k31");
  EXPECT_EQ(u.members()[31].key, "k30");
}

TEST(TraceState, WithoutRemovesOnlyThatKey) {
  const auto s = *trace_state::parse("a=1,b=2,c=3");
  EXPECT_EQ(s.without("b").to_header(), "a=1,c=3");
  EXPECT_EQ(s.without("zz"), s);
  EXPECT_TRUE(trace_state{}.with("a", "1").without("a").empty());
}

TEST(TraceState, CopiesShareAndCompareByContent) {
  const auto a = *trace_state::parse("a=1,b=2");
  const auto b = *trace_state::parse(" a=1 ,b=2,");
  const trace_state c = a;  // NOLINT: copy on purpose
  EXPECT_EQ(a, b);
  EXPECT_EQ(a, c);
  EXPECT_EQ(a.members().data(), c.members().data());
  EXPECT_FALSE(a == *trace_state::parse("b=2,a=1"));
}

TEST(TraceState, ToHeaderNeverExceeds512AndKeepsWholeMembers) {
  // Randomised-but-deterministic member lengths: the output must be a sub-list of the
  // input in order, at most 512 long, and keep every short member when only long ones
  // need to go.
  std::uint32_t seed = 12345;
  for (int round = 0; round < 200; ++round) {
    std::string h;
    std::vector<std::string> raw;
    const int count = 1 + static_cast<int>(seed % 32);
    for (int i = 0; i < count; ++i) {
      seed = seed * 1103515245u + 12345u;
      const std::size_t len = 1 + (seed >> 8) % 256;
      std::string m = "k";
      m += std::to_string(i);
      m += '=';
      m.append(len, 'v');
      if (!h.empty()) h += ',';
      h += m;
      raw.push_back(m);
    }
    const auto s = trace_state::parse(h);
    ASSERT_TRUE(s);
    const std::string out = s->to_header();
    ASSERT_LE(out.size(), trace_state::kMaxHeaderLength);
    if (h.size() <= trace_state::kMaxHeaderLength) {
      EXPECT_EQ(out, h);
    }
    // every output member is an input member, in order
    std::size_t next = 0;
    std::size_t pos = 0;
    while (pos < out.size()) {
      std::size_t comma = out.find(',', pos);
      if (comma == std::string::npos) comma = out.size();
      const std::string member = out.substr(pos, comma - pos);
      while (next < raw.size() && raw[next] != member) ++next;
      ASSERT_LT(next, raw.size()) << "member not from input: " << member;
      ++next;
      pos = comma + 1;
    }
  }
}

}  // namespace
}  // namespace tracebench::tracer
