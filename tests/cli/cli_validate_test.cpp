// The real tracebench binary: validate and list as a user runs them, exit codes included.

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <vector>
#include "support/cli_fixture.hpp"

namespace fs = std::filesystem;
using tracebench::testing_support::run_result;

namespace {

const std::string kScenarios = TRACEBENCH_SOURCE_DIR "/scenarios";

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

class Cli : public tracebench::testing_support::cli_fixture {};

}  // namespace

TEST_F(Cli, ValidateGoodFilePrintsSummary) {
  const run_result r = run("validate " + kScenarios + "/checkout.json");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  const std::vector<std::string> out = lines(r.out);
  ASSERT_GE(out.size(), 8u) << r.out;
  EXPECT_EQ(out[0], kScenarios + "/checkout.json: ok, scenario checkout");
  EXPECT_NE(r.out.find("  services          7 (entry gateway)\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("  depth             4\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("  spans/request     13 in 1 trace\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("  cpu/request       1.37 ms (mean busy work, summed over services)\n"), std::string::npos);
  EXPECT_NE(r.out.find("  wait/request      122 ms (mean timer waits, summed over services)\n"), std::string::npos);
  EXPECT_NE(r.out.find("  latency           120 ms (critical path estimate; bank-api 87.0 ms of it, 72%)\n"),
            std::string::npos)
      << r.out;
}

TEST_F(Cli, ValidateAcceptsAShippedScenarioByName) {
  const run_result r = run("validate broken-propagation web-search");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find(kScenarios + "/broken-propagation.json: ok"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("  spans/request     13 in 2 traces\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("  spans/request     73 in 1 trace\n"), std::string::npos) << r.out;
}

TEST_F(Cli, ValidatePerServiceAddsATable) {
  const run_result r = run("validate --per-service checkout");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("  bank-api                     1          1    50.0 us    87.0 ms            87.0 ms\n"),
            std::string::npos)
      << r.out;
}

TEST_F(Cli, ValidateBadFileGivesOneLinePerErrorAndExits2) {
  const fs::path bad = write("bad.json", R"({"name": "checkout", "entry": "gateway", "services": {
      "gateway": {"calls": [{"to": "payments"}]},
      "payments": {"calls": [{"to": "ledger"}, {"to": "bank"}], "cpu_us": -3},
      "ledger": {}}})");
  const run_result r = run("validate '" + bad.string() + "'");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(lines(r.err), (std::vector<std::string>{bad.string() + ": services.payments.cpu_us: negative duration -3",
                                                    bad.string() + ": services.payments.calls[1].to: unknown service "
                                                                   "\"bank\""}));
}

TEST_F(Cli, ValidateReportsGoodAndBadFilesAndExits2IfAnyIsBad) {
  const fs::path bad = write("broken.json", "{\"name\": \"x\",\n}");
  const run_result r = run("validate checkout '" + bad.string() + "' web-search");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, bad.string() +
                       ": line 2, column 1: invalid JSON: syntax error while parsing object key - "
                       "unexpected '}'; expected string literal\n");
  EXPECT_NE(r.out.find("scenario checkout"), std::string::npos);
  EXPECT_NE(r.out.find("scenario web-search"), std::string::npos);
}

TEST_F(Cli, ValidateMissingFile) {
  const run_result r = run("validate /nonexistent/x.json");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "tracebench: cannot read /nonexistent/x.json: No such file or directory\n");
}

TEST_F(Cli, UsageErrorsAreOneLineAndExit2) {
  run_result r = run("validate --frobnicate checkout");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "tracebench validate: unrecognised option '--frobnicate' (try 'tracebench validate --help')\n");
  r = run("--frobnicate");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "tracebench: unrecognised option '--frobnicate' (try 'tracebench --help')\n");
  r = run("frobnicate");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "tracebench: unknown command 'frobnicate' (try 'tracebench --help')\n");
  r = run("");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "tracebench: no command given (try 'tracebench --help')\n");
  r = run("validate");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "tracebench validate: no scenario file given (try 'tracebench validate --help')\n");
  r = run("list extra");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(lines(r.err).size(), 1u) << r.err;
}

TEST_F(Cli, HelpAndVersion) {
  run_result r = run("--help");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("usage: tracebench"), std::string::npos);
  EXPECT_NE(r.out.find("  validate"), std::string::npos);
  EXPECT_NE(r.out.find("  list"), std::string::npos);
  EXPECT_NE(r.out.find("examples:\n  tracebench list\n"), std::string::npos) << r.out;
  r = run("validate --help");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("usage: tracebench validate [--per-service] FILE..."), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("--per-service"), std::string::npos);
  r = run("--version");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out.rfind("tracebench ", 0), 0u) << r.out;
}

TEST_F(Cli, ListShowsAllNineShippedScenarios) {
  const run_result r = run("list");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  const std::vector<std::string> out = lines(r.out);
  ASSERT_EQ(out.size(), 11u) << r.out;  // header, nine scenarios, where they came from
  EXPECT_EQ(out[0].rfind("scenario ", 0), 0u);
  const std::vector<std::string> names = {"add-to-cart",        "async-queue",   "batch-consumer",
                                          "broken-propagation", "checkout",      "clock-skew",
                                          "order-fanout",       "rare-failures", "web-search"};
  for (std::size_t i = 0; i < names.size(); ++i) EXPECT_EQ(out[i + 1].rfind(names[i] + " ", 0), 0u) << out[i + 1];
  EXPECT_NE(r.out.find("web-search                  9     3        73  "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("checkout                    7     4        13  "), std::string::npos) << r.out;
}

TEST_F(Cli, ListHonoursTheEnvironmentOverride) {
  write("solo.json", R"({"name": "solo", "description": "one service", "entry": "a", "services": {"a": {}}})");
  const run_result r = run("list", "TRACEBENCH_SCENARIOS='" + dir_.string() + "'");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("solo                        1     1         1  one service\n"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("checkout"), std::string::npos);
  // A bare name now resolves in the override directory too.
  EXPECT_EQ(run("validate solo", "TRACEBENCH_SCENARIOS='" + dir_.string() + "'").exit_code, 0);
}

TEST_F(Cli, ListFlagsAnInvalidScenario) {
  write("good.json", R"({"name": "good", "entry": "a", "services": {"a": {}}})");
  write("bad.json", R"({"name": "bad"})");
  const run_result r = run("list", "TRACEBENCH_SCENARIOS='" + dir_.string() + "'");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.out.find("invalid: run tracebench validate"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("good "), std::string::npos);
}
