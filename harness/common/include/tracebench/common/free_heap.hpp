#pragma once
// A run that sampled every span leaves glibc's malloc arenas holding tens of MB of freed span
// records, fragmented across the threads that allocated and freed them; handing them back before
// each in-process run (--isolation none) puts it on a compact heap. It does not stop the slowdown
// of later runs in one process (web-search off: 3,536 req/s in round 1, 2,424-2,936 in rounds
// 8-10 with it), which is why each run gets a process of its own by default.

namespace tracebench::harness {

// malloc_trim(0) where the C library has it (glibc); nothing elsewhere.
void release_free_heap() noexcept;

}  // namespace tracebench::harness
