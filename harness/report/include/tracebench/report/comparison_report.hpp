#pragma once
// A run comparison as people read it: plain text for a terminal, or markdown (GitHub pipe tables,
// the verdict first) to paste as a pull-request comment. Both carry the same content.

#include <string>

#include "tracebench/results/run_comparison.hpp"

namespace tracebench::harness {

// "PASS: no significant regression beyond the thresholds", or "FAIL: 2 regressions: 1/1
// latency.p99 +12.3% (threshold +5%), ...": one line.
[[nodiscard]] std::string comparison_verdict_line(const comparison& c);

[[nodiscard]] std::string render_comparison_text(const comparison& c);
[[nodiscard]] std::string render_comparison_markdown(const comparison& c);

}  // namespace tracebench::harness
