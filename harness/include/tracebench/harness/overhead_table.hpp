#pragma once
// The experiment summary as a plain-text table for a terminal or a report: one row per
// configuration, our median changes with their intervals, Dapper's figures beside them.

#include <string>

#include "tracebench/harness/experiment_summary.hpp"

namespace tracebench::harness {

// Columns aligned with spaces; ends with a newline. A configuration with any invalid run says so
// in its row and its reasons are listed under the table; a change whose interval contains 0 is
// marked "~" (within noise).
[[nodiscard]] std::string render_overhead_table(const experiment_summary& summary);

}  // namespace tracebench::harness
