#include "tracebench/results/results_document.hpp"

#include "tracebench/results/pipeline_summary.hpp"

#include <sys/utsname.h>

#include <chrono>
#include <cmath>
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

// The frequency governor decides whether a core slows down between bursts: "performance" keeps
// figures steadier than "powersave" or "ondemand". Null where cpufreq is not exposed (most VMs).
json cpu_governor() {
  std::ifstream in("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor");
  std::string governor;
  if (!std::getline(in, governor) || governor.empty()) return nullptr;
  return governor;
}

json load_average() {
  std::ifstream in("/proc/loadavg");
  double one = 0, five = 0, fifteen = 0;
  if (!(in >> one >> five >> fifteen)) return nullptr;
  return {one, five, fifteen};
}

json kernel() {
  ::utsname u{};
  if (::uname(&u) != 0) return nullptr;
  return std::string(u.sysname) + " " + u.release + " " + u.machine;
}

json precision_targets_document(const std::vector<precision_target>& targets) {
  json out = json::array();
  for (const precision_target& t : targets) {
    out.push_back({{"metric", metric_name(t.metric)}, {"half_width_percent", t.half_width_percent}});
  }
  return out;
}

json plan_document(const experiment_plan& plan) {
  return {{"configurations", plan.configurations},
          {"rounds", plan.rounds},
          {"phase_duration_s", seconds(plan.phase_duration)},
          {"warmup_s", seconds(plan.warmup)},
          {"concurrency", plan.concurrency},
          {"transport", transport_name(plan.transport)},
          {"target", plan.target},
          {"isolation", isolation_name(plan.isolation)},
          {"work_scale", plan.work_scale},
          {"graph_threads", plan.transport == transport_kind::remote ? 0U : graph_threads_for(plan)},
          {"load",
           {{"kind", plan.load.type == offered_load::kind::rate ? "rate" : "fraction"},
            {"value", plan.load.value},
            {"description", plan.load.describe()}}},
          {"lag_bound_ns", plan.lag_bound.count()},
          {"lag_bound_adapts", plan.lag_bound_adapts},
          {"seed", plan.seed},
          {"pipeline", plan.pipeline
                           ? json{{"decision_wait_s", seconds(plan.pipeline->decision_wait)},
                                  {"num_traces", plan.pipeline->num_traces},
                                  {"keep_errors", plan.pipeline->keep_errors},
                                  {"slow_s", seconds(plan.pipeline->slow)},
                                  {"baseline", plan.pipeline->baseline},
                                  {"collectors", plan.pipeline->collectors},
                                  {"reshard_to", plan.pipeline->reshard_to ? json(*plan.pipeline->reshard_to) : json()},
                                  {"policy", plan.pipeline->policy().description()}}
                           : json()},
          {"precision", precision_targets_document(plan.precision)},
          {"max_time_s", plan.max_time ? json(seconds(*plan.max_time)) : json()}};
}

json optional_number(const std::optional<double>& value) { return value ? json(*value) : json(); }

json adaptive_document(const std::optional<adaptive_outcome>& adaptive) {
  if (!adaptive) return nullptr;
  json targets = json::array();
  for (const target_progress& t : adaptive->precision.targets) {
    targets.push_back({{"metric", metric_name(t.target.metric)},
                       {"half_width_percent", t.target.half_width_percent},
                       {"reached", t.reached},
                       {"worst_half_width", optional_number(t.worst_half_width)},
                       {"worst_configuration", t.worst_configuration},
                       {"configurations", t.configurations},
                       {"within", t.within},
                       {"worst_geometric_mean_half_width", optional_number(t.worst_mean_half_width)}});
  }
  return {{"ended", rounds_end_name(adaptive->ended)},
          {"min_rounds", adaptive->min_rounds},
          {"time_budget_s", adaptive->time_budget ? json(seconds(*adaptive->time_budget)) : json()},
          {"reached", adaptive->precision.all_reached()},
          {"targets", std::move(targets)}};
}

