#include "tracebench/common/free_heap.hpp"

// Any C library header defines __GLIBC__ (through <features.h>); without one before the test
// below, it is undefined and malloc_trim is compiled out.
#include <cstddef>

#ifdef __GLIBC__
#include <malloc.h>
#endif

namespace tracebench::harness {

void release_free_heap() noexcept {
#ifdef __GLIBC__
  (void)malloc_trim(0);
#endif
}

}  // namespace tracebench::harness
