#include "tracebench/report/markdown_report.hpp"

#include "tracebench/common/text_format.hpp"
#include "tracebench/report/report_content.hpp"

namespace tracebench::harness {
namespace {

constexpr double kNanosPerMicro = 1000;

std::string table_markdown(const report_table& t) {
  std::vector<std::vector<std::string>> rows{t.header};
  rows.insert(rows.end(), t.rows.begin(), t.rows.end());
  return pipe_table(rows);
}

// Pipes and newlines would break the table a value sits in.
std::string cell_text(std::string text) {
  for (char& c : text) {
    if (c == '|') c = '/';
    if (c == '\n' || c == '\r') c = ' ';
  }
  return text;
}

std::string trace_section(const recorded_trace& t) {
  std::size_t errors = 0;
  for (const recorded_span& s : t.spans) errors += s.error ? 1U : 0U;
  return "## Slowest sampled trace\n\nTrace `" + t.trace_id +
         "`: " + format_duration_us(static_cast<double>(t.duration_ns) / kNanosPerMicro) + ", " +
         std::to_string(t.spans.size()) + " spans (" + std::to_string(errors) + " with error status), the slowest of " +
         std::to_string(t.requests) + " requests at " + format_thousands(t.offered_rate) + "/s traced " +
         t.configuration +
         " in a capture run after the experiment. Its waterfall and critical path are in the HTML report.\n";
}

// Laid out as the terminal lays it out: the first table is the section's own, the others are its
// subsections, the notes come last.
std::string pipelines_section(const report_content& c) {
  const report_table& first = c.pipeline_tables.front();
  std::string out = "## " + first.title + "\n\n" + table_markdown(first) + '\n';
  for (std::size_t i = 1; i < c.pipeline_tables.size(); ++i) {
    out += "### " + c.pipeline_tables[i].title + "\n\n" + table_markdown(c.pipeline_tables[i]) + '\n';
  }
  for (const std::string& note : c.pipeline_notes) out += note + "\n\n";
  return out;
}

}  // namespace

std::string render_markdown_report(const results_file& results) {
  const report_content c = make_report_content(results);
  std::string out = "# " + c.title + "\n\n" + c.subtitle + "\n";
  for (const std::string& w : c.warnings) out += "\n> **Warning:** " + w + '\n';
  out += "\n## " + c.overhead.title + "\n\n" + table_markdown(c.overhead) + '\n';
  if (!c.noise_floor.rows.empty()) out += "\n## " + c.noise_floor.title + "\n\n" + table_markdown(c.noise_floor) + '\n';
  if (!c.precision.empty()) {
    out += "\n## Precision\n\n";
    for (const std::string& line : c.precision) out += "- " + line + '\n';
    out += '\n';
  }
  for (const std::string& note : c.notes) out += note + "\n\n";
  out += c.generator_health + "\n\n## " + c.volume.title + "\n\n" + table_markdown(c.volume) + '\n' + c.projection +
         "\n\n";
  if (!c.memory.rows.empty()) {
    out += "## " + c.memory.title + "\n\n" + table_markdown(c.memory) + '\n' + c.memory_note + "\n\n";
  }
  if (!c.pipeline_tables.empty()) out += pipelines_section(c);
  if (results.slowest_trace) out += trace_section(*results.slowest_trace) + '\n';
  out += "## Environment\n\n";
  std::vector<std::vector<std::string>> env{{"", "value"}};
  for (const auto& [label, value] : c.environment) env.push_back({label, cell_text(value)});
  out += pipe_table(env);
  if (!c.invalid_runs.empty()) {
    out += "\n## Invalid runs\n\nLeft out of the changes above:\n\n";
    for (const std::string& line : c.invalid_runs) out += "- " + line + '\n';
  }
  out += "\nMade by `tracebench report` from " + results.origin + ".\n";
  return out;
}

}  // namespace tracebench::harness
