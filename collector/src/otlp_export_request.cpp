#include "tracebench/collector/otlp_export_request.hpp"

#include <algorithm>
#include <cstdint>
#include <string>

namespace tracebench::collector {

namespace {

using ordered_json = nlohmann::ordered_json;

bool is_hex_id(const ordered_json& value, std::size_t digits) {
  if (!value.is_string()) return false;
  const std::string& s = value.get_ref<const std::string&>();
  return s.size() == digits && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
         });
}

// Protobuf JSON may omit an empty repeated field; `tracebench analyze` expects scopeSpans and
// spans to be there, so an absent one is written out as [].
ordered_json& array_member(ordered_json& object, const char* key, const std::string& at) {
  ordered_json& value = object[key];
  if (value.is_null()) value = ordered_json::array();
  if (!value.is_array()) throw export_request_error(at + "." + key + " is not an array");
  return value;
}

void check_attributes(const ordered_json& owner, const std::string& at) {
  const auto it = owner.find("attributes");
  if (it == owner.end() || it->is_null()) return;
  if (!it->is_array()) throw export_request_error(at + ".attributes is not an array");
  for (const ordered_json& a : *it) {
    if (!a.is_object() || !a.contains("key") || !a["key"].is_string()) {
      throw export_request_error(at + ".attributes has an entry without a string \"key\"");
    }
  }
}

bool is_time(const ordered_json& value) {
  if (value.is_number_unsigned()) return true;
  if (!value.is_string()) return false;
  const std::string& s = value.get_ref<const std::string&>();
  return !s.empty() && s.size() <= 20 && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Protobuf JSON omits fields that hold their default; the span's are written out explicitly (as
// absent they mean exactly that), since `tracebench analyze` reads every one of them.
void check_span(ordered_json& span, const std::string& at) {
  if (!span.is_object()) throw export_request_error(at + " is not an object");
  if (!is_hex_id(span.value("traceId", ordered_json()), 32))
    throw export_request_error(at + ".traceId is not 32 hex digits");
  if (!is_hex_id(span.value("spanId", ordered_json()), 16))
    throw export_request_error(at + ".spanId is not 16 hex digits");
  if (const auto parent = span.find("parentSpanId");
      parent != span.end() && !(parent->is_string() && parent->get_ref<const std::string&>().empty()) &&
      !is_hex_id(*parent, 16)) {
    throw export_request_error(at + ".parentSpanId is not 16 hex digits");
  }
  ordered_json& name = span["name"];
  if (name.is_null()) name = "";
  if (!name.is_string()) throw export_request_error(at + ".name is not a string");
  ordered_json& kind = span["kind"];
  if (kind.is_null()) kind = std::uint64_t{0};
  if (!kind.is_number_unsigned() || kind.get<std::uint64_t>() > 5)
    throw export_request_error(at + ".kind is not 0 to 5");
  for (const char* key : {"startTimeUnixNano", "endTimeUnixNano"}) {
    ordered_json& time = span[key];
    if (time.is_null()) time = "0";
    if (!is_time(time)) throw export_request_error(at + "." + key + " is not a decimal count of nanoseconds");
  }
  if (const auto status = span.find("status"); status != span.end() && !status->is_null()) {
    if (!status->is_object() || (status->contains("code") && !(*status)["code"].is_number_unsigned())) {
      throw export_request_error(at + ".status is not an object with an integer code");
    }
  }
  if (const auto links = span.find("links"); links != span.end() && !links->is_null()) {
    if (!links->is_array()) throw export_request_error(at + ".links is not an array");
    for (const ordered_json& link : *links) {
      if (!link.is_object() || !is_hex_id(link.value("traceId", ordered_json()), 32) ||
          !is_hex_id(link.value("spanId", ordered_json()), 16)) {
        throw export_request_error(at + ".links has an entry without a hex traceId and spanId");
      }
    }
  }
  check_attributes(span, at);
}

}  // namespace

std::size_t check_export_request(ordered_json& request) {
  if (!request.is_object()) throw export_request_error("the body is not a JSON object");
  const auto resource_spans = request.find("resourceSpans");
  if (resource_spans == request.end() || resource_spans->is_null()) return 0;
  if (!resource_spans->is_array()) throw export_request_error("resourceSpans is not an array");
  std::size_t spans = 0;
  for (std::size_t i = 0; i < resource_spans->size(); ++i) {
    ordered_json& entry = (*resource_spans)[i];
    const std::string at = "resourceSpans[" + std::to_string(i) + "]";
    if (!entry.is_object()) throw export_request_error(at + " is not an object");
    if (const auto resource = entry.find("resource"); resource != entry.end() && !resource->is_null()) {
      if (!resource->is_object()) throw export_request_error(at + ".resource is not an object");
      check_attributes(*resource, at + ".resource");
    }
    ordered_json& scopes = array_member(entry, "scopeSpans", at);
    for (std::size_t j = 0; j < scopes.size(); ++j) {
      const std::string scope_at = at + ".scopeSpans[" + std::to_string(j) + "]";
      if (!scopes[j].is_object()) throw export_request_error(scope_at + " is not an object");
      ordered_json& list = array_member(scopes[j], "spans", scope_at);
      for (std::size_t k = 0; k < list.size(); ++k) check_span(list[k], scope_at + ".spans[" + std::to_string(k) + "]");
      spans += list.size();
    }
  }
  return spans;
}

}  // namespace tracebench::collector
