// The results file's "pipelines" object: the pipeline comparison, the collector memory sweep and
// the exemplars, written by `run` and read back by `report`.

#include <string>

#include "field_reader.hpp"
#include "tracebench/results/pipeline_summary.hpp"
#include "tracebench/results/results_document.hpp"

namespace tracebench::harness {
namespace {

using json = nlohmann::ordered_json;

json optional_number(const std::optional<double>& value) { return value ? json(*value) : json(); }

json row_document(const pipeline_row& row) {
  json exemplars = json::array();
  for (const latency_exemplar& e : row.exemplars) {
    exemplars.push_back({{"trace_id", e.trace_id}, {"value_ns", e.value_ns}, {"timestamp", e.timestamp_unix_seconds}});
  }
  return {{"configuration", row.configuration},
          {"runs", row.runs},
          {"requests", row.requests},
          {"errors", row.errors},
          {"slow", row.slow},
          {"kept", row.kept},
          {"kept_errors", row.kept_errors},
          {"kept_slow", row.kept_slow},
          {"spans_stored", row.spans_stored},
          {"bytes_stored", row.bytes_stored},
          {"collector_peak_bytes", optional_number(row.collector_peak_bytes)},
          {"collector_peak_traces", optional_number(row.collector_peak_traces)},
          {"traces_evicted", row.traces_evicted},
          {"late_spans", row.late_spans},
          {"late_spans_kept", row.late_spans_kept},
          {"collectors", row.collectors},
          {"split_traces", row.split_traces},
          {"request_path_cpu_change", delta_document(row.request_path_cpu)},
          {"off_path_cpu_ns_per_request", row.off_path_cpu_ns_per_request},
          {"reweighting",
           {{"runs", row.estimated_runs},
            {"requests_covered", row.requests_covered},
            {"error_rate_covered", row.error_rate_covered},
            {"requests_error_percent", row.requests_error_percent},
            {"error_rate_error_percent", row.error_rate_error_percent},
            {"naive_error_rate_error_percent", row.naive_error_rate_error_percent}}},
          {"exemplars", std::move(exemplars)}};
}

pipeline_row read_row(const field_reader& r, const json& row, const std::string& p) {
  pipeline_row out;
  out.configuration = r.string(row, "configuration", p);
  out.runs = r.count(row, "runs", p);
  out.requests = r.count(row, "requests", p);
  out.errors = r.count(row, "errors", p);
  out.slow = r.count(row, "slow", p);
  out.kept = r.count(row, "kept", p);
  out.kept_errors = r.count(row, "kept_errors", p);
  out.kept_slow = r.count(row, "kept_slow", p);
  if (out.kept > out.requests || out.kept_errors > out.errors || out.kept_slow > out.slow) {
    r.fail(p, "more kept than there were requests");
  }
  out.spans_stored = r.count(row, "spans_stored", p);
  out.bytes_stored = r.count(row, "bytes_stored", p);
  out.collector_peak_bytes = r.optional_number(row, "collector_peak_bytes", p);
  out.collector_peak_traces = r.optional_number(row, "collector_peak_traces", p);
  out.traces_evicted = r.count(row, "traces_evicted", p);
  out.late_spans = r.count(row, "late_spans", p);
  out.late_spans_kept = r.count(row, "late_spans_kept", p);
  // Absent from files written before collectors could be sharded.
  if (row.contains("collectors")) out.collectors = r.small_count(row, "collectors", p);
  if (row.contains("split_traces")) out.split_traces = r.count(row, "split_traces", p);
  out.request_path_cpu = read_delta(r, row, "request_path_cpu_change", p);
  out.off_path_cpu_ns_per_request = r.number(row, "off_path_cpu_ns_per_request", p);
  const json& w = r.object(row, "reweighting", p);
  const std::string wp = p + "/reweighting";
  out.estimated_runs = r.count(w, "runs", wp);
  out.requests_covered = r.count(w, "requests_covered", wp);
  out.error_rate_covered = r.count(w, "error_rate_covered", wp);
  out.requests_error_percent = r.number(w, "requests_error_percent", wp);
  out.error_rate_error_percent = r.number(w, "error_rate_error_percent", wp);
  out.naive_error_rate_error_percent = r.number(w, "naive_error_rate_error_percent", wp);
  const json& exemplars = r.array(row, "exemplars", p);
  for (std::size_t i = 0; i < exemplars.size(); ++i) {
    const std::string ep = item(p, "exemplars", i);
    latency_exemplar e;
    e.trace_id = r.string(exemplars[i], "trace_id", ep);
    if (!tracer::trace_id::from_hex(e.trace_id))
      r.fail(ep + "/trace_id", "expected 32 lowercase hex digits, not all zero");
    e.value_ns = r.integer(exemplars[i], "value_ns", ep);
    e.timestamp_unix_seconds = r.number(exemplars[i], "timestamp", ep);
    out.exemplars.push_back(std::move(e));
  }
  return out;
}

json sweep_document(const memory_sweep_point& point) {
  return {{"varied", point.varied},
          {"decision_wait_s", std::chrono::duration<double>(point.decision_wait).count()},
          {"offered_rate", point.offered_rate},
          {"achieved_rate", point.achieved_rate},
          {"peak_bytes", point.peak_bytes},
          {"peak_traces", point.peak_traces},
          {"expected_traces", point.expected_traces()},
          {"traces_evicted", point.traces_evicted}};
}

memory_sweep_point read_point(const field_reader& r, const json& point, const std::string& p) {
  memory_sweep_point out;
  out.varied = r.string(point, "varied", p);
  if (out.varied != "decision_wait" && out.varied != "load") r.fail(p + "/varied", "expected decision_wait or load");
  const double wait = r.number(point, "decision_wait_s", p);
  if (wait < 0) r.fail(p + "/decision_wait_s", "expected a duration of 0 or more");
  out.decision_wait = std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::duration<double>(wait));
  out.offered_rate = r.number(point, "offered_rate", p);
  out.achieved_rate = r.number(point, "achieved_rate", p);
  out.peak_bytes = r.count(point, "peak_bytes", p);
  out.peak_traces = r.count(point, "peak_traces", p);
  out.traces_evicted = r.count(point, "traces_evicted", p);
  return out;
}

}  // namespace

