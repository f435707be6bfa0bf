#pragma once
// Reads exported spans back (OTLP/JSON lines, as otlp_json_file_exporter writes them) and
// checks the traces' shape: roots, orphans, split requests, clock skew, critical paths.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <iosfwd>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace tracebench::harness {

struct span_link {
  std::string trace_id;
  std::string span_id;
};

struct analyzed_span {
  std::string trace_id;  // lowercase hex, as exported
  std::string span_id;
  std::string parent_id;  // empty for a root
  std::string name;
  std::string service;  // resource service.name
  int kind = 0;         // OTLP numbering: 1 internal, 2 server, 3 client, 4 producer, 5 consumer
  int status = 0;       // 0 unset, 1 ok, 2 error
  std::int64_t start_nanos = 0;
  std::int64_t end_nanos = 0;
  std::optional<std::uint64_t> request_id;  // attribute tracebench.request_id
  std::string peer_service;                 // attribute peer.service (client and producer spans)
  std::vector<span_link> links;

  [[nodiscard]] std::int64_t duration_nanos() const noexcept { return end_nanos - start_nanos; }
};

// One request whose spans landed in more than one trace.
struct split_request {
  std::uint64_t request_id = 0;
  std::size_t trace_ids = 0;
  std::vector<std::string> splits;  // "caller -> callee" per extra trace; "?" when unknown
};

struct critical_path {
  std::string trace_id;
  std::int64_t duration_nanos = 0;  // the root's
  std::vector<std::size_t> spans;   // indices into trace_report::spans, root first
  std::size_t slowest = 0;          // index of the span on the path with the most self time
  std::int64_t slowest_self_nanos = 0;
};

struct trace_report {
  std::vector<analyzed_span> spans;
  std::size_t traces = 0;
  std::size_t min_spans_per_trace = 0;
  double median_spans_per_trace = 0;
  std::size_t max_spans_per_trace = 0;
  std::size_t traces_without_one_root = 0;  // a trace id with zero or several roots
  std::size_t orphans = 0;                  // spans whose parent is not in their trace
  std::size_t requests = 0;                 // distinct tracebench.request_id values
  std::vector<split_request> split_requests;
  // Clock skew's two faces: a child that starts before its parent, and the server side of a
  // synchronous call that ends after the client span that waited for it.
  std::size_t child_before_parent = 0;
  std::size_t child_after_parent = 0;
  std::vector<critical_path> critical_paths;  // one per trace with a single root, slowest first
};

// A malformed input: what() is "FILE:LINE: problem".
class analysis_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Throws analysis_error naming the line, or the file when it cannot be read.
[[nodiscard]] trace_report analyze_otlp_file(const std::filesystem::path& file);
[[nodiscard]] trace_report analyze_otlp_stream(std::istream& in, std::string_view name);
// The analysis proper, for spans from any source.
[[nodiscard]] trace_report analyze_spans(std::vector<analyzed_span> spans);

}  // namespace tracebench::harness
