#pragma once
// Text that came from a peer, made safe to log or to parse.

#include <string>
#include <string_view>

namespace tracebench::net {

// JSON nested deeper than this is refused before it is parsed.
inline constexpr int kMaxJsonDepth = 64;  // OTLP needs ~10; attribute values may nest a little

// True when `text` nests deeper than `limit`, found without parsing (brackets outside strings):
// nlohmann builds and serialises recursively, so a deep body would overflow the stack.
[[nodiscard]] bool nested_deeper_than(std::string_view text, int limit) noexcept;

// `text` with control characters made spaces: a peer's words on one log or body line.
[[nodiscard]] std::string one_line(std::string text);

}  // namespace tracebench::net
