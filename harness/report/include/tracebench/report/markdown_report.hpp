#pragma once
// The Markdown report of a results file: the Dapper-style table with Dapper's column beside it,
// span volume and its projection, generator health, the slowest trace, and the environment.

#include <string>

#include "tracebench/results/results_file.hpp"

namespace tracebench::harness {

// Ends with a newline. The same input gives the same bytes: it is golden-file tested.
[[nodiscard]] std::string render_markdown_report(const results_file& results);

}  // namespace tracebench::harness
