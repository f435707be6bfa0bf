#include "tracebench/report/report_formats.hpp"

#include "tracebench/report/csv_report.hpp"
#include "tracebench/report/html_report.hpp"
#include "tracebench/report/markdown_report.hpp"
#include "tracebench/report/report_content.hpp"

namespace tracebench::harness {
namespace {

// Only HTML needs the assets; the others take the table's signature and leave them.
std::string markdown(const results_file& results, const std::filesystem::path&) {
  return render_markdown_report(results);
}
std::string csv(const results_file& results, const std::filesystem::path&) { return render_csv_report(results); }
std::string openmetrics(const results_file& results, const std::filesystem::path&) {
  return render_openmetrics_report(results);
}

constexpr report_format kFormats[] = {
    {"markdown", false, markdown},
    {"html", true, render_html_report},
    {"csv", false, csv},
    {"openmetrics", false, openmetrics},
};

}  // namespace

std::span<const report_format> report_formats() { return kFormats; }

const report_format* find_report_format(std::string_view name) {
  for (const report_format& format : kFormats) {
    if (format.name == name) return &format;
  }
  return nullptr;
}

std::string report_format_names(std::string_view separator, std::string_view last_separator) {
  std::string names;
  for (std::size_t i = 0; i < std::size(kFormats); ++i) {
    if (i > 0) names += i + 1 == std::size(kFormats) ? last_separator : separator;
    names += kFormats[i].name;
  }
  return names;
}

}  // namespace tracebench::harness
