#pragma once
// Writes each exported batch as one OTLP/JSON ExportTraceServiceRequest per line, the
// layout of the OpenTelemetry Collector's file exporter.

#include <string>

#include "tracebench/tracer/jsonl_file_exporter.hpp"

namespace tracebench::tracer {

class otlp_json_file_exporter final : public jsonl_file_exporter {
 public:
  // Throws std::runtime_error naming the path when the file cannot be opened.
  explicit otlp_json_file_exporter(std::string path);
};

}  // namespace tracebench::tracer
