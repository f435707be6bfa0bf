#include "tracebench/load/load_report.hpp"

#include <cstdio>
#include <nlohmann/json.hpp>

namespace tracebench::harness {

namespace {

double seconds(std::chrono::nanoseconds d) { return std::chrono::duration<double>(d).count(); }

std::string fixed(double value, int decimals) {
  char buffer[48];
  std::snprintf(buffer, sizeof buffer, "%.*f", decimals, value);
  return buffer;
}

std::string millis(double nanos) { return fixed(nanos / 1e6, 3); }

// Right-aligned in `width` columns.
std::string column(const std::string& text, std::size_t width) {
  return text.size() >= width ? " " + text : std::string(width - text.size(), ' ') + text;
}

std::string latency_row(const char* label, const latency_summary& s) {
  std::string row = "    ";
  row += label;
  row.resize(22, ' ');
  for (const std::int64_t v : {s.p50, s.p90, s.p99, s.p999, s.max}) row += column(millis(static_cast<double>(v)), 10);
  row += column(millis(s.mean), 10);
  return row + '\n';
}

nlohmann::ordered_json latency_json(const latency_summary& s) {
  return {{"count", s.count}, {"p50", s.p50}, {"p90", s.p90},  {"p99", s.p99},
          {"p99_9", s.p999},  {"max", s.max}, {"mean", s.mean}};
}

// What both loops' results have under the same names.
template <typename Run>
load_report common(const load_setup& setup, const Run& run, const http_error_counts& errors) {
  load_report r;
  r.setup = setup;
  r.by_category = errors;
  r.sent = run.sent;
  r.completed = run.completed;
  r.errors = run.errors;
  r.lost = run.lost;
  r.latency = summarize(run.latency);
  r.valid = run.valid;
  r.invalid_reason = run.invalid_reason;
  return r;
}

}  // namespace

load_report make_load_report(const load_setup& setup, double rate, const open_loop_result& run,
                             const http_error_counts& errors) {
  load_report r = common(setup, run, errors);
  r.open_loop = true;
  r.target_rate = rate;
  r.achieved_rate = run.achieved_rate;
  r.uncorrected = summarize(run.uncorrected);
  r.send_lag_p99 = run.send_lag.value_at_percentile(99.0);
  return r;
}

load_report make_load_report(const load_setup& setup, unsigned concurrency, const closed_loop_result& run,
                             const http_error_counts& errors) {
  load_report r = common(setup, run, errors);
  r.open_loop = false;
  r.concurrency = concurrency;
  r.achieved_rate = run.throughput;
  return r;
}

std::string render_load_text(const load_report& r) {
  const load_setup& s = r.setup;
  std::string out = r.open_loop ? "open loop at " + fixed(r.target_rate, 1) + "/s"
                                : "closed loop, " + std::to_string(r.concurrency) + " in flight";
  out += " for " + fixed(seconds(s.duration - s.warmup), 3) + " s (after " + fixed(seconds(s.warmup), 3) +
         " s warm-up): " + s.method + " " + s.url + "\n";
  out += "  " + std::to_string(s.connections) + " connections, " + std::to_string(s.threads) + " threads\n";
  out += "  requests    " + std::to_string(r.sent) + " sent, " + std::to_string(r.completed) + " completed, " +
         std::to_string(r.lost) + " lost\n";
  out += r.open_loop
             ? "  rate        " + fixed(r.achieved_rate, 1) + "/s achieved of " + fixed(r.target_rate, 1) + "/s\n"
             : "  throughput  " + fixed(r.achieved_rate, 1) + "/s\n";
  const http_error_counts& e = r.by_category;
  out += "  errors      " + std::to_string(r.errors) + " (connect " + std::to_string(e.connect) + ", io " +
         std::to_string(e.io) + ", timeout " + std::to_string(e.timeout) + ", status " + std::to_string(e.status) +
         ")\n";
  std::string heading = "  latency (ms)";
  heading.resize(22, ' ');  // latency_row's label column
  for (const char* name : {"p50", "p90", "p99", "p99.9", "max", "mean"}) heading += column(name, 10);
  out += heading + '\n';
  out += latency_row(r.open_loop ? "corrected" : "latency", r.latency);
  if (r.uncorrected) out += latency_row("uncorrected", *r.uncorrected);
  if (r.send_lag_p99) out += "  send lag    p99 " + millis(static_cast<double>(*r.send_lag_p99)) + " ms\n";
  if (r.open_loop) {
    out += r.valid ? "  generator kept its schedule\n" : "  generator fell behind: " + r.invalid_reason + "\n";
  } else if (!r.valid) {
    out += "  invalid: " + r.invalid_reason + "\n";
  }
  return out;
}

std::string render_load_json(const load_report& r) {
  const load_setup& s = r.setup;
  nlohmann::ordered_json doc;
  doc["url"] = s.url;
  doc["method"] = s.method;
  doc["mode"] = r.open_loop ? "open" : "closed";
  if (r.open_loop) {
    doc["rate"] = r.target_rate;
  } else {
    doc["concurrency"] = r.concurrency;
  }
  doc["connections"] = s.connections;
  doc["threads"] = s.threads;
  doc["duration_s"] = seconds(s.duration);
  doc["warmup_s"] = seconds(s.warmup);
  doc["sent"] = r.sent;
  doc["completed"] = r.completed;
  doc["errors"] = r.errors;
  doc["lost"] = r.lost;
  doc[r.open_loop ? "achieved_rate" : "throughput"] = r.achieved_rate;
  doc["errors_by_category"] = {{"connect", r.by_category.connect},
                               {"io", r.by_category.io},
                               {"timeout", r.by_category.timeout},
                               {"status", r.by_category.status}};
  doc["latency_ns"] = latency_json(r.latency);
  if (r.uncorrected) doc["uncorrected_latency_ns"] = latency_json(*r.uncorrected);
  if (r.send_lag_p99) doc["send_lag_p99_ns"] = *r.send_lag_p99;
  doc["valid"] = r.valid;
  doc["invalid_reason"] = r.invalid_reason;
  return doc.dump(2) + '\n';
}

}  // namespace tracebench::harness
