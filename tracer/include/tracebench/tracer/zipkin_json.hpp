#pragma once
// Zipkin v2 JSON encoding (the /api/v2/spans body), mapped as OpenTelemetry's Zipkin
// exporter specification says: microsecond times, kind names, every tag a string.

#include <span>
#include <string>
#include <string_view>

#include "tracebench/tracer/span_data.hpp"

namespace tracebench::tracer {

// localEndpoint.serviceName for spans without an owner resource (OpenTelemetry's default).
inline constexpr std::string_view kUnknownServiceName = "unknown_service";

// Appends one Zipkin span object. traceId is always 32 hex digits; kind is omitted for
// internal spans; duration is at least 1 us. Tags hold the attributes stringified, then
// otel.status_code ("OK"/"ERROR") and, on error, "error" with the status message (or
// "true" when there is none), then otel.dropped_{attributes,events,links}_count when
// nonzero. Events become annotations: the event name, or `"name":{attributes}` when the
// event has attributes, since Zipkin annotations carry no attributes of their own.
// Links and tracestate have no Zipkin field and are not written.
void append_zipkin_json_span(std::string& out, const span_data& span);

// Appends the batch as one JSON array of spans. Every pointer must be non-null.
void append_zipkin_json(std::string& out, std::span<const span_data* const> batch);

[[nodiscard]] std::string to_zipkin_json(std::span<const span_data* const> batch);

}  // namespace tracebench::tracer
