// header_list: case-insensitive lookup, duplicates kept and counted, set replaces all.
#include "tracebench/tracer/header_carrier.hpp"

#include <gtest/gtest.h>

#include <string>

namespace tracebench::tracer {
namespace {

struct iequals_case {
  std::string a;
  std::string b;
  bool equal;
};
void PrintTo(const iequals_case& c, std::ostream* os) { *os << '"' << c.a << "\" vs \"" << c.b << '"'; }

class IequalsTable : public ::testing::TestWithParam<iequals_case> {};
TEST_P(IequalsTable, AsciiCaseFoldingOnly) {
  EXPECT_EQ(iequals(GetParam().a, GetParam().b), GetParam().equal);
  EXPECT_EQ(iequals(GetParam().b, GetParam().a), GetParam().equal);
}
INSTANTIATE_TEST_SUITE_P(HeaderCarrier, IequalsTable,
                         ::testing::Values(iequals_case{"traceparent", "traceparent", true},
                                           iequals_case{"traceparent", "TraceParent", true},
                                           iequals_case{"X-B3-TraceId", "x-b3-traceid", true},
                                           iequals_case{"", "", true}, iequals_case{"a", "", false},
                                           iequals_case{"abc", "abd", false}, iequals_case{"abc", "abcd", false},
                                           iequals_case{"@", "`", false},  // 0x40/0x60 differ by 0x20
                                           iequals_case{"[", "{", false},
                                           iequals_case{"\xc3\x89", "\xc3\xa9", false},  // not Unicode folding
                                           iequals_case{"b3", "B3", true}));

TEST(HeaderList, GetIsCaseInsensitive) {
  const header_list h{{"TraceParent", "v1"}, {"other", "x"}};
  EXPECT_EQ(h.get("traceparent"), "v1");
  EXPECT_EQ(h.get("TRACEPARENT"), "v1");
  EXPECT_EQ(h.get("missing"), "");
}

TEST(HeaderList, GetAllCountsDuplicatesBeyondMax) {
  const header_list h{{"a", "1"}, {"B", "x"}, {"A", "2"}, {"a", "3"}};
  std::string_view out[2] = {"untouched", "untouched"};
  EXPECT_EQ(h.get_all("a", out, 2), 3u);
  EXPECT_EQ(out[0], "1");
  EXPECT_EQ(out[1], "2");
  std::string_view one = "untouched";
  EXPECT_EQ(h.get_all("a", &one, 0), 3u);
  EXPECT_EQ(one, "untouched");
  EXPECT_EQ(h.get_all("c", out, 2), 0u);
  EXPECT_EQ(h.get("a"), "1");  // the first of several
}

TEST(HeaderList, SetReplacesEveryValueInPlace) {
  header_list h{{"x", "0"}, {"A", "1"}, {"y", "0"}, {"a", "2"}};
  h.set("a", "new");
  ASSERT_EQ(h.fields().size(), 3u);
  EXPECT_EQ(h.fields()[1].second, "new");  // at the first occurrence's position
  std::string_view out[3];
  EXPECT_EQ(h.get_all("a", out, 3), 1u);
  h.set("z", "appended");
  EXPECT_EQ(h.fields().back().first, "z");
}

TEST(HeaderList, AddKeepsDuplicatesAndClearEmpties) {
  header_list h;
  h.add("k", "1");
  h.add("K", "2");
  std::string_view out[2];
  EXPECT_EQ(h.get_all("k", out, 2), 2u);
  EXPECT_EQ(out[1], "2");
  h.clear();
  EXPECT_TRUE(h.fields().empty());
}

}  // namespace
}  // namespace tracebench::tracer
