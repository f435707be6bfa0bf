// Replays the committed fuzz corpus through the fuzz entry points with the normal
// compiler, so regressions found by fuzzing stay fixed without clang or libFuzzer.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "fuzz_targets.hpp"

namespace tracebench::fuzz {
namespace {

struct target {
  const char* name;
  int (*run)(const std::uint8_t*, std::size_t);
};
void PrintTo(const target& t, std::ostream* os) { *os << t.name; }

// A corpus this small means the directory moved or was emptied, not that all is well.
constexpr std::size_t kMinCorpusFiles = 12;

class Corpus : public ::testing::TestWithParam<target> {};

TEST_P(Corpus, EveryCommittedInputKeepsItsInvariants) {
  const std::filesystem::path dir =
      std::filesystem::path(TRACEBENCH_SOURCE_DIR) / "tests/fuzz/corpus" / GetParam().name;
  ASSERT_TRUE(std::filesystem::is_directory(dir)) << dir;
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.is_regular_file()) files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  EXPECT_GE(files.size(), kMinCorpusFiles) << dir;
  for (const auto& file : files) {
    std::ifstream in(file, std::ios::binary);
    ASSERT_TRUE(in) << file;
    const std::vector<char> bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    SCOPED_TRACE(file.string());
    // An empty vector's data() may be null; the entry points take (nullptr, 0) like libFuzzer.
    EXPECT_EQ(GetParam().run(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()), 0);
  }
}

INSTANTIATE_TEST_SUITE_P(Fuzz, Corpus,
                         ::testing::Values(target{"traceparent", fuzz_traceparent},
                                           target{"tracestate", fuzz_tracestate}, target{"baggage", fuzz_baggage},
                                           target{"b3", fuzz_b3}),
                         [](const auto& p) { return std::string(p.param.name); });

// Inputs no corpus file needs to spell out: empty and NUL-only input for every target.
TEST(Fuzz, DegenerateInputs) {
  const std::uint8_t zeros[64] = {};
  for (auto run : {fuzz_traceparent, fuzz_tracestate, fuzz_baggage, fuzz_b3}) {
    EXPECT_EQ(run(nullptr, 0), 0);
    EXPECT_EQ(run(zeros, sizeof zeros), 0);
  }
}

}  // namespace
}  // namespace tracebench::fuzz
