#pragma once
// A run that sampled every span leaves glibc's malloc arenas holding tens of MB of freed span
// records, fragmented across the threads that allocated and freed them. Runs after it in the same
// process were measured 25-37% slower (web-search: off at 3,776 req/s before the first 1/1 run,
// 2,384-2,832 after it; 3,313-3,632 when the memory is handed back). Handing it back before each
// run puts every run on a compact heap, so one configuration's garbage is not the next one's cost.

namespace tracebench::harness {

// malloc_trim(0) where the C library has it (glibc); nothing elsewhere.
void release_free_heap() noexcept;

}  // namespace tracebench::harness
