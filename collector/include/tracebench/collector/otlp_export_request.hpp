#pragma once
// What `tracebench collect` accepts as an OTLP/HTTP JSON trace export: the structure of an
// ExportTraceServiceRequest down to each span's ids, times and kind, checked so that every
// accepted line is one `tracebench analyze` can read.

#include <cstddef>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string_view>

namespace tracebench::collector {

// A body that is JSON but not an export request; what() names the field, e.g.
// "resourceSpans[0].scopeSpans[1].spans[2].traceId is not 32 hex digits".
class export_request_error : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

// Checks `request` and returns how many spans it holds; throws export_request_error. Fields
// protobuf JSON may omit for holding their default (empty scopeSpans and spans, a span's name,
// kind and times) are written in, so the request reads the same and analyze finds them all.
[[nodiscard]] std::size_t check_export_request(nlohmann::ordered_json& request);

}  // namespace tracebench::collector
