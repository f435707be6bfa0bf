#include "tracebench/report/html_report.hpp"

#include <nlohmann/json.hpp>

#include <array>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string_view>
#include <vector>

#include "markup_escape.hpp"
#include "report_charts.hpp"
#include "tracebench/common/text_format.hpp"
#include "tracebench/report/report_content.hpp"
#include "tracebench/report/request_cost_report.hpp"

#ifndef TRACEBENCH_REPORT_ASSETS_DIR
#define TRACEBENCH_REPORT_ASSETS_DIR "harness/report-assets/node_modules"
#endif

namespace tracebench::harness {

namespace {

using json = nlohmann::json;

struct library {
  std::string_view package;
  std::string_view build;  // the minified UMD build, which defines a global
};
// In load order: vega-lite needs vega, vega-embed both.
constexpr std::array<library, 3> kLibraries{{
    {"vega", "build/vega.min.js"},
    {"vega-lite", "build/vega-lite.min.js"},
    {"vega-embed", "build/vega-embed.min.js"},
}};

constexpr std::string_view kInstallHint = "run: npm ci --prefix harness/report-assets";

std::string read_library(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw report_assets_error(file.string() + ": missing (" + std::string(kInstallHint) + ")");
  std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  if (in.bad() || text.empty()) {
    throw report_assets_error(file.string() + ": unreadable or empty (" + std::string(kInstallHint) + ")");
  }
  return text;
}

// For the page's credits; a package.json that cannot be read just leaves the version out.
std::string package_version(const std::filesystem::path& package_dir) {
  std::ifstream in(package_dir / "package.json");
  const json manifest = json::parse(in, nullptr, false);
  if (manifest.is_object() && manifest.contains("version") && manifest["version"].is_string()) {
    return manifest["version"].get<std::string>();
  }
  return {};
}

bool starts_with_ignoring_case(std::string_view text, std::size_t at, std::string_view lower) {
  if (text.size() - at < lower.size()) return false;
  for (std::size_t i = 0; i < lower.size(); ++i) {
    const char c = text[at + i];
    if ((c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c) != lower[i]) return false;
  }
  return true;
}

// The HTML parser ends a script at "</script" in any case, and "<!--" can make it skip one;
// both only occur in string or regex literals of minified code, where "<\/" and "\x3C" mean
// the same thing.
std::string script_safe(std::string_view code) {
  std::string out;
  out.reserve(code.size() + 64);
  for (std::size_t i = 0; i < code.size(); ++i) {
    if (code[i] == '<' && starts_with_ignoring_case(code, i + 1, "/script")) {
      out += "<\\/";
      ++i;
    } else if (code[i] == '<' && code.substr(i + 1, 3) == "!--") {
      out += "\\x3C";
    } else {
      out += code[i];
    }
  }
  return out;
}

// JSON for a <script> element: '<', '>' and '&' can only occur inside JSON strings, where
// their \u escapes read back the same.
std::string json_for_script(const json& value) {
  const std::string text = value.dump(-1, ' ', false, json::error_handler_t::replace);
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '<':
        out += "\\u003c";
        break;
      case '>':
        out += "\\u003e";
        break;
      case '&':
        out += "\\u0026";
        break;
      default:
        out += c;
    }
  }
  return out;
}

constexpr std::string_view kStyle = R"(
:root { color-scheme: light; }
body { margin: 0; color: #1f2328; background: #fff;
  font: 14px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; }
