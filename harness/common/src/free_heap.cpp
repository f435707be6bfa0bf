#include "tracebench/common/free_heap.hpp"

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
