#include "tracebench/tracer/otlp_json_file_exporter.hpp"

#include <utility>

#include "tracebench/tracer/otlp_json.hpp"

namespace tracebench::tracer {

otlp_json_file_exporter::otlp_json_file_exporter(std::string path)
    : jsonl_file_exporter(std::move(path), &append_otlp_json_request) {}

}  // namespace tracebench::tracer
