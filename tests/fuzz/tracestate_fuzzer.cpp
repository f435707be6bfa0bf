// libFuzzer entry for the tracestate parser; the checks live in fuzz_targets.cpp.
#include <cstddef>
#include <cstdint>

#include "fuzz_targets.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return tracebench::fuzz::fuzz_tracestate(data, size);
}
