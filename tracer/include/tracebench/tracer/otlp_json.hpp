#pragma once
// OTLP/JSON encoding (the protobuf JSON mapping of opentelemetry-proto's trace messages):
// ids as lowercase hex, 64-bit integers and nanosecond times as decimal strings, enums as
// numbers, empty and zero fields omitted as protobuf JSON does.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "tracebench/tracer/span_data.hpp"

namespace tracebench::tracer {

// The InstrumentationScope every span is reported under.
inline constexpr std::string_view kScopeName = "tracebench";
inline constexpr std::string_view kScopeVersion = "0.1.0";

// Span.flags and Span.Link.flags (OTLP 1.1): the low byte is the W3C trace flags; bit 8
// says whether bit 9 is meaningful, bit 9 that the parent (or linked) context is remote.
// Spans set them only when they have a parent; links always know, so they always do.
inline constexpr std::uint32_t kSpanFlagsContextHasIsRemote = 0x100;
inline constexpr std::uint32_t kSpanFlagsContextIsRemote = 0x200;

// Appends one Span message as a JSON object. This is the per-span hot path: it writes
// straight into `out` with no temporaries, so reuse `out` (clear() keeps its capacity).
void append_otlp_json_span(std::string& out, const span_data& span);

// Appends one ExportTraceServiceRequest holding the batch: one resourceSpans per distinct
// `owner` resource in first-seen order (spans with no owner share one empty resource),
// each with a single scopeSpans for kScopeName. Every pointer must be non-null.
void append_otlp_json_request(std::string& out, std::span<const span_data* const> batch);

[[nodiscard]] std::string to_otlp_json(std::span<const span_data* const> batch);

// Size in bytes of the batch's request: encodes into `scratch` (cleared first, capacity
// kept) because measuring the real encoding is the point of the null exporter.
[[nodiscard]] std::size_t otlp_json_size(std::span<const span_data* const> batch, std::string& scratch);

}  // namespace tracebench::tracer
