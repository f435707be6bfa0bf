#include "tracebench/results/run_report.hpp"

#include <nlohmann/json.hpp>

#include "tracebench/results/results_document.hpp"
#include "tracebench/results/results_file.hpp"

namespace tracebench::collector {
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(tail_sampler_stats, spans_received, traces_received, traces_kept, traces_dropped,
                                   traces_evicted, spans_forwarded, spans_dropped, spans_evicted, spans_export_failed,
                                   late_spans, late_spans_kept, spans_held, traces_held, bytes_held, peak_bytes_held,
                                   peak_traces_held)
}  // namespace tracebench::collector

namespace tracebench::harness {

NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(interval_estimate, value, low, high)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(population_estimate, kept, requests, errors, error_rate, naive_requests,
                                   naive_error_rate)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(latency_exemplar, trace_id, value_ns, timestamp_unix_seconds)

namespace {

// The ledger's structs convert with nlohmann's macros, which serve nlohmann::json only.
using json = nlohmann::json;

json pipeline_json(const pipeline_record& p) {
  return {{"requests", p.requests},
          {"errors", p.errors},
          {"slow", p.slow},
          {"kept", p.kept},
          {"kept_errors", p.kept_errors},
          {"kept_slow", p.kept_slow},
          {"spans_stored", p.spans_stored},
          {"spans_stored_in_run", p.spans_stored_in_run},
          {"estimate", p.estimate},
          {"collector", p.collector ? json(*p.collector) : json()},
          {"collectors", p.collectors},
          {"split_traces", p.split_traces},
          {"exemplars", p.exemplars}};
}

pipeline_record read_pipeline(const json& j) {
  pipeline_record p;
  j.at("requests").get_to(p.requests);
  j.at("errors").get_to(p.errors);
  j.at("slow").get_to(p.slow);
  j.at("kept").get_to(p.kept);
  j.at("kept_errors").get_to(p.kept_errors);
  j.at("kept_slow").get_to(p.kept_slow);
  j.at("spans_stored").get_to(p.spans_stored);
  j.at("spans_stored_in_run").get_to(p.spans_stored_in_run);
  j.at("estimate").get_to(p.estimate);
  if (!j.at("collector").is_null()) p.collector = j.at("collector").get<collector::tail_sampler_stats>();
  j.at("collectors").get_to(p.collectors);
  j.at("split_traces").get_to(p.split_traces);
  j.at("exemplars").get_to(p.exemplars);
  return p;
}

}  // namespace

std::string run_report(const run_record& r) {
  json doc = json::parse(run_document(r).dump());
  doc["latency_histogram"] = json::parse(r.latency_distribution.to_json());
  doc["pipeline"] = r.pipeline ? pipeline_json(*r.pipeline) : json();
  doc["sizing"] = r.sizing ? json::parse(closed_loop_document(*r.sizing).dump()) : json();
  return doc.dump();
}

run_record parse_run_report(std::string_view line, std::string_view origin) {
  const std::string where(origin);
  json doc;
  try {
    doc = json::parse(line);
  } catch (const json::exception& e) {
    throw results_file_error(where + ": not JSON: " + e.what());
  }
  if (!doc.is_object()) throw results_file_error(where + ": expected a run record object");
  run_record r = parse_run_document(nlohmann::ordered_json::parse(doc.dump()), origin);
  try {
    r.latency_distribution = latency_histogram::from_json(doc.at("latency_histogram").dump());
    if (const json& p = doc.at("pipeline"); !p.is_null()) r.pipeline = read_pipeline(p);
    if (const json& z = doc.at("sizing"); !z.is_null()) {
      r.sizing = parse_closed_loop(nlohmann::ordered_json::parse(z.dump()), origin, "/sizing");
    }
  } catch (const std::exception& e) {
    throw results_file_error(where + ": " + e.what());
  }
  return r;
}

}  // namespace tracebench::harness
