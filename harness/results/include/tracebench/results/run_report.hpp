#pragma once
// A run record whole, as one line of JSON: how a run carried out in a child process reports back
// to the experiment. The results file's run entry, plus what that file leaves out (the latency
// histogram, the pipeline ledger), so the parent summarises exactly what an in-process run gives.

#include <string>
#include <string_view>

#include "tracebench/results/run_record.hpp"

namespace tracebench::harness {

// One line, no newline.
[[nodiscard]] std::string run_report(const run_record& r);
// Throws results_file_error naming `origin` and the field for anything run_report would not write.
[[nodiscard]] run_record parse_run_report(std::string_view line, std::string_view origin);

}  // namespace tracebench::harness
