#include "tracebench/results/results_file.hpp"

#include <chrono>
#include <cmath>
#include <fstream>
#include <limits>
#include <sstream>

#include "field_reader.hpp"
#include "tracebench/results/pipeline_summary.hpp"
#include "tracebench/results/results_document.hpp"
#include "tracebench/services/tracing_config.hpp"

namespace tracebench::harness {
namespace {

using json = nlohmann::ordered_json;

std::chrono::nanoseconds from_seconds(double s) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::duration<double>(s));
}

tracer::span_counts read_spans(const field_reader& r, const json& parent, const std::string& path) {
  const json& s = r.object(parent, "spans", path);
  const std::string p = path + "/spans";
  return {r.count(s, "started", p), r.count(s, "sampled", p), r.count(s, "ended", p), r.count(s, "exported", p),
          r.count(s, "dropped", p)};
}

daily_volume read_daily(const field_reader& r, const json& parent, std::string_view key, const std::string& path) {
  const json& d = r.object(parent, key, path);
  const std::string p = path + "/" + std::string(key);
  return {r.number(d, "spans", p), r.optional_number(d, "otlp_json_bytes", p), r.optional_number(d, "zstd_bytes", p)};
}

std::optional<volume_projection> read_projection(const field_reader& r, const json& row, const std::string& path) {
  const json& value = r.at(row, "projection", path);
  if (value.is_null()) return std::nullopt;
  const std::string p = path + "/projection";
  const json& pr = r.object(row, "projection", path);
  return volume_projection{r.number(pr, "spans_per_second_1_1", p), r.number(pr, "sampled_fraction", p),
                           read_daily(r, pr, "per_day_raw", p), read_daily(r, pr, "per_day_sampled", p)};
}

latency_histogram read_histogram(const field_reader& r, const json& row, const std::string& path) {
  const json& h = r.object(row, "latency_histogram", path);
  try {
    return latency_histogram::from_json(h.dump());
  } catch (const std::exception& e) {
    r.fail(path + "/latency_histogram", e.what());
  }
}

configuration_summary read_row(const field_reader& r, const json& row, const std::string& p) {
  configuration_summary out;
  out.configuration = r.string(row, "configuration", p);
  out.baseline = r.boolean(row, "baseline", p);
  out.noise_floor = row.contains("noise_floor") ? r.boolean(row, "noise_floor", p)
                                                : out.configuration == services::kOffAgain;  // older files
  out.runs = r.count(row, "runs", p);
  out.invalid_runs = r.count(row, "invalid_runs", p);
  const json& reasons = r.array(row, "invalid_reasons", p);
  for (std::size_t i = 0; i < reasons.size(); ++i) {
    if (!reasons[i].is_string()) r.fail(item(p, "invalid_reasons", i), "expected a string");
    out.invalid_reasons.push_back(reasons[i].get<std::string>());
  }
  out.median_throughput = r.number(row, "median_throughput", p);
  out.median_p99_ns = r.number(row, "median_p99_ns", p);
  out.median_cpu_ns_per_request = r.number(row, "median_cpu_ns_per_request", p);
  out.throughput = read_delta(r, row, "throughput_change", p);
  out.cpu_per_request = read_delta(r, row, "cpu_per_request_change", p);
  out.mean_latency = read_delta(r, row, "mean_latency_change", p);
  out.p50_latency = read_delta(r, row, "p50_latency_change", p);
  out.p99_latency = read_delta(r, row, "p99_latency_change", p);
  out.spans_exported_per_run = r.number(row, "spans_exported_per_run", p);
  out.bytes_per_span = r.number(row, "bytes_per_span", p);
  out.spans = read_spans(r, row, p);
  out.sampled_fraction = r.number(row, "sampled_fraction", p);
  out.spans_per_second = r.number(row, "spans_per_second", p);
  out.zstd_bytes_per_span = r.optional_number(row, "zstd_bytes_per_span", p);
  out.projection = read_projection(r, row, p);
  if (const json& predicted = r.at(row, "predicted", p); !predicted.is_null()) {
    const std::string pp = p + "/predicted";
    const json& pr = r.object(row, "predicted", p);
    out.predicted =
        overhead_prediction{r.number(pr, "cpu_ns_per_request", pp), r.number(pr, "throughput_change_percent", pp)};
    out.predicted_cpu_change_percent = r.optional_number(pr, "cpu_change_percent", pp);
  }
  out.loaded_runs = r.count(row, "loaded_runs", p);
  // Memory: absent in files written before it.
  out.median_peak_rss_bytes = r.optional_number(row, "median_peak_rss_bytes", p);
  out.median_heap_in_use_bytes = r.optional_number(row, "median_heap_in_use_bytes", p);
  out.median_allocations_per_request = r.optional_number(row, "median_allocations_per_request", p);
  out.peak_rss = read_optional_delta(r, row, "peak_rss_change", p);
  out.heap_in_use = read_optional_delta(r, row, "heap_in_use_change", p);
  out.allocations_per_request = read_optional_delta(r, row, "allocations_per_request_change", p);
  out.allocations_added_per_request =
      read_optional_delta(r, row, "allocations_added_per_request", p, kPerRoundDifference);
  out.latency = read_histogram(r, row, p);
  return out;
}

