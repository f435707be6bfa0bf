#include "results_document.hpp"

#include <sys/utsname.h>

#include <chrono>
#include <fstream>
#include <string>
#include <thread>

namespace tracebench::harness {

namespace {

using json = nlohmann::ordered_json;

double seconds(std::chrono::nanoseconds d) { return std::chrono::duration<double>(d).count(); }

json cpu_model() {
  std::ifstream in("/proc/cpuinfo");
  for (std::string line; std::getline(in, line);) {
    if (!line.starts_with("model name")) continue;
    const auto colon = line.find(':');
    if (colon == std::string::npos) break;
    const auto start = line.find_first_not_of(" \t", colon + 1);
    return start == std::string::npos ? json() : json(line.substr(start));
  }
  return nullptr;
}

json kernel() {
  ::utsname u{};
  if (::uname(&u) != 0) return nullptr;
  return std::string(u.sysname) + " " + u.release + " " + u.machine;
}

json plan_document(const experiment_plan& plan) {
  return {{"configurations", plan.configurations},
          {"rounds", plan.rounds},
          {"phase_duration_s", seconds(plan.phase_duration)},
          {"warmup_s", seconds(plan.warmup)},
          {"concurrency", plan.concurrency},
          {"graph_threads", graph_threads_for(plan)},
          {"load",
           {{"kind", plan.load.type == offered_load::kind::rate ? "rate" : "fraction"},
            {"value", plan.load.value},
            {"description", plan.load.describe()}}},
          {"lag_bound_ns", plan.lag_bound.count()},
          {"seed", plan.seed}};
}

json run_document(const run_record& r) {
  const latency_summary& l = r.latency;
  return {{"configuration", r.configuration},
          {"round", r.round},
          {"position", r.position},
          {"valid", r.valid()},
          {"throughput", r.throughput},
          {"throughput_valid", r.throughput_valid},
          {"throughput_invalid_reason", r.throughput_invalid_reason},
          {"offered_rate", r.offered_rate},
          {"achieved_rate", r.achieved_rate},
          {"latency_ns",
           {{"count", l.count},
            {"p50", l.p50},
            {"p90", l.p90},
            {"p99", l.p99},
            {"p999", l.p999},
            {"max", l.max},
            {"mean", l.mean}}},
          {"uncorrected_p99_ns", r.uncorrected_p99},
          {"latency_valid", r.latency_valid},
          {"latency_invalid_reason", r.latency_invalid_reason},
          {"spans",
           {{"started", r.spans.started},
            {"sampled", r.spans.sampled},
            {"ended", r.spans.ended},
            {"exported", r.spans.exported},
            {"dropped", r.spans.dropped}}},
          {"bytes_encoded", r.bytes_encoded}};
}

json delta_document(const metric_delta& d) {
  json doc = {{"per_round_percent", d.per_round}};
  if (d.stats) {
    doc["median"] = d.stats->median;
    doc["low"] = d.stats->low;
    doc["high"] = d.stats->high;
    doc["achieved_level"] = d.stats->achieved_level;
    doc["within_noise"] = d.stats->within_noise;
  } else {
    doc["median"] = nullptr;  // no valid pair of runs: no figure rather than a made-up 0
  }
  return doc;
}

json row_document(const configuration_summary& row) {
  json doc = {{"configuration", row.configuration},
              {"baseline", row.baseline},
              {"runs", row.runs},
              {"invalid_runs", row.invalid_runs},
              {"invalid_reasons", row.invalid_reasons},
              {"median_throughput", row.median_throughput},
              {"median_p99_ns", row.median_p99_ns},
              {"throughput_change", delta_document(row.throughput)},
              {"mean_latency_change", delta_document(row.mean_latency)},
              {"p50_latency_change", delta_document(row.p50_latency)},
              {"p99_latency_change", delta_document(row.p99_latency)},
              {"spans_exported_per_run", row.spans_exported_per_run},
              {"bytes_per_span", row.bytes_per_span}};
  if (const auto dapper = dapper_lookup(row.configuration)) {
    doc["dapper"] = {{"latency_change_percent", dapper->latency_change_percent},
                     {"throughput_change_percent", dapper->throughput_change_percent}};
  }
  return doc;
}

}  // namespace

json environment_document() {
  json doc = {{"cpu_model", cpu_model()},
              {"cores", std::thread::hardware_concurrency()},
              {"kernel", kernel()},
              {"compiler", __VERSION__},
              {"build_type", debug_build() ? "Debug" : "Release"},
              {"debug_build", debug_build()}};
#ifdef TRACEBENCH_GIT_COMMIT
  doc["git_commit"] = TRACEBENCH_GIT_COMMIT;
#else
  doc["git_commit"] = nullptr;
#endif
  return doc;
}

json results_document(const experiment_result& result, const experiment_summary& summary) {
  json runs = json::array();
  for (const run_record& r : result.runs) runs.push_back(run_document(r));
  json rows = json::array();
  for (const configuration_summary& row : summary.rows) rows.push_back(row_document(row));
  return {{"schema", kResultsSchema},
          {"environment", environment_document()},
          {"scenario", result.scenario_name},
          {"plan", plan_document(result.plan)},
          {"offered_rate", result.offered_rate},
          {"runs", std::move(runs)},
          {"summary", {{"rounds", summary.rounds}, {"offered_rate", summary.offered_rate}, {"rows", std::move(rows)}}}};
}

}  // namespace tracebench::harness