json pipelines_document(const pipeline_summary& summary) {
  json rows = json::array();
  for (const pipeline_row& row : summary.rows) rows.push_back(row_document(row));
  json sweep = json::array();
  for (const memory_sweep_point& point : summary.memory_sweep) sweep.push_back(sweep_document(point));
  return {{"requests_per_second", summary.requests_per_second},
          {"production_rate", summary.production_rate},
          {"rows", std::move(rows)},
          {"memory_sweep", std::move(sweep)}};
}

std::optional<pipeline_summary> read_pipelines(const json& document, std::string_view origin) {
  const auto it = document.find("pipelines");
  if (it == document.end() || it->is_null()) return std::nullopt;
  const field_reader r(origin);
  const std::string p = "/pipelines";
  const json& doc = r.object(document, "pipelines", "");
  pipeline_summary out;
  out.requests_per_second = r.number(doc, "requests_per_second", p);
  out.production_rate = r.boolean(doc, "production_rate", p);
  const json& rows = r.array(doc, "rows", p);
  for (std::size_t i = 0; i < rows.size(); ++i) out.rows.push_back(read_row(r, rows[i], item(p, "rows", i)));
  const json& sweep = r.array(doc, "memory_sweep", p);
  for (std::size_t i = 0; i < sweep.size(); ++i)
    out.memory_sweep.push_back(read_point(r, sweep[i], item(p, "memory_sweep", i)));
  return out;
}

}  // namespace tracebench::harness