latency_summary read_latency(const field_reader& r, const json& parent, std::string_view key, const std::string& path) {
  const json& l = r.object(parent, key, path);
  const std::string p = path + "/" + std::string(key);
  return {r.count(l, "count", p),  r.integer(l, "p50", p), r.integer(l, "p90", p), r.integer(l, "p99", p),
          r.integer(l, "p999", p), r.integer(l, "max", p), r.number(l, "mean", p)};
}

run_record read_run(const field_reader& r, const json& run, const std::string& p) {
  run_record out;
  out.configuration = r.string(run, "configuration", p);
  out.round = r.small_count(run, "round", p);
  out.position = r.count(run, "position", p);
  // Older files lack the closed loop's sizing figures.
  out.concurrency = static_cast<unsigned>(r.optional_number(run, "concurrency", p).value_or(0));
  out.capacity_window = from_seconds(r.optional_number(run, "capacity_window_s", p).value_or(0));
  out.latency_window = from_seconds(r.optional_number(run, "latency_window_s", p).value_or(0));
  out.throughput = r.number(run, "throughput", p);
  out.cpu_ns_per_request = r.number(run, "cpu_ns_per_request", p);
  out.off_path_cpu_ns_per_request =
      r.optional_number(run, "off_path_cpu_ns_per_request", p).value_or(0);  // older files
  out.throughput_valid = r.boolean(run, "throughput_valid", p);
  out.throughput_invalid_reason = r.string(run, "throughput_invalid_reason", p);
  out.offered_rate = r.number(run, "offered_rate", p);
  out.achieved_rate = r.number(run, "achieved_rate", p);
  out.latency = read_latency(r, run, "latency_ns", p);
  out.uncorrected_p99 = r.integer(run, "uncorrected_p99_ns", p);
  out.send_lag = read_latency(r, run, "send_lag_ns", p);
  out.dropped_sends = r.count(run, "dropped_sends", p);
  out.lost = r.count(run, "lost", p);
  out.latency_valid = r.boolean(run, "latency_valid", p);
  out.latency_invalid_reason = r.string(run, "latency_invalid_reason", p);
  out.spans = read_spans(r, run, p);
  out.bytes_encoded = r.count(run, "bytes_encoded", p);
  out.spans_per_second = r.number(run, "spans_per_second", p);
  if (const json& c = r.at(run, "compression", p); !c.is_null()) {
    const std::string cp = p + "/compression";
    const json& co = r.object(run, "compression", p);
    compression_figures f;
    f.payloads = r.count(co, "payloads", cp);
    f.spans = r.count(co, "spans", cp);
    f.raw_bytes = r.count(co, "raw_bytes", cp);
    f.compressed_bytes = r.count(co, "compressed_bytes", cp);
    f.ratio = r.number(co, "ratio", cp);
    f.zstd_bytes_per_span = f.spans > 0 ? static_cast<double>(f.compressed_bytes) / static_cast<double>(f.spans) : 0;
    out.compression = f;
  }
  if (const json& l = r.at(run, "machine_load", p); !l.is_null()) {
    const std::string lp = p + "/machine_load";
    const json& lo = r.object(run, "machine_load", p);
    out.load = machine_load{r.number(lo, "other_cores", lp), r.number(lo, "self_cores", lp)};
  }
  if (const auto m = run.find("memory"); m != run.end() && !m->is_null()) {  // absent in older files
    const std::string mp = p + "/memory";
    const json& mo = r.object(run, "memory", p);
    out.memory = memory_figures{r.count(mo, "peak_rss_bytes", mp), r.count(mo, "heap_in_use_bytes", mp),
                                r.count(mo, "allocations", mp), r.count(mo, "requests", mp)};
  }
  return out;
}

