#pragma once
// The CSV report of a results file: one row per configuration, numbers unformatted (nanoseconds,
// bytes, percent changes with their intervals) for spreadsheets and scripts. RFC 4180 quoting.

#include <string>

#include "tracebench/results/results_file.hpp"

namespace tracebench::harness {

// A header row, then a row per configuration in plan order; an empty cell where there is no
// figure (off's changes, a rate Dapper did not publish).
[[nodiscard]] std::string render_csv_report(const results_file& results);

}  // namespace tracebench::harness