json compression_document(const compression_figures& c) {
  return {{"payloads", c.payloads},   {"spans", c.spans},
          {"raw_bytes", c.raw_bytes}, {"compressed_bytes", c.compressed_bytes},
          {"ratio", c.ratio},         {"level", kDefaultZstdLevel}};
}

json spans_document(const tracer::span_counts& c) {
  return {{"started", c.started},
          {"sampled", c.sampled},
          {"ended", c.ended},
          {"exported", c.exported},
          {"dropped", c.dropped}};
}

json daily_document(const daily_volume& d) {
  return {{"spans", d.spans},
          {"otlp_json_bytes", optional_number(d.otlp_json_bytes)},
          {"zstd_bytes", optional_number(d.zstd_bytes)}};
}

json projection_document(const std::optional<volume_projection>& p) {
  if (!p) return nullptr;
  return {{"spans_per_second_1_1", p->spans_per_second},
          {"sampled_fraction", p->sampled_fraction},
          {"per_day_raw", daily_document(p->raw)},
          {"per_day_sampled", daily_document(p->sampled)}};
}

json spectrum_document(const latency_histogram& h) {
  json rows = json::array();
  for (const percentile_row& row : h.percentile_spectrum()) {
    // JSON has no infinity: the final row's 1/(1-p) is null.
    rows.push_back({{"value_ns", row.value},
                    {"percentile", row.percentile},
                    {"total_count", row.total_count},
                    {"inverse_tail", std::isfinite(row.inverse_tail) ? json(row.inverse_tail) : json()}});
  }
  return rows;
}

json latency_document(const latency_summary& l) {
  return {{"count", l.count}, {"p50", l.p50}, {"p90", l.p90},  {"p99", l.p99},
          {"p999", l.p999},   {"max", l.max}, {"mean", l.mean}};
}

json memory_document(const std::optional<memory_figures>& m) {
  if (!m) return nullptr;
  const std::optional<double> per_request = m->allocations_per_request();
  return {{"peak_rss_bytes", m->peak_rss_bytes},
          {"heap_in_use_bytes", m->heap_in_use_bytes},
          {"allocations", m->allocations},
          {"requests", m->requests},
          {"allocations_per_request", optional_number(per_request)}};
}

json trace_document(const std::optional<recorded_trace>& trace) {
  if (!trace) return nullptr;
  json spans = json::array();
  for (const recorded_span& s : trace->spans) {
    spans.push_back({{"span_id", s.span_id},
                     {"parent_span_id", s.parent_span_id},
                     {"service", s.service},
                     {"name", s.name},
                     {"kind", s.kind},
                     {"start_ns", s.start_ns},
                     {"duration_ns", s.duration_ns},
                     {"error", s.error}});
  }
  return {{"configuration", trace->configuration}, {"requests", trace->requests},
          {"offered_rate", trace->offered_rate},   {"trace_id", trace->trace_id},
          {"duration_ns", trace->duration_ns},     {"spans", std::move(spans)}};
}

