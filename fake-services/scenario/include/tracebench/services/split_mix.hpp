#pragma once
// SplitMix64: a 64-bit generator seeded in one step. Every service invocation draws from its
// own, seeded from its caller's, so a request's draws repeat whatever the thread timing and
// seeding costs nothing on the hop (an mt19937_64 costs about a microsecond to seed).

#include <cstdint>
#include <limits>

namespace tracebench::services {

class split_mix {
 public:
  using result_type = std::uint64_t;
  explicit split_mix(std::uint64_t seed) noexcept : state_(seed) {}
  static constexpr result_type min() noexcept { return 0; }
  static constexpr result_type max() noexcept { return std::numeric_limits<result_type>::max(); }
  result_type operator()() noexcept {
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  // A uniform double in [0, 1).
  [[nodiscard]] double uniform01() noexcept { return static_cast<double>((*this)() >> 11) * 0x1.0p-53; }

 private:
  std::uint64_t state_;
};

// Mixes two words into a seed; used to derive a child's seed from (parent seed, ordinal).
[[nodiscard]] inline std::uint64_t mix_seed(std::uint64_t a, std::uint64_t b) noexcept {
  return split_mix(a ^ (b * 0xd1b54a32d192ed03ULL))();
}

}  // namespace tracebench::services
