#include "tracebench/tracer/zipkin_file_exporter.hpp"

#include <utility>

#include "tracebench/tracer/zipkin_json.hpp"

namespace tracebench::tracer {

zipkin_file_exporter::zipkin_file_exporter(std::string path)
    : jsonl_file_exporter(std::move(path), &append_zipkin_json) {}

}  // namespace tracebench::tracer
