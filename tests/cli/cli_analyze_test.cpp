// The real tracebench binary analyses an exported span file: the report, and the one-line
// FILE:LINE error with exit status 2 for a malformed line.

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "support/cli_fixture.hpp"
#include "support/otlp_samples.hpp"

namespace fs = std::filesystem;
using tracebench::testing_support::run_result;

namespace {

using tracebench::testing_support::kTwoSpans;

class CliAnalyze : public tracebench::testing_support::cli_fixture {};

TEST_F(CliAnalyze, ReportsTheTraces) {
  const fs::path file = write("spans.otlp.jsonl", kTwoSpans + "\n");
  const run_result r = run("analyze '" + file.string() + "'");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  EXPECT_NE(r.out.find(file.string() + ": 2 spans in 1 trace\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("  roots             one per trace\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("  orphans           0 "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("  requests          1, 0 split across several trace ids\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("path     gateway POST /checkout > gateway PlaceOrder (client)\n"), std::string::npos) << r.out;
}

TEST_F(CliAnalyze, WritesJson) {
  const fs::path file = write("spans.otlp.jsonl", kTwoSpans + "\n");
  const run_result r = run("analyze --format json '" + file.string() + "'");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json doc = nlohmann::json::parse(r.out);
  EXPECT_EQ(doc["spans"], 2);
  EXPECT_EQ(doc["traces"], 1);
  EXPECT_EQ(doc["orphans"], 0);
  EXPECT_EQ(doc["slowest_traces"][0]["slowest"], "gateway PlaceOrder (client)");
}

TEST_F(CliAnalyze, MalformedLineNamesFileAndLine) {
  const fs::path file = write("bad.otlp.jsonl", kTwoSpans + "\n{\"resourceSpans\": [\n");
  const run_result r = run("analyze '" + file.string() + "'");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err.rfind("tracebench analyze: " + file.string() + ":2: invalid OTLP/JSON", 0), 0U) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1);
}

TEST_F(CliAnalyze, MissingFieldNamesIt) {
  const fs::path file = write("bad.otlp.jsonl", R"({"resourceSpans":[{"scopeSpans":[{"spans":[{"spanId":"x"}]}]}]})");
  const run_result r = run("analyze '" + file.string() + "'");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "tracebench analyze: " + file.string() + ":1: span has no \"traceId\"\n");
}

TEST_F(CliAnalyze, UsageErrors) {
  EXPECT_EQ(run("analyze").exit_code, 2);
  EXPECT_EQ(run("analyze --format xml x").exit_code, 2);
  const run_result missing = run("analyze '" + (dir_ / "none.jsonl").string() + "'");
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find("cannot read the file"), std::string::npos);
}

}  // namespace
