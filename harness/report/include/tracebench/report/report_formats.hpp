#pragma once
// The report formats by name, one table: `tracebench report --format` takes its names, lists
// them in its help and its errors, and renders through it.

#include <filesystem>
#include <span>
#include <string>
#include <string_view>

#include "tracebench/results/results_file.hpp"

namespace tracebench::harness {

struct report_format {
  std::string_view name;  // the --format value
  bool takes_assets;      // inlines the chart libraries found in an assets directory
  // Ignores `assets` unless takes_assets. Throws as the renderer does (report_assets_error,
  // std::invalid_argument for what the format cannot carry).
  std::string (*render)(const results_file& results, const std::filesystem::path& assets);
};

// markdown (the default), html, csv, openmetrics: in the order help and errors list them.
[[nodiscard]] std::span<const report_format> report_formats();

// nullptr for a name not in the table.
[[nodiscard]] const report_format* find_report_format(std::string_view name);

// The names joined: report_format_names(", ", " or ") is "markdown, html, csv or openmetrics".
[[nodiscard]] std::string report_format_names(std::string_view separator, std::string_view last_separator);

}  // namespace tracebench::harness
