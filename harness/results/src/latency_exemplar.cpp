#include "tracebench/results/latency_exemplar.hpp"

namespace tracebench::harness {

std::vector<std::int64_t> default_latency_bounds() {
  std::vector<std::int64_t> bounds;
  constexpr std::int64_t kFirstDecade = 100'000;   // 100 us
  constexpr std::int64_t kLast = 100'000'000'000;  // 100 s
  for (std::int64_t decade = kFirstDecade; decade < kLast; decade *= 10) {
    bounds.insert(bounds.end(), {decade, decade * 5 / 2, decade * 5});
  }
  bounds.push_back(kLast);
  return bounds;
}

}  // namespace tracebench::harness
