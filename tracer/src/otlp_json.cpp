#include "tracebench/tracer/otlp_json.hpp"

#include "tracebench/tracer/json_writer.hpp"

namespace tracebench::tracer {
namespace {

// fixed64 on the wire: a time before the epoch is a recording bug, written as 0 rather
// than as a negative number no OTLP reader would accept.
void write_time(json_writer& w, std::int64_t unix_nanos) {
  w.quoted_uint_value(unix_nanos > 0 ? static_cast<std::uint64_t>(unix_nanos) : 0U);
}

// Joins the members directly when they fit in a header, which is when to_header() would
// return them all unchanged; only an oversized list pays for to_header()'s string.
void write_trace_state(json_writer& w, const trace_state& state) {
  if (state.empty()) return;
  w.literal_key("traceState");
  const auto members = state.members();
  std::size_t length = members.size() - 1;  // the commas
  for (const auto& m : members) length += m.key.size() + 1 + m.value.size();
  if (length > trace_state::kMaxHeaderLength) {
    w.string_value(state.to_header());
    return;
  }
  w.begin_string();
  bool first = true;
  for (const auto& m : members) {
    if (!first) w.string_fragment(",");
    first = false;
    w.string_fragment(m.key);
    w.string_fragment("=");
    w.string_fragment(m.value);
  }
  w.end_string();
}

void write_any_value(json_writer& w, const attribute& a) {
  w.begin_object();
  switch (a.type) {
    case attribute_type::string:
      w.literal_key("stringValue");
      w.string_value(a.str);
      break;
    case attribute_type::int64:
      w.literal_key("intValue");
      w.quoted_int_value(a.i);
      break;
    case attribute_type::float64:
      w.literal_key("doubleValue");
      w.double_value(a.d);
      break;
    case attribute_type::boolean:
      w.literal_key("boolValue");
      w.bool_value(a.b);
      break;
  }
  w.end_object();
}

// "attributes" and "droppedAttributesCount" as members of the enclosing object.
void write_attributes(json_writer& w, const attribute_list& attributes) {
  if (!attributes.empty()) {
    w.literal_key("attributes");
    w.begin_array();
    for (const attribute& a : attributes) {
      w.begin_object();
      w.literal_key("key");
      w.string_value(a.key);
      w.literal_key("value");
      write_any_value(w, a);
      w.end_object();
    }
    w.end_array();
  }
  if (attributes.dropped() > 0) {
    w.literal_key("droppedAttributesCount");
    w.uint_value(attributes.dropped());
  }
}

void write_span(json_writer& w, const span_data& span) {
  w.begin_object();
  w.literal_key("traceId");
  w.id_value(span.context.trace);
  w.literal_key("spanId");
  w.id_value(span.context.span);
  write_trace_state(w, span.context.state);
  std::uint32_t flags = span.context.flags;
  if (span.parent.valid()) {
    w.literal_key("parentSpanId");
    w.id_value(span.parent);
    flags |= kSpanFlagsContextHasIsRemote | (span.parent_remote ? kSpanFlagsContextIsRemote : 0U);
  }
  if (flags != 0) {
    w.literal_key("flags");
    w.uint_value(flags);
  }
  w.literal_key("name");
  w.string_value(span.name);
  w.literal_key("kind");
  w.uint_value(static_cast<std::uint8_t>(span.kind));
  w.literal_key("startTimeUnixNano");
  write_time(w, span.start_unix_nanos);
  w.literal_key("endTimeUnixNano");
  write_time(w, span.end_unix_nanos);
  write_attributes(w, span.attributes);

  if (span.event_count() > 0) {
    w.literal_key("events");
    w.begin_array();
    for (std::size_t i = 0; i < span.event_count(); ++i) {
      const event_data& e = span.event(i);
      w.begin_object();
      w.literal_key("timeUnixNano");
      write_time(w, e.time_unix_nanos);
      w.literal_key("name");
      w.string_value(e.name);
      write_attributes(w, e.attributes);
      w.end_object();
    }
    w.end_array();
  }
  if (span.dropped_events() > 0) {
    w.literal_key("droppedEventsCount");
    w.uint_value(span.dropped_events());
  }

  if (span.link_count() > 0) {
    w.literal_key("links");
    w.begin_array();
    for (std::size_t i = 0; i < span.link_count(); ++i) {
      const link_data& l = span.link(i);
      w.begin_object();
      w.literal_key("traceId");
      w.id_value(l.context.trace);
      w.literal_key("spanId");
      w.id_value(l.context.span);
      write_trace_state(w, l.context.state);
      write_attributes(w, l.attributes);
      w.literal_key("flags");
      w.uint_value(l.context.flags | kSpanFlagsContextHasIsRemote |
                   (l.context.remote ? kSpanFlagsContextIsRemote : 0U));
      w.end_object();
    }
    w.end_array();
  }
  if (span.dropped_links() > 0) {
    w.literal_key("droppedLinksCount");
    w.uint_value(span.dropped_links());
  }

  if (span.status != status_code::unset || !span.status_message.empty()) {
    w.literal_key("status");
    w.begin_object();
    if (!span.status_message.empty()) {
      w.literal_key("message");
      w.string_value(span.status_message);
    }
    w.literal_key("code");
    w.uint_value(static_cast<std::uint8_t>(span.status));
    w.end_object();
  }
  w.end_object();
}

// Whether an earlier span of the batch has the same owner. Batches nearly always come from
// one tracer, so the scan stops at the previous span; no grouping table is needed.
bool seen_before(std::span<const span_data* const> batch, std::size_t i, const resource* owner) {
  while (i > 0) {
    if (batch[--i]->owner == owner) return true;
  }
  return false;
}

}  // namespace

void append_otlp_json_span(std::string& out, const span_data& span) {
  json_writer w(out);
  write_span(w, span);
}

void append_otlp_json_request(std::string& out, std::span<const span_data* const> batch) {
  json_writer w(out);
  w.begin_object();
  w.literal_key("resourceSpans");
  w.begin_array();
  for (std::size_t i = 0; i < batch.size(); ++i) {
    const resource* owner = batch[i]->owner;
    if (seen_before(batch, i, owner)) continue;
    w.begin_object();
    w.literal_key("resource");
    w.begin_object();
    if (owner != nullptr) write_attributes(w, owner->attributes());
    w.end_object();
    w.literal_key("scopeSpans");
    w.begin_array();
    w.begin_object();
    w.literal_key("scope");
    w.begin_object();
    w.literal_key("name");
    w.string_value(kScopeName);
    w.literal_key("version");
    w.string_value(kScopeVersion);
    w.end_object();
    w.literal_key("spans");
    w.begin_array();
    for (std::size_t j = i; j < batch.size(); ++j) {
      if (batch[j]->owner == owner) write_span(w, *batch[j]);
    }
    w.end_array();
    w.end_object();
    w.end_array();
    w.end_object();
  }
  w.end_array();
  w.end_object();
}

std::string to_otlp_json(std::span<const span_data* const> batch) {
  std::string out;
  append_otlp_json_request(out, batch);
  return out;
}

std::size_t otlp_json_size(std::span<const span_data* const> batch, std::string& scratch) {
  scratch.clear();
  append_otlp_json_request(scratch, batch);
  return scratch.size();
}

}  // namespace tracebench::tracer
