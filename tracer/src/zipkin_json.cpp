#include "tracebench/tracer/zipkin_json.hpp"

#include <charconv>
#include <cmath>

#include "tracebench/tracer/json_writer.hpp"

namespace tracebench::tracer {
namespace {

constexpr std::string_view kStatusCodeTag = "otel.status_code";
constexpr std::string_view kErrorTag = "error";

std::int64_t micros(std::int64_t unix_nanos) noexcept { return unix_nanos / 1000; }

// Already quoted, so it is written as a raw value; empty for internal, which Zipkin omits.
std::string_view zipkin_kind(span_kind kind) noexcept {
  switch (kind) {
    case span_kind::server:
      return "\"SERVER\"";
    case span_kind::client:
      return "\"CLIENT\"";
    case span_kind::producer:
      return "\"PRODUCER\"";
    case span_kind::consumer:
      return "\"CONSUMER\"";
    case span_kind::internal:
      break;
  }
  return {};
}

// Writes the attribute's value as a tag string: Zipkin tags are a string-to-string map.
void write_stringified(json_writer& w, const attribute& a) {
  char buf[32];
  switch (a.type) {
    case attribute_type::string:
      w.string_value(a.str);
      return;
    case attribute_type::boolean:
      w.string_value(a.b ? "true" : "false");
      return;
    case attribute_type::int64: {
      const auto r = std::to_chars(buf, buf + sizeof buf, a.i);
      w.string_value(std::string_view(buf, static_cast<std::size_t>(r.ptr - buf)));
      return;
    }
    case attribute_type::float64: {
      if (std::isnan(a.d)) {
        w.string_value("NaN");
      } else if (std::isinf(a.d)) {
        w.string_value(a.d > 0 ? "Infinity" : "-Infinity");
      } else {
        const auto r = std::to_chars(buf, buf + sizeof buf, a.d);
        w.string_value(std::string_view(buf, static_cast<std::size_t>(r.ptr - buf)));
      }
      return;
    }
  }
}

void write_count_tag(json_writer& w, std::string_view key, std::uint32_t count) {
  if (count == 0) return;
  char buf[16];
  const auto r = std::to_chars(buf, buf + sizeof buf, count);
  w.literal_key(key);
  w.string_value(std::string_view(buf, static_cast<std::size_t>(r.ptr - buf)));
}

// The annotation value for an event with attributes: `"name":{"key":value,...}`, the form
// the OpenTelemetry Zipkin mapping gives, since Zipkin annotations have no attributes.
// Built in a per-thread buffer and then escaped once more as the annotation's string.
void write_event_value(json_writer& w, const event_data& e) {
  if (e.attributes.empty()) {
    w.string_value(e.name);
    return;
  }
  thread_local std::string scratch;
  scratch.clear();
  {
    json_writer inner(scratch);
    inner.key(e.name);
    inner.begin_object();
    for (const attribute& a : e.attributes) {
      inner.key(a.key);
      switch (a.type) {
        case attribute_type::string:
          inner.string_value(a.str);
          break;
        case attribute_type::int64:
          inner.int_value(a.i);
          break;
        case attribute_type::float64:
          inner.double_value(a.d);
          break;
        case attribute_type::boolean:
          inner.bool_value(a.b);
          break;
      }
    }
    inner.end_object();
  }  // the writer trims scratch on destruction
  w.string_value(scratch);
}

void write_span(json_writer& w, const span_data& span) {
  w.begin_object();
  w.literal_key("traceId");
  w.id_value(span.context.trace);
  if (span.parent.valid()) {
    w.literal_key("parentId");
    w.id_value(span.parent);
  }
  w.literal_key("id");
  w.id_value(span.context.span);
  if (const std::string_view kind = zipkin_kind(span.kind); !kind.empty()) {
    w.literal_key("kind");
    w.raw_value(kind);
  }
  w.literal_key("name");
  w.string_value(span.name);
  const std::int64_t start = micros(span.start_unix_nanos);
  const std::int64_t duration = micros(span.end_unix_nanos) - start;
  w.literal_key("timestamp");
  w.int_value(start);
  w.literal_key("duration");
  w.int_value(duration > 0 ? duration : 1);
  w.literal_key("localEndpoint");
  w.begin_object();
  w.literal_key("serviceName");
  w.string_value(span.owner != nullptr ? span.owner->service_name() : kUnknownServiceName);
  w.end_object();

  if (span.event_count() > 0) {
    w.literal_key("annotations");
    w.begin_array();
    for (std::size_t i = 0; i < span.event_count(); ++i) {
      const event_data& e = span.event(i);
      w.begin_object();
      w.literal_key("timestamp");
      w.int_value(micros(e.time_unix_nanos));
      w.literal_key("value");
      write_event_value(w, e);
      w.end_object();
    }
    w.end_array();
  }

  const bool has_status = span.status != status_code::unset;
  const bool is_error = span.status == status_code::error;
  if (!span.attributes.empty() || has_status || span.attributes.dropped() > 0 || span.dropped_events() > 0 ||
      span.dropped_links() > 0) {
    w.literal_key("tags");
    w.begin_object();
    for (const attribute& a : span.attributes) {
      // The status tags below take precedence over attributes of the same name, so the
      // map never has a key twice.
      if ((has_status && a.key == kStatusCodeTag) || (is_error && a.key == kErrorTag)) continue;
      w.key(a.key);
      write_stringified(w, a);
    }
    if (has_status) {
      w.literal_key(kStatusCodeTag);
      w.string_value(is_error ? "ERROR" : "OK");
    }
    if (is_error) {
      w.literal_key(kErrorTag);
      w.string_value(span.status_message.empty() ? std::string_view("true") : std::string_view(span.status_message));
    }
    write_count_tag(w, "otel.dropped_attributes_count", span.attributes.dropped());
    write_count_tag(w, "otel.dropped_events_count", span.dropped_events());
    write_count_tag(w, "otel.dropped_links_count", span.dropped_links());
    w.end_object();
  }
  w.end_object();
}

}  // namespace

void append_zipkin_json_span(std::string& out, const span_data& span) {
  json_writer w(out);
  write_span(w, span);
}

void append_zipkin_json(std::string& out, std::span<const span_data* const> batch) {
  json_writer w(out);
  w.begin_array();
  for (const span_data* span : batch) write_span(w, *span);
  w.end_array();
}

std::string to_zipkin_json(std::span<const span_data* const> batch) {
  std::string out;
  append_zipkin_json(out, batch);
  return out;
}

}  // namespace tracebench::tracer
