#pragma once
// Writes each exported batch as one Zipkin v2 JSON array per line: each line is a valid
// body for Zipkin's POST /api/v2/spans.

#include <string>

#include "tracebench/tracer/jsonl_file_exporter.hpp"

namespace tracebench::tracer {

class zipkin_file_exporter final : public jsonl_file_exporter {
 public:
  // Throws std::runtime_error naming the path when the file cannot be opened.
  explicit zipkin_file_exporter(std::string path);
};

}  // namespace tracebench::tracer
