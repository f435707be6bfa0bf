#include "tracebench/report/pipeline_table.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>

#include "summary_text.hpp"
#include "tracebench/common/text_format.hpp"

namespace tracebench::harness {
namespace {

// Small shares matter here (1 in 1024): enough figures to tell 0.1% from 0.
std::string share_percent(double fraction) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.3g%%", fraction * 100);
  return buffer;
}

// "7 of 8 (87.5%)": the counts behind a capture rate, since a handful of rare events is noisy.
std::string captured_cell(std::uint64_t part, std::uint64_t whole) {
  if (whole == 0) return "none occurred";
  return format_thousands(static_cast<double>(part)) + " of " + format_thousands(static_cast<double>(whole)) + " (" +
         share_percent(static_cast<double>(part) / static_cast<double>(whole)) + ")";
}

std::string covered_cell(std::size_t covered, std::size_t runs) {
  return std::to_string(covered) + " of " + std::to_string(runs);
}

void add_table(std::string& out, std::string_view title, const std::vector<std::vector<std::string>>& rows,
               table_style style) {
  if (style == table_style::markdown) out += "### ";
  out += title;
  out += style == table_style::markdown ? "\n\n" : "\n";
  out += style == table_style::markdown ? pipe_table(rows) : aligned_table(rows);
  out += '\n';
}

}  // namespace

pipeline_tables make_pipeline_tables(const pipeline_summary& summary) {
  pipeline_tables t;
  t.kept.push_back({"pipeline", "runs", "kept traces", "errors captured", "slow captured", "stored/day",
                    "collector peak", "evicted", "request-path CPU chg", "exporter CPU/req"});
  t.reweighting.push_back({"pipeline", "stored traces", "requests: est. error", "requests: CI held truth",
                           "error rate: est. error", "error rate: CI held truth", "naive error rate: error"});
  const bool sharded =
      std::any_of(summary.rows.begin(), summary.rows.end(), [](const pipeline_row& row) { return row.collectors > 1; });
  if (sharded) t.kept.front().insert(t.kept.front().begin() + 8, "split traces");
  for (const pipeline_row& row : summary.rows) {
    t.kept.push_back({row.configuration, std::to_string(row.runs),
                      format_thousands(static_cast<double>(row.kept)) + " (" + share_percent(row.kept_fraction()) + ")",
                      captured_cell(row.kept_errors, row.errors), captured_cell(row.kept_slow, row.slow),
                      format_bytes(row.bytes_per_day(summary.requests_per_second)),
                      optional_cell(row.collector_peak_bytes, format_bytes),
                      row.collector_peak_bytes ? format_thousands(static_cast<double>(row.traces_evicted)) : "-",
                      delta_cell(row.request_path_cpu), format_duration_us(row.off_path_cpu_ns_per_request / 1000)});
    if (sharded) {
      t.kept.back().insert(t.kept.back().begin() + 8, row.collectors > 0
                                                          ? format_thousands(static_cast<double>(row.split_traces)) +
                                                                " (" + std::to_string(row.collectors) + " collectors)"
                                                          : "-");
    }
    if (row.estimated_runs == 0) continue;
    t.reweighting.push_back(
        {row.configuration, format_thousands(static_cast<double>(row.kept)), signed_percent(row.requests_error_percent),
         covered_cell(row.requests_covered, row.estimated_runs), signed_percent(row.error_rate_error_percent),
         covered_cell(row.error_rate_covered, row.estimated_runs), signed_percent(row.naive_error_rate_error_percent)});
  }
  t.memory.push_back({"varied", "decision wait", "offered/s", "achieved/s", "peak traces held", "rate x wait",
                      "peak bytes held", "evicted"});
  for (const memory_sweep_point& p : summary.memory_sweep) {
    t.memory.push_back(
        {p.varied, format_duration_us(std::chrono::duration<double, std::micro>(p.decision_wait).count()),
         format_thousands(p.offered_rate), format_thousands(p.achieved_rate),
         format_thousands(static_cast<double>(p.peak_traces)), format_thousands(p.expected_traces()),
         format_bytes(static_cast<double>(p.peak_bytes)), format_thousands(static_cast<double>(p.traces_evicted))});
  }
  const std::string rate = format_thousands(summary.requests_per_second) + " requests/s";
  t.notes.push_back(
      "Captured and kept are counts against ground truth: the harness saw every request's outcome and "
      "every trace storage received, over the latency phase of every run of the pipeline (the closed loop's "
      "latencies are its own queueing).");
  t.notes.push_back("Stored/day is the OTLP/JSON storage received per request, at " + rate +
                    (summary.production_rate ? " (the scenario's production rate)." : " (the offered load)."));
  t.notes.push_back(
      "Collector peak is the median over runs of the most the tail collector held during the latency "
      "phase; evicted traces were dropped before their decision, over num_traces.");
  if (std::any_of(summary.rows.begin(), summary.rows.end(), [](const pipeline_row& r) { return r.collectors > 1; })) {
    t.notes.push_back(
        "Split traces reached two collectors, so two decided them: the router moved them when the "
        "collector tier grew mid-run (jump consistent hashing moves only what the new collectors take).");
  }
  if (t.memory.size() > 1) {
    t.notes.push_back(
        "Rate x wait is what Little's law says the collector holds; it decides a trace when the first "
        "batch after its wait arrives, so it holds traces up to one export interval longer.");
  }
  t.notes.push_back(
      "Request-path CPU is the closed loop's process CPU per request less the exporter thread's "
      "(which runs the collector here), against off in the same round; exporter CPU/req is that "
      "thread's CPU per request.");
  t.notes.push_back(
      "Reweighting: each stored trace counts for its adjusted count (1/its probability of being kept, "
      "from the ot th its spans carry); est. error is the median over runs of (estimate - truth) / "
      "truth, and the 95% interval held the truth in the runs shown.");
  return t;
}

std::string render_pipeline_tables(const pipeline_summary& summary, table_style style) {
  const pipeline_tables t = make_pipeline_tables(summary);
  std::string out;
  add_table(out, kPipelinesTitle, t.kept, style);
  if (t.reweighting.size() > 1) add_table(out, kReweightingTitle, t.reweighting, style);
  if (t.memory.size() > 1) add_table(out, kCollectorMemoryTitle, t.memory, style);
  for (const std::string& note : t.notes) out += note + (style == table_style::markdown ? "\n\n" : "\n");
  return out;
}

}  // namespace tracebench::harness
