#include "tracebench/results/trace_analysis.hpp"

#include <algorithm>
#include <charconv>
#include <fstream>
#include <istream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <unordered_map>

#include "tracebench/results/recorded_trace.hpp"
#include "tracebench/results/trace_waterfall.hpp"

namespace tracebench::harness {

namespace {

using json = nlohmann::json;

constexpr int kClient = 3;
constexpr int kProducer = 4;

// A problem in one span or field; the caller adds FILE:LINE.
struct bad_input {
  std::string problem;
};

const json& member(const json& object, const char* key, const char* where) {
  const auto it = object.find(key);
  if (it == object.end()) throw bad_input{std::string(where) + " has no \"" + key + "\""};
  return *it;
}

std::string text(const json& object, const char* key, const char* where) {
  const json& value = member(object, key, where);
  if (!value.is_string()) throw bad_input{std::string(where) + " \"" + key + "\" is not a string"};
  return value.get<std::string>();
}

// OTLP/JSON writes 64-bit integers as strings; plain numbers are accepted too.
std::int64_t integer(const json& value, const std::string& what) {
  if (value.is_number_integer()) return value.get<std::int64_t>();
  if (value.is_string()) {
    const std::string& s = value.get_ref<const std::string&>();
    std::int64_t out = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    if (ec == std::errc{} && end == s.data() + s.size() && !s.empty()) return out;
  }
  throw bad_input{what + " is not an integer"};
}

void read_attributes(const json& span, analyzed_span& out) {
  const auto it = span.find("attributes");
  if (it == span.end()) return;
  if (!it->is_array()) throw bad_input{"span \"attributes\" is not an array"};
  for (const json& a : *it) {
    const std::string key = text(a, "key", "attribute");
    const json& value = member(a, "value", "attribute");
    if (key == "tracebench.request_id") {
      out.request_id = static_cast<std::uint64_t>(integer(member(value, "intValue", "attribute value"), key));
    } else if (key == "peer.service" && value.contains("stringValue")) {
      out.peer_service = text(value, "stringValue", "attribute value");
    }
  }
}

analyzed_span read_span(const json& span, const std::string& service) {
  if (!span.is_object()) throw bad_input{"a span is not an object"};
  analyzed_span out;
  out.service = service;
  out.trace_id = text(span, "traceId", "span");
  out.span_id = text(span, "spanId", "span");
  if (out.trace_id.size() != 32) throw bad_input{"span traceId \"" + out.trace_id + "\" is not 32 hex digits"};
  if (out.span_id.size() != 16) throw bad_input{"span spanId \"" + out.span_id + "\" is not 16 hex digits"};
  if (span.contains("parentSpanId")) out.parent_id = text(span, "parentSpanId", "span");
  out.name = text(span, "name", "span");
  out.kind = static_cast<int>(integer(member(span, "kind", "span"), "span kind"));
  out.start_nanos = integer(member(span, "startTimeUnixNano", "span"), "startTimeUnixNano");
  out.end_nanos = integer(member(span, "endTimeUnixNano", "span"), "endTimeUnixNano");
  if (const auto status = span.find("status"); status != span.end() && status->contains("code")) {
    out.status = static_cast<int>(integer(status->at("code"), "status code"));
  }
  read_attributes(span, out);
  if (const auto links = span.find("links"); links != span.end()) {
    if (!links->is_array()) throw bad_input{"span \"links\" is not an array"};
    for (const json& l : *links) out.links.push_back({text(l, "traceId", "link"), text(l, "spanId", "link")});
  }
  return out;
}

std::string service_name(const json& resource_spans) {
  const auto resource = resource_spans.find("resource");
  if (resource == resource_spans.end() || !resource->contains("attributes")) return {};
  for (const json& a : resource->at("attributes")) {
    if (a.value("key", "") == "service.name" && a.contains("value")) return a["value"].value("stringValue", "");
  }
  return {};
}

void read_line(const json& request, std::vector<analyzed_span>& out) {
  if (!request.is_object()) throw bad_input{"not an ExportTraceServiceRequest object"};
  const json& resource_spans = member(request, "resourceSpans", "request");
  if (!resource_spans.is_array()) throw bad_input{"\"resourceSpans\" is not an array"};
  for (const json& rs : resource_spans) {
    const std::string service = service_name(rs);
    const json& scopes = member(rs, "scopeSpans", "resourceSpans entry");
    for (const json& scope : scopes) {
      for (const json& span : member(scope, "spans", "scopeSpans entry")) out.push_back(read_span(span, service));
    }
  }
}

// The trace's critical path as the report's waterfall marks it (trace_waterfall's backward walk),
// so `analyze` and `report` agree on it: the spans on it in start order, root first, and the one
// with the most time of its own, less the time of its children on the path.
critical_path walk_critical_path(const std::vector<analyzed_span>& spans, const std::vector<std::size_t>& members,
                                 std::size_t root) {
  recorded_trace trace;
  for (std::size_t i : members) {
    const analyzed_span& s = spans[i];
    trace.spans.push_back({s.span_id,
                           i == root ? std::string() : s.parent_id,
                           s.service,
                           s.name,
                           {},
                           s.start_nanos,
                           s.duration_nanos(),
                           false});
  }
  const std::vector<bool> on_path = on_critical_path(trace);
  critical_path path;
  path.trace_id = spans[root].trace_id;
  path.duration_nanos = spans[root].duration_nanos();
  path.spans.push_back(root);
  for (std::size_t k = 0; k < members.size(); ++k) {
    if (on_path[k] && members[k] != root) path.spans.push_back(members[k]);
  }
  std::stable_sort(path.spans.begin() + 1, path.spans.end(),
                   [&](std::size_t a, std::size_t b) { return spans[a].start_nanos < spans[b].start_nanos; });
  std::unordered_map<std::string_view, std::int64_t> self;
  for (std::size_t i : path.spans) self.emplace(spans[i].span_id, spans[i].duration_nanos());
  for (std::size_t i : path.spans) {
    if (i == root) continue;
    const auto parent = self.find(spans[i].parent_id);
    if (parent != self.end()) parent->second -= spans[i].duration_nanos();
  }
  for (std::size_t i : path.spans) {
    const std::int64_t own = std::max<std::int64_t>(0, self[spans[i].span_id]);
    if (i == root || own > path.slowest_self_nanos) {
      path.slowest = i;
      path.slowest_self_nanos = own;
    }
  }
  return path;
}

}  // namespace

trace_report analyze_otlp_stream(std::istream& in, std::string_view name) {
  std::vector<analyzed_span> spans;
  std::size_t line_number = 0;
  for (std::string line; std::getline(in, line);) {
    ++line_number;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    const std::string where = std::string(name) + ":" + std::to_string(line_number) + ": ";
    try {
      read_line(json::parse(line), spans);
    } catch (const json::exception& e) {
      throw analysis_error(where + "invalid OTLP/JSON: " + e.what());
    } catch (const bad_input& e) {
      throw analysis_error(where + e.problem);
    }
  }
  return analyze_spans(std::move(spans));
}

trace_report analyze_otlp_file(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) throw analysis_error(file.string() + ": cannot read the file");
  return analyze_otlp_stream(in, file.string());
}