std::optional<recorded_trace> read_trace(const field_reader& r, const json& document) {
  const auto it = document.find("slowest_trace");
  if (it == document.end() || it->is_null()) return std::nullopt;
  const std::string p = "/slowest_trace";
  const json& t = r.object(document, "slowest_trace", "");
  recorded_trace out;
  out.configuration = r.string(t, "configuration", p);
  out.requests = r.count(t, "requests", p);
  out.offered_rate = r.number(t, "offered_rate", p);
  out.trace_id = r.string(t, "trace_id", p);
  out.duration_ns = r.integer(t, "duration_ns", p);
  const json& spans = r.array(t, "spans", p);
  for (std::size_t i = 0; i < spans.size(); ++i) {
    const std::string sp = item(p, "spans", i);
    out.spans.push_back({r.string(spans[i], "span_id", sp), r.string(spans[i], "parent_span_id", sp),
                         r.string(spans[i], "service", sp), r.string(spans[i], "name", sp),
                         r.string(spans[i], "kind", sp), r.integer(spans[i], "start_ns", sp),
                         r.integer(spans[i], "duration_ns", sp), r.boolean(spans[i], "error", sp)});
  }
  return out;
}

comparison_metric read_metric(const field_reader& r, const json& parent, const std::string& path) {
  const std::string name = r.string(parent, "metric", path);
  for (const comparison_metric m : kComparisonMetrics) {
    if (metric_name(m) == name) return m;
  }
  r.fail(path + "/metric", "unknown metric \"" + name + "\"");
}

// summary/precision: absent in files written before it, null for a plan that did not adapt.
std::optional<adaptive_outcome> read_adaptive(const field_reader& r, const json& summary, const std::string& path) {
  const auto it = summary.find("precision");
  if (it == summary.end() || it->is_null()) return std::nullopt;
  const std::string p = path + "/precision";
  const json& doc = r.object(summary, "precision", path);
  adaptive_outcome out;
  const std::string ended = r.string(doc, "ended", p);
  const std::optional<rounds_end> end = rounds_end_named(ended);
  if (!end) r.fail(p + "/ended", "unknown end \"" + ended + "\"");
  out.ended = *end;
  out.min_rounds = r.small_count(doc, "min_rounds", p);
  if (const auto budget = r.optional_number(doc, "time_budget_s", p)) {
    out.time_budget = std::chrono::round<std::chrono::nanoseconds>(std::chrono::duration<double>(*budget));
  }
  const json& targets = r.array(doc, "targets", p);
  for (std::size_t i = 0; i < targets.size(); ++i) {
    const std::string tp = item(p, "targets", i);
    target_progress t;
    t.target = {read_metric(r, targets[i], tp), r.number(targets[i], "half_width_percent", tp)};
    t.reached = r.boolean(targets[i], "reached", tp);
    t.worst_half_width = r.optional_number(targets[i], "worst_half_width", tp);
    t.worst_configuration = r.string(targets[i], "worst_configuration", tp);
    t.configurations = r.count(targets[i], "configurations", tp);
    t.within = r.count(targets[i], "within", tp);
    t.worst_mean_half_width = r.optional_number(targets[i], "worst_geometric_mean_half_width", tp);
    out.precision.targets.push_back(std::move(t));
  }
  return out;
}

transport_kind read_transport(const field_reader& r, const json& plan) {
  const std::string name = r.string(plan, "transport", "/plan");
  for (transport_kind kind : {transport_kind::inproc, transport_kind::loopback, transport_kind::remote}) {
    if (transport_name(kind) == name) return kind;
  }
  r.fail("/plan/transport", "unknown transport \"" + name + "\"");
}

}  // namespace

closed_loop_sizing parse_closed_loop(const nlohmann::ordered_json& sizing, std::string_view origin,
                                     const std::string& p) {
  const field_reader r(origin);
  if (!sizing.is_object()) r.fail(p, "expected an object");
  closed_loop_sizing out;
  out.concurrency = r.small_count(sizing, "concurrency", p);
  out.chosen = r.boolean(sizing, "chosen", p);
  out.wait_bound = r.boolean(sizing, "wait_bound", p);
  const json& probes = r.array(sizing, "probes", p);
  for (std::size_t i = 0; i < probes.size(); ++i) {
    const std::string pp = item(p, "probes", i);
    out.probes.push_back({r.small_count(probes[i], "concurrency", pp), r.number(probes[i], "throughput", pp)});
  }
  out.capacity_window = from_seconds(r.number(sizing, "capacity_window_s", p));
  return out;
}

