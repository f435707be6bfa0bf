#pragma once
// Counts heap allocations in the benchmark binary (it replaces operator new), so every
// benchmark can report allocations per operation next to its time.

#include <cstdint>

#include <benchmark/benchmark.h>

namespace tracebench::bench {

[[nodiscard]] std::uint64_t allocations() noexcept;

// Sets the "allocs/op" counter from the allocations seen since construction.
class alloc_scope {
 public:
  explicit alloc_scope(benchmark::State& state) noexcept : state_(state), start_(allocations()) {}
  ~alloc_scope() {
    const auto n = static_cast<double>(allocations() - start_);
    state_.counters["allocs/op"] = benchmark::Counter(n, benchmark::Counter::kAvgIterations);
  }
  alloc_scope(const alloc_scope&) = delete;
  alloc_scope& operator=(const alloc_scope&) = delete;

 private:
  benchmark::State& state_;
  std::uint64_t start_;
};

}  // namespace tracebench::bench
