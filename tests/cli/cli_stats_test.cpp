// The real tracebench binary summarising numbers as scripts/bench-harness and
// scripts/bench-loopback feed it: the median in text, the summary in JSON, numbers from files and
// standard input alike, and a bad token or no numbers as one line on stderr with exit status 2.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "support/cli_fixture.hpp"

namespace {

using tracebench::testing_support::lines;
using tracebench::testing_support::quote;
using tracebench::testing_support::run_result;

class CliStats : public tracebench::testing_support::cli_fixture {
 protected:
  void expect_usage_error(const run_result& r, const std::string& problem) const {
    tracebench::testing_support::expect_usage_error(r, "stats", problem);
  }
};

TEST_F(CliStats, TextIsTheMedianAlone) {
  const run_result odd = run("stats " + quote(write("odd.txt", "3\n1\n2\n")));
  EXPECT_EQ(odd.exit_code, 0) << odd.err;
  EXPECT_EQ(odd.out, "2.0\n");
  // An even count: the mean of the two middle values, wherever the blanks and lines fall.
  const run_result even = run("stats " + quote(write("even.txt", "4 1\n 2.5e3   3\n\n")));
  EXPECT_EQ(even.exit_code, 0) << even.err;
  EXPECT_EQ(even.out, "3.5\n");
}

TEST_F(CliStats, JsonSummarisesFilesAndStandardInputTogether) {
  const run_result r =
      run("stats --format json " + quote(write("a.txt", "10 30")) + " - <" + quote(write("b.txt", "20 40 50\n")));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json summary = nlohmann::json::parse(r.out);
  EXPECT_EQ(summary["count"], 5);
  EXPECT_DOUBLE_EQ(summary["median"].get<double>(), 30.0);
  EXPECT_DOUBLE_EQ(summary["min"].get<double>(), 10.0);
  EXPECT_DOUBLE_EQ(summary["max"].get<double>(), 50.0);
  // Five values cannot reach 95%: [min, max] with its own coverage, 1 - 2 / 2^5.
  EXPECT_DOUBLE_EQ(summary["low"].get<double>(), 10.0);
  EXPECT_DOUBLE_EQ(summary["high"].get<double>(), 50.0);
  EXPECT_DOUBLE_EQ(summary["achieved_level"].get<double>(), 0.9375);
}

TEST_F(CliStats, BadInputIsOneLineUsageError) {
  expect_usage_error(run("stats " + quote(write("bad.txt", "1\n2 fast\n"))), "bad.txt:2: \"fast\" is not a number");
  expect_usage_error(run("stats " + quote(write("nan.txt", "nan\n"))), "\"nan\" is not a number");
  expect_usage_error(run("stats " + quote(dir_ / "none.txt")), "none.txt: cannot open the file");
  expect_usage_error(run("stats " + quote(write("empty.txt", "\n"))), "no numbers in the input files");
  expect_usage_error(run("stats </dev/null"), "no numbers in standard input");
  expect_usage_error(run("stats --format csv </dev/null"), "--format: expected text or json");
}

}  // namespace
