#pragma once
// A run comparison as people read it: plain text for a terminal, or markdown (GitHub pipe tables,
// the verdict first) to paste as a pull-request comment. Both carry the same content.

#include <string>

#include "tracebench/results/instruction_comparison.hpp"
#include "tracebench/results/run_comparison.hpp"

namespace tracebench::harness {

// "PASS: no significant regression beyond the thresholds", or "FAIL: 2 regressions: 1/1
// latency.p99 +12.3% (threshold +5%), ...": one line.
[[nodiscard]] std::string comparison_verdict_line(const comparison& c);

[[nodiscard]] std::string render_comparison_text(const comparison& c);
[[nodiscard]] std::string render_comparison_markdown(const comparison& c);

// The same for hot-path instruction counts: "PASS: every operation within +3% of BASE", or
// "FAIL: 2 regressions: sampled_child_span +5.0%, traceparent_inject not measured (threshold +3%)".
[[nodiscard]] std::string comparison_verdict_line(const instruction_comparison& c);
[[nodiscard]] std::string render_comparison_text(const instruction_comparison& c);
[[nodiscard]] std::string render_comparison_markdown(const instruction_comparison& c);

}  // namespace tracebench::harness