json row_document(const configuration_summary& row) {
  json doc = {{"configuration", row.configuration},
              {"baseline", row.baseline},
              {"noise_floor", row.noise_floor},
              {"runs", row.runs},
              {"invalid_runs", row.invalid_runs},
              {"invalid_reasons", row.invalid_reasons},
              {"median_throughput", row.median_throughput},
              {"median_p99_ns", row.median_p99_ns},
              {"median_cpu_ns_per_request", row.median_cpu_ns_per_request},
              {"throughput_change", delta_document(row.throughput)},
              {"cpu_per_request_change", delta_document(row.cpu_per_request)},
              {"mean_latency_change", delta_document(row.mean_latency)},
              {"p50_latency_change", delta_document(row.p50_latency)},
              {"p99_latency_change", delta_document(row.p99_latency)},
              {"spans_exported_per_run", row.spans_exported_per_run},
              {"bytes_per_span", row.bytes_per_span}};
  if (const auto dapper = dapper_lookup(row.configuration)) {
    doc["dapper"] = {{"latency_change_percent", dapper->latency_change_percent},
                     {"throughput_change_percent", dapper->throughput_change_percent}};
  }
  doc["spans"] = spans_document(row.spans);
  doc["sampled_fraction"] = row.sampled_fraction;
  doc["spans_per_second"] = row.spans_per_second;
  doc["zstd_bytes_per_span"] = optional_number(row.zstd_bytes_per_span);
  doc["projection"] = projection_document(row.projection);
  doc["predicted"] = row.predicted ? json{{"cpu_ns_per_request", row.predicted->cpu_ns_per_request},
                                          {"cpu_change_percent", optional_number(row.predicted_cpu_change_percent)},
                                          {"throughput_change_percent", row.predicted->throughput_change_percent}}
                                   : json();
  doc["loaded_runs"] = row.loaded_runs;
  doc["median_peak_rss_bytes"] = optional_number(row.median_peak_rss_bytes);
  doc["median_heap_in_use_bytes"] = optional_number(row.median_heap_in_use_bytes);
  doc["median_allocations_per_request"] = optional_number(row.median_allocations_per_request);
  doc["peak_rss_change"] = delta_document(row.peak_rss);
  doc["heap_in_use_change"] = delta_document(row.heap_in_use);
  doc["allocations_per_request_change"] = delta_document(row.allocations_per_request);
  doc["allocations_added_per_request"] = delta_document(row.allocations_added_per_request, kPerRoundDifference);
  doc["latency_histogram"] = json::parse(row.latency.to_json());
  doc["percentile_spectrum"] = spectrum_document(row.latency);
  return doc;
}

}  // namespace

nlohmann::ordered_json closed_loop_document(const closed_loop_sizing& sizing) {
  json probes = json::array();
  for (const concurrency_probe& p : sizing.probes) {
    probes.push_back({{"concurrency", p.concurrency}, {"throughput", p.throughput}});
  }
  return {{"concurrency", sizing.concurrency},
          {"chosen", sizing.chosen},
          {"wait_bound", sizing.wait_bound},
          {"probes", std::move(probes)},
          {"capacity_window_s", seconds(sizing.capacity_window)}};
}

nlohmann::ordered_json run_document(const run_record& r) {
  return {{"configuration", r.configuration},
          {"round", r.round},
          {"position", r.position},
          {"valid", r.valid()},
          {"concurrency", r.concurrency},
          {"capacity_window_s", seconds(r.capacity_window)},
          {"latency_window_s", seconds(r.latency_window)},
          {"throughput", r.throughput},
          {"cpu_ns_per_request", r.cpu_ns_per_request},
          {"off_path_cpu_ns_per_request", r.off_path_cpu_ns_per_request},
          {"throughput_valid", r.throughput_valid},
          {"throughput_invalid_reason", r.throughput_invalid_reason},
          {"offered_rate", r.offered_rate},
          {"achieved_rate", r.achieved_rate},
          {"latency_ns", latency_document(r.latency)},
          {"uncorrected_p99_ns", r.uncorrected_p99},
          {"send_lag_ns", latency_document(r.send_lag)},
          {"dropped_sends", r.dropped_sends},
          {"lost", r.lost},
          {"latency_valid", r.latency_valid},
          {"latency_invalid_reason", r.latency_invalid_reason},
          {"spans",
           {{"started", r.spans.started},
            {"sampled", r.spans.sampled},
            {"ended", r.spans.ended},
            {"exported", r.spans.exported},
            {"dropped", r.spans.dropped}}},
          {"bytes_encoded", r.bytes_encoded},
          {"spans_per_second", r.spans_per_second},
          {"compression", r.compression ? compression_document(*r.compression) : json()},
          {"machine_load",
           r.load ? json{{"other_cores", r.load->other_cores}, {"self_cores", r.load->self_cores}} : json()},
          {"loaded", r.loaded()},
          {"memory", memory_document(r.memory)}};
}

namespace {

void put_summary(json& doc, const summary& s) {
  doc["median"] = s.median;
  doc["low"] = s.low;
  doc["high"] = s.high;
  doc["achieved_level"] = s.achieved_level;
  doc["within_noise"] = s.within_noise;
}

}  // namespace