trace_report analyze_spans(std::vector<analyzed_span> spans) {
  trace_report report;
  std::map<std::string, std::vector<std::size_t>> by_trace;  // ordered: reports repeat run to run
  for (std::size_t i = 0; i < spans.size(); ++i) by_trace[spans[i].trace_id].push_back(i);
  report.traces = by_trace.size();

  std::vector<std::size_t> sizes;
  std::unordered_map<std::string, std::size_t> root_of_trace;
  std::vector<bool> has_child(spans.size(), false);
  for (const auto& [trace, members] : by_trace) {
    sizes.push_back(members.size());
    std::unordered_map<std::string_view, std::size_t> by_id;
    for (std::size_t i : members) by_id.emplace(spans[i].span_id, i);
    std::vector<std::size_t> roots;
    for (std::size_t i : members) {
      const analyzed_span& s = spans[i];
      if (s.parent_id.empty()) {
        roots.push_back(i);
        continue;
      }
      const auto parent = by_id.find(s.parent_id);
      if (parent == by_id.end()) {
        ++report.orphans;
        continue;
      }
      has_child[parent->second] = true;
      const analyzed_span& up = spans[parent->second];
      if (s.start_nanos < up.start_nanos) {
        ++report.child_before_parent;
      } else if (up.kind == kClient && s.end_nanos > up.end_nanos) {
        ++report.child_after_parent;
      }
    }
    if (roots.size() != 1) {
      ++report.traces_without_one_root;
    } else {
      root_of_trace.emplace(trace, roots.front());
      report.critical_paths.push_back(walk_critical_path(spans, members, roots.front()));
    }
  }
  if (!sizes.empty()) {
    std::sort(sizes.begin(), sizes.end());
    report.min_spans_per_trace = sizes.front();
    report.max_spans_per_trace = sizes.back();
    const std::size_t mid = sizes.size() / 2;
    report.median_spans_per_trace =
        sizes.size() % 2 == 1 ? static_cast<double>(sizes[mid]) : static_cast<double>(sizes[mid - 1] + sizes[mid]) / 2;
  }
  std::sort(report.critical_paths.begin(), report.critical_paths.end(),
            [](const critical_path& a, const critical_path& b) { return a.duration_nanos > b.duration_nanos; });

  // A request whose spans sit in several traces: the extra trace's root names the callee, and
  // the childless client or producer span that called it names the caller.
  std::map<std::uint64_t, std::set<std::string>> traces_of_request;
  for (const analyzed_span& s : spans) {
    if (s.request_id) traces_of_request[*s.request_id].insert(s.trace_id);
  }
  report.requests = traces_of_request.size();
  for (const auto& [request, traces] : traces_of_request) {
    if (traces.size() < 2) continue;
    split_request split{request, traces.size(), {}};
    std::string first;  // the trace whose root started first: where the request entered
    for (const std::string& t : traces) {
      const auto root = root_of_trace.find(t);
      if (root == root_of_trace.end()) continue;
      if (first.empty() || spans[root->second].start_nanos < spans[root_of_trace[first]].start_nanos) first = t;
    }
    for (const std::string& t : traces) {
      if (t == first) continue;
      const auto root = root_of_trace.find(t);
      const std::string callee = root != root_of_trace.end() ? spans[root->second].service : "?";
      std::string caller = "?";
      for (const std::string& other : traces) {
        if (other == t) continue;
        for (std::size_t i : by_trace[other]) {
          const analyzed_span& s = spans[i];
          if ((s.kind == kClient || s.kind == kProducer) && !has_child[i] && s.peer_service == callee)
            caller = s.service;
        }
      }
      split.splits.push_back(caller + " -> " + callee);
    }
    report.split_requests.push_back(std::move(split));
  }
  report.spans = std::move(spans);
  return report;
}

}  // namespace tracebench::harness
