// tracebench analyze: reads exported spans (OTLP/JSON lines) and reports the traces' shape.

#include <map>
#include <nlohmann/json.hpp>
#include <ostream>
#include <string>
#include <vector>

#include "tracebench/cli/command.hpp"
#include "tracebench/common/text_format.hpp"
#include "tracebench/results/trace_analysis.hpp"

namespace tracebench::harness {

namespace {

namespace po = boost::program_options;

constexpr double kNanosPerMicro = 1000;

constexpr int kClient = 3;
constexpr int kProducer = 4;

// A client span carries its callee's name but runs in the caller: say so.
std::string span_label(const analyzed_span& s) {
  const char* side = s.kind == kClient ? " (client)" : s.kind == kProducer ? " (producer)" : "";
  return s.service + " " + s.name + side;
}

// How often each "caller -> callee" split occurs, across requests.
std::map<std::string, std::size_t> count_splits(const trace_report& r) {
  std::map<std::string, std::size_t> counts;
  for (const split_request& s : r.split_requests) {
    for (const std::string& where : s.splits) ++counts[where];
  }
  return counts;
}

void print_text(const std::string& file, const trace_report& r, std::size_t top, std::ostream& out) {
  const auto line = [&](std::string_view label, const std::string& value) {
    out << "  " << label << std::string(18 - label.size(), ' ') << value << '\n';
  };
  out << file << ": " << r.spans.size() << " spans in " << r.traces << (r.traces == 1 ? " trace\n" : " traces\n");
  line("spans/trace", std::to_string(r.min_spans_per_trace) + " min, " + format_count(r.median_spans_per_trace) +
                          " median, " + std::to_string(r.max_spans_per_trace) + " max");
  line("roots", r.traces_without_one_root == 0
                    ? std::string("one per trace")
                    : std::to_string(r.traces_without_one_root) + " traces without exactly one root");
  line("orphans", std::to_string(r.orphans) + " (parent not in the trace)");
  line("requests",
       std::to_string(r.requests) + ", " + std::to_string(r.split_requests.size()) + " split across several trace ids");
  for (const auto& [where, count] : count_splits(r)) {
    line("split", where + " (" + std::to_string(count) + (count == 1 ? " request)" : " requests)"));
  }
  line("clock skew", std::to_string(r.child_before_parent) + " spans start before their parent, " +
                         std::to_string(r.child_after_parent) + " end after the client span waiting for them");
  if (r.critical_paths.empty() || top == 0) return;
  out << "  slowest traces, critical path and the slowest span on it:\n";
  for (std::size_t i = 0; i < r.critical_paths.size() && i < top; ++i) {
    const critical_path& p = r.critical_paths[i];
    out << "    " << p.trace_id << "  " << format_duration_us(static_cast<double>(p.duration_nanos) / kNanosPerMicro)
        << '\n'
        << "      path     ";
    for (std::size_t k = 0; k < p.spans.size(); ++k) out << (k == 0 ? "" : " > ") << span_label(r.spans[p.spans[k]]);
    out << "\n      slowest  " << span_label(r.spans[p.slowest]) << ", "
        << format_duration_us(static_cast<double>(p.slowest_self_nanos) / kNanosPerMicro) << " self\n";
  }
}

void print_json(const std::string& file, const trace_report& r, std::size_t top, std::ostream& out) {
  nlohmann::ordered_json doc;
  doc["file"] = file;
  doc["spans"] = r.spans.size();
  doc["traces"] = r.traces;
  doc["spans_per_trace"] = {
      {"min", r.min_spans_per_trace}, {"median", r.median_spans_per_trace}, {"max", r.max_spans_per_trace}};
  doc["traces_without_one_root"] = r.traces_without_one_root;
  doc["orphans"] = r.orphans;
  doc["requests"] = r.requests;
  doc["split_requests"] = r.split_requests.size();
  doc["splits"] = count_splits(r);
  doc["child_before_parent"] = r.child_before_parent;
  doc["child_after_parent"] = r.child_after_parent;
  nlohmann::ordered_json paths = nlohmann::ordered_json::array();
  for (std::size_t i = 0; i < r.critical_paths.size() && i < top; ++i) {
    const critical_path& p = r.critical_paths[i];
    std::vector<std::string> names;
    for (std::size_t k : p.spans) names.push_back(span_label(r.spans[k]));
    paths.push_back({{"trace_id", p.trace_id},
                     {"duration_ns", p.duration_nanos},
                     {"path", names},
                     {"slowest", span_label(r.spans[p.slowest])},
                     {"slowest_self_ns", p.slowest_self_nanos}});
  }
  doc["slowest_traces"] = std::move(paths);
  out << doc.dump(2) << '\n';
}

int run_analyze(const command& self, std::span<const std::string> args, std::ostream& out, std::ostream& err) {
  po::options_description flags;
  flags.add_options()("top", po::value<std::size_t>()->default_value(5), "critical paths of the N slowest traces")(
      "format", po::value<std::string>()->default_value("text"), "text or json");
  po::options_description hidden;
  hidden.add_options()("file", po::value<std::vector<std::string>>(), "OTLP/JSON lines file");
  po::positional_options_description positional;
  positional.add("file", -1);
  const parsed_flags parsed = parse_flags(self, flags, hidden, positional, args, out, err);
  if (parsed.exit_code) return *parsed.exit_code;
  const std::string format = parsed.values["format"].as<std::string>();
  if (format != "text" && format != "json") {
    return usage_error("tracebench analyze", "--format must be text or json, not '" + format + "'", err);
  }
  if (parsed.values.count("file") == 0) return usage_error("tracebench analyze", "no span file given", err);
  const std::size_t top = parsed.values["top"].as<std::size_t>();
  int status = kExitOk;
  for (const std::string& file : parsed.values["file"].as<std::vector<std::string>>()) {
    try {
      const trace_report report = analyze_otlp_file(file);
      if (format == "json") {
        print_json(file, report, top, out);
      } else {
        print_text(file, report, top, out);
      }
    } catch (const analysis_error& e) {
      err << "tracebench analyze: " << e.what() << '\n';
      status = kExitUsage;
    }
  }
  return status;
}

}  // namespace

const command& analyze_command() {
  static const command kCommand{
      "analyze",
      "[--top N] [--format text|json] FILE.otlp.jsonl...",
      "check exported traces: roots, orphans, split requests, clock skew, critical paths",
      "Reads spans exported as OTLP/JSON lines and reports per file: traces and spans per trace,\n"
      "traces without exactly one root, orphan spans, requests split across several trace ids\n"
      "(and the caller -> callee hop where each split happens), clock skew (children that start\n"
      "before their parent, or end after the client span waiting for them), and the critical path\n"
      "of the slowest traces with the slowest span on it. A malformed line is reported as\n"
      "FILE:LINE: problem, with exit status 2.",
      "  tracebench analyze results/spans.otlp.jsonl\n"
      "  tracebench analyze --top 10 --format json results/spans.otlp.jsonl\n",
      run_analyze};
  return kCommand;
}

}  // namespace tracebench::harness