json delta_document(const metric_delta& d, std::string_view per_round_key) {
  json doc = {{per_round_key, d.per_round}, {"rounds", d.rounds}};
  if (d.stats) {
    put_summary(doc, *d.stats);
  } else {
    doc["median"] = nullptr;  // no valid pair of runs: no figure rather than a made-up 0
  }
  if (d.against_aa) put_summary(doc["against_aa"], *d.against_aa);
  if (d.geometric_mean) {
    doc["geometric_mean"] = {{"change_percent", d.geometric_mean->estimate},
                             {"low", d.geometric_mean->low},
                             {"high", d.geometric_mean->high},
                             {"level", d.geometric_mean->level}};
  }
  return doc;
}

json environment_document() {
  json doc = {{"cpu_model", cpu_model()},
              {"cores", std::thread::hardware_concurrency()},
              {"kernel", kernel()},
              {"cpu_governor", cpu_governor()},
              {"load_average_at_end", load_average()},
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
  const hot_path_costs& c = result.costs;
  const std::optional<pipeline_summary> pipelines = summarize_pipelines(result);
  json environment = environment_document();
  if (result.work) {
    environment["work"] = {{"model", "compute"},
                           {"iterations_per_us", result.work->iterations_per_us},
                           {"calibration", result.work->describe()}};
  }
  if (!result.remote_work.empty()) {
    // Each serve process calibrated itself: the model is theirs, one entry per process.
    json processes = json::array();
    std::size_t spin = 0;
    for (const serve_process_work& p : result.remote_work) {
      json entry = {{"service", p.service}, {"model", std::string(services::to_string(p.model))}};
      if (p.rate) {
        entry["iterations_per_us"] = p.rate->iterations_per_us;
        entry["calibration"] = p.rate->describe();
      }
      spin += p.model == services::work_model::spin ? 1 : 0;
      processes.push_back(std::move(entry));
    }
    const char* model = spin == 0 ? "compute" : spin == result.remote_work.size() ? "spin" : "mixed";
    environment["work"] = {{"model", model}, {"calibration", "per serve process"}, {"processes", std::move(processes)}};
  }
  return {{"schema", kResultsSchema},
          {"complete", !result.interrupted},
          {"environment", std::move(environment)},
          {"scenario",
           {{"name", result.scenario_name},
            {"spans_per_request", result.spans_per_request},
            {"hops_per_request", result.hops_per_request},
            {"projected_spans_per_second", optional_number(result.projected_spans_per_second)}}},
          {"plan", plan_document(result.plan)},
          {"graph_threads", result.graph_threads},
          {"offered_rate", result.offered_rate},
          {"closed_loop", result.sizing ? closed_loop_document(*result.sizing) : json()},
          {"hot_path_costs_ns",
           {{"unsampled_span", c.unsampled_span_ns},
            {"sampled_span", c.sampled_span_ns},
            {"export_per_span", c.export_ns_per_span},
            {"inject", c.inject_ns},
            {"extract", c.extract_ns}}},
          {"runs", std::move(runs)},
          {"summary",
           {{"rounds", summary.rounds},
            {"runs_done", summary.runs_done},
            {"runs_planned", summary.runs_planned},
            {"interrupted", summary.interrupted},
            {"debug_build", summary.debug_build},
            {"loaded_runs", summary.loaded_runs},
            {"max_other_cores", summary.max_other_cores},
            {"generator",
             {{"lowest_achieved_fraction", summary.generator.lowest_achieved_fraction},
              {"median_send_lag_p99_ns", summary.generator.median_lag_p99_ns},
              {"max_send_lag_p99_ns", summary.generator.max_lag_p99_ns},
              {"dropped_sends", summary.generator.dropped_sends},
              {"lost", summary.generator.lost}}},
            {"offered_rate", summary.offered_rate},
            {"rows", std::move(rows)},
            {"precision", adaptive_document(summary.adaptive)}}},
          {"slowest_trace", trace_document(result.slowest_trace)},
          {"pipelines", pipelines ? pipelines_document(*pipelines) : json()}};
}

}  // namespace tracebench::harness
