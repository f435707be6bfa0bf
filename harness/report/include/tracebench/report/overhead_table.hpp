#pragma once
// The experiment summary as tables for a terminal or a Markdown report: the overhead per
// configuration (our median changes with their intervals, the predicted change, Dapper's figures
// beside them), then the span volume, then what a reader must know to trust the figures.

#include <cstdint>
#include <string>

#include "tracebench/results/experiment_summary.hpp"

namespace tracebench::harness {

enum class table_style : std::uint8_t { text, markdown };

// Ends with a newline. text aligns columns with spaces; markdown writes pipe tables. A
// configuration with any invalid run says so in its row and its reasons are listed after the
// tables; a change whose interval contains 0 is marked "~" (within noise). A Debug build, a
// loaded machine and an interrupted experiment are flagged before the tables.
[[nodiscard]] std::string render_overhead_table(const experiment_summary& summary,
                                                table_style style = table_style::text);

}  // namespace tracebench::harness
