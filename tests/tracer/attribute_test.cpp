// Attribute storage: the short-text comparison the hot path relies on, and upsert rules.

#include "tracebench/tracer/attribute.hpp"

#include <gtest/gtest.h>

#include <string>

namespace tracebench::tracer {
namespace {

// same_text takes different paths below 4, 4-7, 8-16 and over 16 bytes: a difference at
// every position of every length up to 40 must be seen, and equal texts must match.
TEST(AttributeTest, SameTextSeesEveryDifferenceAtEveryLength) {
  for (std::size_t n = 0; n <= 40; ++n) {
    std::string a(n, 'x');
    for (std::size_t i = 0; i < n; ++i) a[i] = static_cast<char>('a' + i % 26);
    const std::string b = a;
    EXPECT_TRUE(same_text(a, b)) << "length " << n;
    for (std::size_t i = 0; i < n; ++i) {
      std::string c = a;
      c[i] = static_cast<char>(c[i] ^ 0x20);
      EXPECT_FALSE(same_text(a, c)) << "length " << n << ", difference at " << i;
    }
    EXPECT_FALSE(same_text(a, a + "y")) << "length " << n;
  }
}

TEST(AttributeTest, AssignTextCopiesOnlyWhenDifferent) {
  std::string to = "GET /api/cart/items";
  const char* before = to.data();
  assign_text(to, "GET /api/cart/items");
  EXPECT_EQ(to.data(), before);
  assign_text(to, "POST /api/cart");
  EXPECT_EQ(to, "POST /api/cart");
  assign_text(to, "");
  EXPECT_TRUE(to.empty());
}

TEST(AttributeTest, SetOverwritesSameKeyAndCountsWhatIsOverTheLimit) {
  attribute_list list;
  list.set_limit(2);
  list.set("a", 1);
  list.set("b", "x");
  list.set("a", 2.5);   // overwrite, not a new attribute
  list.set("c", true);  // over the limit
  list.set("", 7);      // empty keys are not allowed
  ASSERT_EQ(list.size(), 2U);
  EXPECT_EQ(list.dropped(), 1U);
  ASSERT_NE(list.find("a"), nullptr);
  EXPECT_EQ(list.find("a")->type, attribute_type::float64);
  EXPECT_DOUBLE_EQ(list.find("a")->d, 2.5);
  EXPECT_EQ(list.find("b")->str, "x");
  EXPECT_EQ(list.find("c"), nullptr);
}

}  // namespace
}  // namespace tracebench::tracer