main { max-width: 1120px; margin: 0 auto; padding: 24px 24px 48px; }
h1 { font-size: 24px; margin: 0 0 4px; }
h2 { font-size: 18px; margin: 32px 0 8px; padding-bottom: 4px; border-bottom: 1px solid #d8dee4; }
h3 { font-size: 15px; margin: 0 0 2px; }
.subtitle { color: #57606a; margin: 0 0 16px; }
.warnings { background: #fff8e6; border-left: 4px solid #d4a72c; margin: 16px 0; padding: 8px 12px 8px 32px; }
.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; font-size: 12px; font-variant-numeric: tabular-nums; }
th, td { padding: 4px 6px; border-bottom: 1px solid #eaeef2; text-align: right; }
th:first-child, td:first-child { text-align: left; }
thead th { border-bottom: 2px solid #afb8c1; font-weight: 600; vertical-align: bottom; white-space: normal; }
.notes p { color: #424a53; max-width: 900px; }
dl.environment { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; }
dl.environment dt { color: #57606a; }
dl.environment dd { margin: 0; font-variant-numeric: tabular-nums; }
.chart { margin: 28px 0 36px; }
.chart .caption { color: #57606a; margin: 0 0 10px; max-width: 900px; }
.chart .empty { color: #6e7781; font-style: italic; border: 1px dashed #d0d7de; padding: 16px; }
footer { color: #6e7781; font-size: 12px; margin-top: 48px; }
)";
// Only in pages with a pipeline section, so that pages without one stay as they were.
constexpr std::string_view kPipelineStyle = ".pipelines h3 { margin: 20px 0 6px; }\n";

// Draws every chart whose element has a view; a failure shows in the page and in the console.
constexpr std::string_view kEmbedScript = R"(
(function () {
  var specs = JSON.parse(document.getElementById('chart-specs').textContent);
  document.querySelectorAll('[data-chart]').forEach(function (element) {
    var spec = specs[element.getAttribute('data-chart')];
    var view = element.querySelector('.view');
    if (!spec || !view) return;
    vegaEmbed(view, spec, {mode: 'vega-lite', renderer: 'svg', actions: false}).catch(function (error) {
      view.textContent = 'This chart could not be drawn: ' + error;
      console.error(error);
    });
  });
})();
)";

// A wide table wraps its cells only between a figure and its interval ("+1.2% [-0.4, +2.9] ~"),
// never inside either.
std::string cell_html(std::string_view cell) {
  std::string out;
  for (std::size_t i = 0; i < cell.size(); ++i) {
    if (cell[i] == ' ' && (i + 1 >= cell.size() || cell[i + 1] != '[')) {
      out += "&nbsp;";
    } else {
      out += escape_markup(cell.substr(i, 1));
    }
  }
  return out;
}

void write_table_wrap(std::ostream& out, const report_table& table) {
  out << "<div class=\"table-wrap\"><table>\n<thead><tr>";
  for (const std::string& cell : table.header) out << "<th>" << escape_markup(cell) << "</th>";
  out << "</tr></thead>\n<tbody>\n";
  for (const std::vector<std::string>& row : table.rows) {
    out << "<tr>";
    for (const std::string& cell : row) out << "<td>" << cell_html(cell) << "</td>";
    out << "</tr>\n";
  }
  out << "</tbody></table></div>\n";
}

void write_table(std::ostream& out, const report_table& table) {
  if (table.header.empty() && table.rows.empty()) return;
  out << "<section id=\"" << escape_markup(table.id) << "\">\n<h2>" << escape_markup(table.title) << "</h2>\n";
  write_table_wrap(out, table);
  out << "</section>\n";
}

// As the terminal lays it out: the first table is the section's own, the others its subsections,
// the notes last.
void write_pipelines(std::ostream& out, const report_content& content) {
  if (content.pipeline_tables.empty()) return;
  const report_table& first = content.pipeline_tables.front();
  out << "<section id=\"" << escape_markup(first.id) << "\" class=\"pipelines\">\n<h2>" << escape_markup(first.title)
      << "</h2>\n";
  write_table_wrap(out, first);
  for (std::size_t i = 1; i < content.pipeline_tables.size(); ++i) {
    const report_table& table = content.pipeline_tables[i];
    out << "<section id=\"" << escape_markup(table.id) << "\">\n<h3>" << escape_markup(table.title) << "</h3>\n";
    write_table_wrap(out, table);
    out << "</section>\n";
  }
  out << "<div class=\"notes\">\n";
  for (const std::string& note : content.pipeline_notes) out << "<p>" << escape_markup(note) << "</p>\n";
  out << "</div>\n</section>\n";
}

void write_list(std::ostream& out, std::string_view css_class, const std::vector<std::string>& items) {
  out << "<ul class=\"" << css_class << "\">\n";
  for (const std::string& item : items) out << "<li>" << escape_markup(item) << "</li>\n";
  out << "</ul>\n";
}

void write_text(std::ostream& out, const report_content& content) {
  if (!content.warnings.empty()) write_list(out, "warnings", content.warnings);
  write_table(out, content.overhead);
  if (!content.noise_floor.rows.empty()) write_table(out, content.noise_floor);
  if (!content.precision.empty()) {
    out << "<section id=\"precision\">\n<h2>Precision</h2>\n";
    write_list(out, "precision", content.precision);
    out << "</section>\n";
  }
  write_table(out, content.volume);
  if (!content.memory.rows.empty()) {
    out << "<section id=\"" << escape_markup(content.memory.id) << "\">\n<h2>" << escape_markup(content.memory.title)
        << "</h2>\n";
    write_table_wrap(out, content.memory);
    out << "<p class=\"memory-note\">" << escape_markup(content.memory_note) << "</p>\n</section>\n";
  }
  if (!content.notes.empty()) {
    out << "<section class=\"notes\">\n";
    for (const std::string& note : content.notes) out << "<p>" << escape_markup(note) << "</p>\n";
    out << "</section>\n";
  }
  if (!content.generator_health.empty()) {
    out << "<p class=\"generator-health\">" << escape_markup(content.generator_health) << "</p>\n";
  }
  if (!content.projection.empty()) out << "<p class=\"projection\">" << escape_markup(content.projection) << "</p>\n";
  write_pipelines(out, content);
  if (!content.environment.empty()) {
    out << "<section id=\"environment\">\n<h2>Environment</h2>\n<dl class=\"environment\">\n";
    for (const auto& [label, value] : content.environment) {
      out << "<dt>" << escape_markup(label) << "</dt><dd>" << escape_markup(value) << "</dd>\n";
    }
    out << "</dl>\n</section>\n";
  }
  if (!content.invalid_runs.empty()) {
    out << "<section id=\"invalid-runs\">\n<h2>Invalid runs</h2>\n";
    write_list(out, "invalid-runs", content.invalid_runs);
    out << "</section>\n";
  }
}

void write_chart(std::ostream& out, const report_chart& chart) {
  out << "<div class=\"chart\" id=\"chart-" << chart.id << "\" data-chart=\"" << chart.id << "\"";
  if (chart.spec.is_null()) out << " data-empty=\"" << escape_markup(chart.empty_note) << "\"";
  out << ">\n<h3>" << escape_markup(chart.heading) << "</h3>\n<p class=\"caption\">" << escape_markup(chart.caption)
      << "</p>\n";
  if (chart.spec.is_null()) {
    out << "<p class=\"empty\">" << escape_markup(chart.empty_note) << "</p>\n";
  } else {
    out << "<div class=\"view\"></div>\n";
  }
  out << "</div>\n";
}

}  // namespace

std::filesystem::path default_report_assets() {
  if (const char* configured = std::getenv("TRACEBENCH_REPORT_ASSETS"); configured != nullptr && *configured != '\0') {
    return configured;
  }
  return TRACEBENCH_REPORT_ASSETS_DIR;
}

std::string render_html_report(const results_file& results, const std::filesystem::path& assets) {
  // Read first: a missing library is the one error, and no half-made page comes out.
  std::vector<std::string> code;
  std::string credits;
  for (const library& lib : kLibraries) {
    const std::filesystem::path package_dir = assets / lib.package;
    code.push_back(read_library(package_dir / lib.build));
    const std::string version = package_version(package_dir);
    credits += (credits.empty()               ? ""
                : lib.package == "vega-embed" ? " and "
                                              : ", ") +
               std::string(lib.package) + (version.empty() ? "" : " " + version);
  }

  const report_content content = make_report_content(results);
  const std::vector<report_chart> charts = make_report_charts(results);
  const std::string title =
      content.title.empty() ? "Tracing overhead: " + results.summary.scenario_name : content.title;

  std::ostringstream out;
  out << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      << "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      << "<meta name=\"generator\" content=\"tracebench report\">\n"
      << "<title>" << escape_markup(title) << "</title>\n<style>" << kStyle
      << (content.pipeline_tables.empty() ? std::string_view() : kPipelineStyle)
      << "</style>\n</head>\n<body>\n<main>\n"
      << "<header>\n<h1>" << escape_markup(title) << "</h1>\n";
  if (!content.subtitle.empty()) out << "<p class=\"subtitle\">" << escape_markup(content.subtitle) << "</p>\n";
  out << "</header>\n";
  write_text(out, content);

  out << "<section id=\"charts\">\n<h2>Charts</h2>\n";
  json specs = json::object();
  for (const report_chart& chart : charts) {
    write_chart(out, chart);
    if (!chart.spec.is_null()) specs[chart.id] = chart.spec;
  }
  out << "</section>\n<footer>Made by tracebench report from " << escape_markup(results.origin) << ". Charts drawn by "
      << escape_markup(credits)
      << " (BSD-3-Clause, University of Washington Interactive Data Lab), inlined in this file.</footer>\n"
      << "</main>\n";
  for (std::size_t i = 0; i < kLibraries.size(); ++i) {
    out << "<script data-library=\"" << kLibraries[i].package << "\">" << script_safe(code[i]) << "\n</script>\n";
  }
  out << "<script type=\"application/json\" id=\"chart-specs\">" << json_for_script(specs) << "</script>\n"
      << "<script>" << kEmbedScript << "</script>\n</body>\n</html>\n";
  return out.str();
}

std::string render_request_cost_html(const request_cost_points& points) {
  const std::string title = "Overhead against request cost: " + points.scenario_name;
  report_table table{"request-cost", "Points", {}, {}};
  std::vector<std::vector<std::string>> rows = request_cost_rows(points, true);
  table.header = std::move(rows.front());
  table.rows.assign(std::make_move_iterator(rows.begin() + 1), std::make_move_iterator(rows.end()));

  std::ostringstream out;
  out << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      << "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      << "<meta name=\"generator\" content=\"tracebench report\">\n"
      << "<title>" << escape_markup(title) << "</title>\n<style>" << kStyle << "</style>\n</head>\n<body>\n<main>\n"
      << "<header>\n<h1>" << escape_markup(title) << "</h1>\n<p class=\"subtitle\">" << points.scales.size()
      << " work scales; each multiplies every cpu_us and wait_us of the scenario.</p>\n</header>\n"
      << "<section id=\"chart-request-cost\" class=\"chart\">\n"
      << render_request_cost_svg(points) << "</section>\n";
  write_table(out, table);
  out << "<section class=\"notes\">\n<p>"
      << escape_markup(
             "Median of per-round changes against the same round's off "
             "run [95% interval]; ~ = within noise.")
      << "</p>\n</section>\n<section id=\"sources\">\n<h2>Results files</h2>\n<ul>\n";
  for (const request_cost_scale& scale : points.scales) {
    out << "<li>" << escape_markup(printf_string("x%g: ", scale.work_scale) + scale.results_file)
        << (scale.complete ? "" : " (incomplete)") << "</li>\n";
  }
  out << "</ul>\n</section>\n<footer>Made by tracebench report.</footer>\n</main>\n</body>\n</html>\n";
  return out.str();
}

}  // namespace tracebench::harness
