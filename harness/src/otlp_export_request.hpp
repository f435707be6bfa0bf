#pragma once
// What `tracebench collect` accepts as an OTLP/HTTP JSON trace export: the structure of an
// ExportTraceServiceRequest down to each span's ids, times and kind, checked so that every
// accepted line is one `tracebench analyze` can read.

#include <cstddef>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string_view>

namespace tracebench::harness {

// A body that is JSON but not an export request; what() names the field, e.g.
// "resourceSpans[0].scopeSpans[1].spans[2].traceId is not 32 hex digits".
class export_request_error : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

// JSON nested deeper than this is refused before it is parsed.
inline constexpr int kMaxJsonDepth = 64;  // OTLP needs ~10; attribute values may nest a little

// True when `text` nests deeper than `limit`, found without parsing (brackets outside strings):
// nlohmann builds and serialises recursively, so a deep body would overflow the stack.
[[nodiscard]] bool nested_deeper_than(std::string_view text, int limit) noexcept;

// Checks `request` and returns how many spans it holds; throws export_request_error. Fields
// protobuf JSON may omit for holding their default (empty scopeSpans and spans, a span's name,
// kind and times) are written in, so the request reads the same and analyze finds them all.
[[nodiscard]] std::size_t check_export_request(nlohmann::ordered_json& request);

}  // namespace tracebench::harness