run_record parse_run_document(const nlohmann::ordered_json& run, std::string_view origin) {
  return read_run(field_reader(origin), run, "");
}

results_file parse_results_file(const nlohmann::ordered_json& document, std::string_view origin) {
  const field_reader r(origin);
  r.check_schema(document, kResultsSchema, "a tracebench results file");
  results_file out;
  out.origin = origin;
  out.document = document;
  (void)r.object(document, "environment", "");
  experiment_summary& s = out.summary;

  const json& scenario = r.object(document, "scenario", "");
  s.scenario_name = r.string(scenario, "name", "/scenario");
  s.spans_per_request = r.number(scenario, "spans_per_request", "/scenario");
  s.hops_per_request = r.number(scenario, "hops_per_request", "/scenario");

  const json& plan = r.object(document, "plan", "");
  s.transport = read_transport(r, plan);
  s.target = r.string(plan, "target", "/plan");
  s.work_scale = r.optional_number(plan, "work_scale", "/plan").value_or(1.0);  // older files: as written
  if (!(s.work_scale > 0)) r.fail("/plan/work_scale", "expected a number above 0");
  s.lag_bound = std::chrono::nanoseconds(r.integer(plan, "lag_bound_ns", "/plan"));
  s.lag_bound_adapts = r.boolean(plan, "lag_bound_adapts", "/plan");
  s.graph_threads = r.small_count(document, "graph_threads", "");

  const json& costs = r.object(document, "hot_path_costs_ns", "");
  const std::string cp = "/hot_path_costs_ns";
  s.costs = {r.number(costs, "unsampled_span", cp), r.number(costs, "sampled_span", cp),
             r.number(costs, "export_per_span", cp), r.number(costs, "inject", cp), r.number(costs, "extract", cp)};

  const json& summary = r.object(document, "summary", "");
  const std::string sp = "/summary";
  s.rounds = r.small_count(summary, "rounds", sp);
  s.runs_done = r.count(summary, "runs_done", sp);
  s.runs_planned = r.count(summary, "runs_planned", sp);
  s.interrupted = r.boolean(summary, "interrupted", sp);
  s.debug_build = r.boolean(summary, "debug_build", sp);
  s.loaded_runs = r.count(summary, "loaded_runs", sp);
  s.max_other_cores = r.number(summary, "max_other_cores", sp);
  s.offered_rate = r.number(summary, "offered_rate", sp);
  if (const auto it = document.find("closed_loop"); it != document.end() && !it->is_null()) {
    s.sizing = parse_closed_loop(*it, origin, "/closed_loop");
  }
  const json& g = r.object(summary, "generator", sp);
  const std::string gp = sp + "/generator";
  s.generator = {r.number(g, "lowest_achieved_fraction", gp), r.number(g, "median_send_lag_p99_ns", gp),
                 r.number(g, "max_send_lag_p99_ns", gp), r.count(g, "dropped_sends", gp), r.count(g, "lost", gp)};
  const json& rows = r.array(summary, "rows", sp);
  for (std::size_t i = 0; i < rows.size(); ++i) s.rows.push_back(read_row(r, rows[i], item(sp, "rows", i)));
  s.adaptive = read_adaptive(r, summary, sp);

  const json& runs = r.array(document, "runs", "");
  for (std::size_t i = 0; i < runs.size(); ++i) out.runs.push_back(read_run(r, runs[i], item("", "runs", i)));
  out.slowest_trace = read_trace(r, document);
  out.pipelines = read_pipelines(document, origin);
  return out;
}

nlohmann::ordered_json read_json_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw results_file_error(path + ": cannot open the file");
  std::stringstream text;
  text << in.rdbuf();
  if (in.bad()) throw results_file_error(path + ": cannot read the file");
  try {
    return nlohmann::ordered_json::parse(text.str());
  } catch (const nlohmann::json::parse_error& e) {
    // nlohmann's message carries the byte offset, which is where a person looks.
    throw results_file_error(path + ": not JSON: " + e.what());
  }
}

results_file read_results_file(const std::string& path) { return parse_results_file(read_json_file(path), path); }

}  // namespace tracebench::harness
