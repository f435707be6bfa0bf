#include "tracebench/experiment/remote_graph.hpp"
#include "tracebench/results/closed_loop_sizing.hpp"

#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <utility>

#include "tracebench/experiment/serve_control.hpp"
#include "tracebench/load/http_target.hpp"

namespace tracebench::harness {
namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;

// A control request goes through the whole graph, whose services may each wait seconds for
// requests to finish and spans to flush.
constexpr auto kControlTimeout = 120s;
// Per request of the load: the scenario's slowest request must fit.
constexpr auto kRequestTimeout = 10s;

// What every service reached reported, summed.
struct graph_totals {
  std::size_t services = 0;
  tracer::span_counts spans;
  std::uint64_t bytes_encoded = 0;
  bool bytes_known = true;  // every service's exporter counts them
  std::uint64_t cpu_ns = 0;
};

// A connection per request: there are a handful per run, and none in a measured window's hot path.
class control_client {
 public:
  explicit control_client(net::http_url entry) : entry_(std::move(entry)) {}

  // The entry service's "services" (every service it reached). Throws std::runtime_error with
  // one line naming the graph.
  json post(std::string_view path, const std::string& body) const {
    try {
      return post_control(tracer::http_endpoint{entry_.host, entry_.port, std::string(path), entry_.authority}, body,
                          kControlTimeout);
    } catch (const std::runtime_error& e) {
      throw std::runtime_error("the graph at " + entry_.authority + ": " + e.what());
    }
  }

 private:
  net::http_url entry_;
};

std::uint64_t number(const json& j, const char* key) {
  return j.contains(key) && j[key].is_number_unsigned() ? j[key].get<std::uint64_t>() : 0;
}

graph_totals sum(const json& services) {
  graph_totals t;
  for (const auto& [name, s] : services.items()) {
    ++t.services;
    const json spans = s.value("spans", json::object());
    t.spans.started += number(spans, "started");
    t.spans.sampled += number(spans, "sampled");
    t.spans.exported += number(spans, "exported");
    t.spans.dropped += number(spans, "dropped");
    t.spans.ended += number(spans, "exported") + number(spans, "dropped");
    if (s.contains("bytes_encoded")) {
      t.bytes_encoded += number(s, "bytes_encoded");
    } else {
      t.bytes_known = false;
    }
    t.cpu_ns += number(s, "cpu_ns");
  }
  return t;
}

class remote_graph final : public run_graph {
 public:
  remote_graph(const net::http_url& entry, const std::string& call_path, unsigned connections,
               const std::string& configuration)
      : control_(std::make_shared<control_client>(entry)), here_(is_loopback(entry)) {
    cpu_from_ = sum(control_->post(kConfigurePath, json{{"tracing", configuration}}.dump())).cpu_ns;
    started_ = std::chrono::steady_clock::now();
    http_target_options options;
    options.endpoint = net::resolve_endpoint(entry);
    options.request = build_http_request("POST", call_path, entry.authority, {}, 0);
    options.connections = connections;
    options.threads = 1;  // the generator's core; the graph has the others
    options.timeout = kRequestTimeout;
    target_ = std::make_unique<http_target>(options);
  }

  load_target& target() override { return *target_; }
  void settle() override { (void)control_->post(kSettlePath, "{}"); }
  std::uint64_t spans_exported() override { return sum(control_->post(kStatsPath, "{}")).spans.exported; }

  std::function<std::chrono::nanoseconds()> cpu_elsewhere() override {
    return [control = control_] {
      return std::chrono::nanoseconds(static_cast<std::int64_t>(sum(control->post(kStatsPath, "{}")).cpu_ns));
    };
  }

  run_spans finish() override {
    target_.reset();  // closes its connections before the services settle
    const graph_totals totals = sum(control_->post(kSettlePath, "{}"));
    run_spans out;
    out.spans = totals.spans;
    if (totals.bytes_known) out.bytes_encoded = totals.bytes_encoded;
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
    if (here_ && seconds > 0) out.graph_cores_here = static_cast<double>(totals.cpu_ns - cpu_from_) / 1e9 / seconds;
    return out;
  }

 private:
  // A graph at a loopback address runs on this machine (one elsewhere is not this machine's load).
  static bool is_loopback(const net::http_url& entry) {
    return entry.host == "localhost" || entry.host == "::1" || entry.host.starts_with("127.");
  }

  std::shared_ptr<control_client> control_;
  bool here_;
  std::uint64_t cpu_from_ = 0;
  std::chrono::steady_clock::time_point started_;
  std::unique_ptr<http_target> target_;
};

std::string call_path(const services::scenario& s, const net::http_url& entry) {
  return entry.target != "/" ? entry.target : "/call/" + s.services[s.entry_index].name;
}

}  // namespace

graph_launcher remote_launcher(const services::scenario& s, const experiment_plan& plan, const net::http_url& entry) {
  return [path = call_path(s, entry), entry, connections = plan.concurrency > 0 ? plan.concurrency : kFirstConcurrency](
             const std::string& configuration, unsigned /*round*/) -> std::unique_ptr<run_graph> {
    return std::make_unique<remote_graph>(entry, path, connections, configuration);
  };
}

std::string check_remote_graph(const services::scenario& s, const net::http_url& entry) {
  json services;
  try {
    control_client control(entry);
    services = control.post(kStatsPath, "{}");
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  std::string missing;
  for (const services::service& svc : s.services) {
    if (svc.external || services.contains(svc.name)) continue;
    missing += (missing.empty() ? "" : ", ") + svc.name;
  }
  if (!missing.empty()) {
    return "the graph at " + entry.authority + " does not reach " + missing + " of scenario \"" + s.name +
           "\" (is every service served, with --peer for each callee?)";
  }
  return "";
}

std::vector<serve_process_work> read_remote_work(const net::http_url& entry) {
  const json services = control_client(entry).post(kStatsPath, "{}");
  std::vector<serve_process_work> out;
  for (const auto& [name, stats] : services.items()) {
    if (!stats.is_object() || !stats.contains("work")) continue;
    try {
      reported_work work = parse_work_document(stats["work"]);
      out.push_back({name, work.model, work.rate});
    } catch (const std::runtime_error& e) {
      throw std::runtime_error("the graph at " + entry.authority + ": service " + name + ": " + e.what());
    }
  }
  return out;
}

}  // namespace tracebench::harness
