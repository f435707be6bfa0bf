#include "tracebench/report/report_content.hpp"

#include <iterator>
#include <string>
#include <utility>
#include <vector>

#include "summary_text.hpp"
#include "tracebench/common/text_format.hpp"
#include "tracebench/report/openmetrics.hpp"
#include "tracebench/report/pipeline_table.hpp"

namespace tracebench::harness {
namespace {

using json = nlohmann::ordered_json;

constexpr double kNanosPerMicro = 1000;

// The measured fraction, not the configured one: a sampler that samples less (or more) than its
// rate says shows here.
std::string sampled_cell(const configuration_summary& row) {
  if (row.baseline) return "-";
  if (row.spans.started == 0) return "n/a";
  return format_percent(static_cast<double>(row.spans.sampled) / static_cast<double>(row.spans.started));
}

// The overhead table's rows, or (noise_floor) the A/A row alone, shown apart as the noise floor.
report_table overhead_table(const experiment_summary& summary, bool noise_floor) {
  report_table t{noise_floor ? "noise-floor" : "overhead",
                 noise_floor ? std::string(kNoiseFloorTitle) : "Tracing overhead",
                 {"rate", "runs", "latency mean", "latency p50", "latency p99", "throughput", "CPU/req", "spans/s",
                  "bytes/span", "sampled", "Dapper latency", "Dapper throughput"},
                 {}};
  for (const configuration_summary& row : summary.rows) {
    if (row.noise_floor != noise_floor) continue;
    const auto dapper = dapper_lookup(row.configuration);
    t.rows.push_back({row.configuration, runs_cell(row), change_cell(row, row.mean_latency),
                      change_cell(row, row.p50_latency), change_cell(row, row.p99_latency),
                      change_cell(row, row.throughput), change_cell(row, row.cpu_per_request),
                      row.baseline ? "-" : format_thousands(row.spans_per_second),
                      row.bytes_per_span > 0 ? format_thousands(row.bytes_per_span) : "-", sampled_cell(row),
                      dapper ? signed_percent(dapper->latency_change_percent) : "-",
                      dapper ? signed_percent(dapper->throughput_change_percent) : "-"});
  }
  return t;
}

report_table volume_table(const experiment_summary& summary) {
  report_table t{
      "volume",
      "Span volume",
      {"rate", "started", "sampled", "exported", "dropped", "zstd B/span", "spans/day", "OTLP/JSON/day", "zstd/day"},
      {}};
  for (const configuration_summary& row : summary.rows) {
    std::vector<std::string> cells{row.configuration,
                                   format_thousands(static_cast<double>(row.spans.started)),
                                   format_thousands(static_cast<double>(row.spans.sampled)),
                                   format_thousands(static_cast<double>(row.spans.exported)),
                                   format_thousands(static_cast<double>(row.spans.dropped)),
                                   optional_cell(row.zstd_bytes_per_span, format_thousands)};
    for (std::string& cell : projection_cells(row)) cells.push_back(std::move(cell));
    t.rows.push_back(std::move(cells));
  }
  return t;
}

// Empty (no header, no rows) for files written before memory was measured.
report_table memory_table(const experiment_summary& summary) {
  if (!has_memory(summary)) return {"memory", kMemoryTitle, {}, {}};
  report_table t{"memory",
                 kMemoryTitle,
                 {"rate", "peak RSS", "peak RSS chg", "heap in use", "heap in use chg", "allocs/req", "allocs/req chg",
                  "allocs/req added"},
                 {}};
  for (const configuration_summary& row : summary.rows) {
    t.rows.push_back(
        {row.configuration, optional_cell(row.median_peak_rss_bytes, format_bytes), change_cell(row, row.peak_rss),
         optional_cell(row.median_heap_in_use_bytes, format_bytes), change_cell(row, row.heap_in_use),
         optional_cell(row.median_allocations_per_request, format_count), change_cell(row, row.allocations_per_request),
         difference_cell(row, row.allocations_added_per_request)});
  }
  return t;
}

// A value of the document as a person reads it; "-" for what the host could not tell.
std::string text_of(const json& value) {
  if (value.is_null()) return "-";
  if (value.is_string()) return value.get<std::string>();
  if (value.is_array()) {
    std::string out;
    for (const json& v : value) out += (out.empty() ? "" : ", ") + text_of(v);
    return out;
  }
  return value.dump();
}

// "64 in flight, chosen: 16 -> 2,345/s, 32 -> 4,100/s, 64 -> 4,180/s (saturated)", or the plan's fixed figure.
std::string closed_loop_text(const json& document) {
  const auto it = document.find("closed_loop");
  if (it == document.end() || !it->is_object()) {
    return text_of(document.at("plan").value("concurrency", json())) + " in flight";
  }
  const json& c = *it;
  std::string text = text_of(c.value("concurrency", json())) + " in flight";
  if (!c.value("chosen", false)) return text + " (fixed)";
  text += ", chosen:";
  const char* separator = " ";
  for (const json& probe : c.value("probes", json::array())) {
    text += separator + text_of(probe.value("concurrency", json())) + " -> " +
            format_thousands(probe.value("throughput", 0.0)) + "/s";
    separator = ", ";
  }
  return text + (c.value("wait_bound", false) ? " (wait-bound: still growing)" : " (saturated)");
}

std::vector<std::pair<std::string, std::string>> environment_rows(const results_file& results) {
  std::vector<std::pair<std::string, std::string>> rows;
  const json& env = results.document.at("environment");
  const auto add = [&](const char* label, const char* key) {
    const auto it = env.find(key);
    rows.emplace_back(label, it == env.end() ? "-" : text_of(*it));
  };
  add("CPU", "cpu_model");
  add("cores", "cores");
  add("kernel", "kernel");
  add("CPU governor", "cpu_governor");
  add("load average at end", "load_average_at_end");
  add("compiler", "compiler");
  add("build type", "build_type");
  add("git commit", "git_commit");
  if (const auto work = env.find("work"); work != env.end() && work->is_object()) {
    std::string text = text_of(work->value("model", json())) + ", " + text_of(work->value("calibration", json()));
    // A remote graph's: each serve process's own calibration, by the service it serves.
    const json processes = work->value("processes", json::array());
    for (std::size_t i = 0; processes.is_array() && i < processes.size(); ++i) {
      const json& p = processes[i];
      if (!p.is_object()) continue;
      text.append(i == 0 ? ": " : "; ").append(text_of(p.value("service", json()))).append(" ");
      text += p.contains("calibration") ? text_of(p["calibration"]) : text_of(p.value("model", json()));
    }
    rows.emplace_back("work model", text);
  }
  const json& plan = results.document.at("plan");
  const auto plan_value = [&](const char* key) {
    const auto it = plan.find(key);
    return it == plan.end() ? std::string("-") : text_of(*it);
  };
  // With precision targets the plan's rounds were the minimum (the summary says how many ran).
  const auto targets = plan.find("precision");
  const bool adaptive = targets != plan.end() && targets->is_array() && !targets->empty();
  rows.emplace_back("plan", (adaptive ? "at least " : "") + plan_value("rounds") + " rounds of " +
                                text_of(plan.value("configurations", json())) + "; phases " +
                                plan_value("phase_duration_s") + " s after " + plan_value("warmup_s") +
                                " s warm-up; closed loop " + closed_loop_text(results.document) + "; load " +
                                text_of(plan.value("load", json::object()).value("description", json())) + "; seed " +
                                plan_value("seed"));
  return rows;
}

// A table of make_pipeline_tables (header row first) under the title the terminal gives it.
report_table pipeline_table(std::string id, std::string title, std::vector<std::vector<std::string>> rows) {
  report_table t{std::move(id), std::move(title), std::move(rows.front()), {}};
  t.rows.assign(std::make_move_iterator(rows.begin() + 1), std::make_move_iterator(rows.end()));
  return t;
}

// The same tables, in the same order and on the same conditions, as render_pipeline_tables.
void add_pipelines(const pipeline_summary& summary, report_content& c) {
  pipeline_tables t = make_pipeline_tables(summary);
  c.pipeline_tables.push_back(pipeline_table("pipelines", std::string(kPipelinesTitle), std::move(t.kept)));
  if (t.reweighting.size() > 1) {
    c.pipeline_tables.push_back(
        pipeline_table("pipeline-reweighting", std::string(kReweightingTitle), std::move(t.reweighting)));
  }
  if (t.memory.size() > 1) {
    c.pipeline_tables.push_back(
        pipeline_table("pipeline-memory", std::string(kCollectorMemoryTitle), std::move(t.memory)));
  }
  c.pipeline_notes = std::move(t.notes);
}

}  // namespace

report_content make_report_content(const results_file& results) {
  const experiment_summary& s = results.summary;
  report_content c;
  c.title = "Tracing overhead: " + s.scenario_name;
  c.subtitle = experiment_setup_line(s);
  c.warnings = summary_warnings(s);
  if (!results.document.value("complete", true) && !s.interrupted) {
    c.warnings.emplace_back("Incomplete: the results file says the experiment did not finish.");
  }
  c.overhead = overhead_table(s, false);
  c.noise_floor = overhead_table(s, true);
  c.precision = precision_lines(s);
  c.volume = volume_table(s);
  c.memory = memory_table(s);
  c.memory_note = memory_note(s);
  c.notes.push_back(
      "Latency, throughput and CPU/req: median of per-round changes against the same round's off run "
      "[95% interval]; ~ = the interval contains 0 (within noise). Latency is from the open loop, corrected for "
      "coordinated omission; throughput and CPU/req from the closed loop. spans/s at the offered load; sampled = "
      "spans sampled / spans started.");
  if (std::string note = noise_floor_note(s); !note.empty()) c.notes.push_back(std::move(note));
  for (const configuration_summary& row : s.rows) {
    if (!row.baseline) continue;
    c.notes.push_back("Baseline (off): " + format_thousands(row.median_throughput) + " requests/s capacity, " +
                      format_duration_us(row.median_cpu_ns_per_request / kNanosPerMicro) + " CPU per request, p99 " +
                      format_duration_us(row.median_p99_ns / kNanosPerMicro) + " at the offered load (medians).");
  }
  if (std::string note = interval_level_note(s); !note.empty()) c.notes.push_back(std::move(note));
  c.notes.push_back(predicted_note(s));
  c.notes.push_back(validity_rule_line(s));
  c.notes.push_back(kDapperSource);
  c.notes.push_back(
      "Span volume: counts summed over every run, warm-ups included; zstd level 3 on the runs' own export "
      "requests; per day at the scenario's production rate and each configuration's sampled fraction.");
  c.generator_health = generator_health_line(s);
  c.projection = projection_line(s);
  if (c.projection.empty()) c.projection = "No projection: the scenario has no production profile.";
  c.environment = environment_rows(results);
  for (const configuration_summary& row : s.rows) {
    for (const std::string& reason : row.invalid_reasons) c.invalid_runs.push_back(row.configuration + " " + reason);
  }
  if (results.pipelines) add_pipelines(*results.pipelines, c);
  return c;
}

std::string render_openmetrics_report(const results_file& results) {
  std::vector<openmetrics_series> series;
  for (const configuration_summary& row : results.summary.rows) {
    openmetrics_series s{row.configuration, &row.latency, {}};
    if (results.pipelines) {
      for (const pipeline_row& p : results.pipelines->rows) {
        if (p.configuration != row.configuration) continue;
        s.exemplars.insert(s.exemplars.end(), p.exemplars.begin(), p.exemplars.end());
      }
    }
    series.push_back(std::move(s));
  }
  return render_openmetrics("tracebench_request_latency_seconds", series, default_latency_bounds());
}

}  // namespace tracebench::harness
