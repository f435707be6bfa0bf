#pragma once
// One entry point per parser, shared by the libFuzzer binaries (clang, sanitizers) and by
// fuzz_corpus_test (any compiler), which replays the committed corpus. Each runs the parser
// on the bytes and, for accepted input, checks round-trip invariants; a violation prints the
// failed check and calls __builtin_trap(). All return 0.

#include <cstddef>
#include <cstdint>

namespace tracebench::fuzz {

// First line: a traceparent value (parsed directly and through the propagator);
// the rest, when there is a '\n': a tracestate header beside it.
int fuzz_traceparent(const std::uint8_t* data, std::size_t size);
// The whole input as one tracestate value.
int fuzz_tracestate(const std::uint8_t* data, std::size_t size);
// The whole input as one baggage value.
int fuzz_baggage(const std::uint8_t* data, std::size_t size);
// Lines of "name:value" headers (a line without ':' is a `b3` value), extracted as B3 and
// by every propagator the factory knows.
int fuzz_b3(const std::uint8_t* data, std::size_t size);

}  // namespace tracebench::fuzz
