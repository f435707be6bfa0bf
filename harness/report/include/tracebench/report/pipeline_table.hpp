#pragma once
// The pipeline comparison as tables: what each pipeline kept against ground truth and what it
// cost, how well reweighting recovers the population, and the collector memory sweep. Shared by
// `run`'s output and the reports.

#include <string>
#include <string_view>
#include <vector>

#include "tracebench/report/overhead_table.hpp"
#include "tracebench/results/pipeline_summary.hpp"

namespace tracebench::harness {

// The tables' titles, the same in the terminal and the reports.
inline constexpr std::string_view kPipelinesTitle = "Sampling pipelines";
inline constexpr std::string_view kReweightingTitle = "Reweighted estimates against ground truth";
inline constexpr std::string_view kCollectorMemoryTitle = "Collector memory against decision wait and load";

struct pipeline_tables {
  std::vector<std::vector<std::string>> kept;         // header row first
  std::vector<std::vector<std::string>> reweighting;  // header row first
  std::vector<std::vector<std::string>> memory;       // header row first; only the header without a sweep
  std::vector<std::string> notes;                     // how to read them, a sentence each
};

[[nodiscard]] pipeline_tables make_pipeline_tables(const pipeline_summary& summary);

// Ends with a newline: the three tables with titles and notes, aligned text or Markdown.
[[nodiscard]] std::string render_pipeline_tables(const pipeline_summary& summary, table_style style);

}  // namespace tracebench::harness
