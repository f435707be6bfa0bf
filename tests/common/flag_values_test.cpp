// Flag values with units: what --max-time accepts, to the nanosecond, and the one-line error
// naming the flag and the text for the rest.

#include "tracebench/common/flag_values.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <string>

namespace tracebench::harness {
namespace {

using namespace std::chrono_literals;

TEST(TimeWithUnits, BareSecondsAndEachUnit) {
  EXPECT_EQ(parse_time_with_units("--max-time", "600"), 600s);
  EXPECT_EQ(parse_time_with_units("--max-time", "0.5"), 500ms);
  EXPECT_EQ(parse_time_with_units("--max-time", "90s"), 90s);
  EXPECT_EQ(parse_time_with_units("--max-time", "10m"), 10min);
  EXPECT_EQ(parse_time_with_units("--max-time", "2m"), 2min);  // not 2 more seconds from reading "2" alone
  EXPECT_EQ(parse_time_with_units("--max-time", "1h"), 1h);
  EXPECT_EQ(parse_time_with_units("--max-time", "1h30m"), 90min);
  EXPECT_EQ(parse_time_with_units("--max-time", "1m30s"), 90s);
  EXPECT_EQ(parse_time_with_units("--max-time", "1.5m"), 90s);
  EXPECT_EQ(parse_time_with_units("--max-time", " 10m "), 10min);
  EXPECT_EQ(parse_time_with_units("--max-time", "24h"), 24h);
}

TEST(TimeWithUnits, RejectsTheRestNamingFlagAndText) {
  for (const std::string text : {"", "0", "0s", "-5", "-5m", "10x", "m", "1h-5m", "2d", "25h", "1e3s", "10 m"}) {
    try {
      (void)parse_time_with_units("--max-time", text);
      ADD_FAILURE() << "accepted \"" << text << '"';
    } catch (const flag_error& e) {
      EXPECT_EQ(
          std::string(e.what()),
          "--max-time: expected a time above 0 up to a day, such as 600, 90s, 10m or 1h30m, not \"" + text + "\"");
    }
  }
}

}  // namespace
}  // namespace tracebench::harness
