#pragma once
// A results file of `tracebench run` read back ("schema": "tracebench.results/1"), for report
// and compare: the summary and the raw runs as the run wrote them, checked field by field.

#include <nlohmann/json.hpp>

#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "tracebench/results/experiment_summary.hpp"
#include "tracebench/results/pipeline_summary.hpp"
#include "tracebench/results/recorded_trace.hpp"
#include "tracebench/results/run_record.hpp"

namespace tracebench::harness {

// what() is one line naming the file and the JSON path: "a.json: /summary/rows/2/runs: expected
// an unsigned integer".
class results_file_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct results_file {
  std::string origin;                           // the path it was read from, or what the caller named it
  nlohmann::ordered_json document;              // as read: environment, plan, scenario ... for the renderers
  experiment_summary summary;                   // summary.rows with their per-round deltas and spectra
  std::vector<run_record> runs;                 // every raw run; latency_distribution is left empty
  std::optional<recorded_trace> slowest_trace;  // absent in remote runs and older files
  std::optional<pipeline_summary> pipelines;    // when the run compared sampling pipelines
};

// Throws results_file_error: unreadable file, not JSON, another schema, a missing or mistyped field.
[[nodiscard]] results_file read_results_file(const std::string& path);
// Any JSON file, for a reader that looks at its schema first. Throws results_file_error naming
// the file: unreadable, or not JSON (with nlohmann's byte offset).
[[nodiscard]] nlohmann::ordered_json read_json_file(const std::string& path);
// The "closed_loop" object as closed_loop_document writes it, at JSON path `path`. Throws results_file_error.
[[nodiscard]] closed_loop_sizing parse_closed_loop(const nlohmann::ordered_json& sizing, std::string_view origin,
                                                   const std::string& path);
// One entry of "runs", as run_document writes it. Throws results_file_error.
[[nodiscard]] run_record parse_run_document(const nlohmann::ordered_json& run, std::string_view origin);
[[nodiscard]] results_file parse_results_file(const nlohmann::ordered_json& document, std::string_view origin);

}  // namespace tracebench::harness
