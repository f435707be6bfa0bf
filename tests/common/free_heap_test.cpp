// release_free_heap hands freed heap memory back to the system: the resident set shrinks.

#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "tracebench/common/free_heap.hpp"

namespace harness = tracebench::harness;

namespace {

// VmRSS in KiB; 0 where /proc/self/status cannot be read.
std::uint64_t resident_kib() {
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);) {
    if (line.starts_with("VmRSS:")) return std::stoull(line.substr(6));
  }
  return 0;
}

TEST(FreeHeap, FreedArenaMemoryLeavesTheResidentSet) {
#ifndef __GLIBC__
  GTEST_SKIP() << "only glibc's malloc keeps freed memory this way";
#endif
  if (resident_kib() == 0) GTEST_SKIP() << "no /proc/self/status";
  // Blocks under the mmap threshold, with small ones kept between them: freed, they stay in the
  // arena (as a sampled run's span records do) until trimmed.
  constexpr std::size_t kBlocks = 1024;
  constexpr std::size_t kBlockBytes = 32 * 1024;
  std::vector<std::unique_ptr<char[]>> blocks;
  std::vector<std::unique_ptr<std::uint64_t>> pins;
  blocks.reserve(kBlocks);
  pins.reserve(kBlocks);
  for (std::size_t i = 0; i < kBlocks; ++i) {
    blocks.emplace_back(new char[kBlockBytes]);
    std::memset(blocks.back().get(), 1, kBlockBytes);
    pins.emplace_back(new std::uint64_t(i));
  }
  blocks.clear();
  const std::uint64_t before = resident_kib();
  harness::release_free_heap();
  const std::uint64_t after = resident_kib();
  // 32 MiB were freed; at least half of it must leave.
  EXPECT_LT(after + 16 * 1024, before) << before << " KiB before, " << after << " KiB after";
}

}  // namespace
