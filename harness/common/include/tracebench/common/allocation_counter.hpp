#pragma once
// Counts C++ heap allocations: every call of the global operator new (plain, array, nothrow,
// aligned, in any combination), which is how the tracer, the service graph and the load
// generator allocate. malloc called directly (C libraries, glibc itself) is not counted, nor are
// frees. glibc has no malloc hooks any more, so the count comes from replacing the global
// operator new and operator delete; the replacements live in the same object file as
// allocations_so_far(), so any program that calls it (through the static library) gets them.
//
// Cheap and uncontended: each thread adds to a slot of its own (cache-line padded, given back
// when the thread exits) with a plain load and store, no locked instruction; a reader sums the
// slots. Past 256 live threads the rest share one slot with an atomic add.

#include <cstdint>

namespace tracebench::harness {

// operator new calls by every thread of the process since it started, threads that have exited
// included. Monotonic; the difference of two readings counts what happened between them.
[[nodiscard]] std::uint64_t allocations_so_far() noexcept;

}  // namespace tracebench::harness
