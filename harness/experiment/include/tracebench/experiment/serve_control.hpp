#pragma once
// The control side of `tracebench serve`, so `tracebench run --target` can run an experiment
// on a graph that is already running: it changes the tracing configuration of every service
// and reads their counters, through POSTs under /tracebench/ on the services' own ports.
//
//   POST /tracebench/configure {"tracing": "1/16"}   new tracer and processor, counters from 0
//   POST /tracebench/settle                           requests under way answered, spans flushed
//   POST /tracebench/stats                            counters only
//
// Each is passed on to the service's peers first, so a request to the entry service reaches
// the whole graph, and each answers with the counters of every service it reached:
//   {"services": {"NAME": {"tracing": "1/16", "requests": N, "errors": N, "cpu_ns": N,
//                          "spans": {"started": N, "sampled": N, "exported": N, "dropped": N},
//                          "bytes_encoded": N, "work": {...}}}}
// where requests, errors and spans count since the latest configure, cpu_ns is the process's
// CPU time since it started, and work is its work model with the calibration it made at start
// (work_document). Failures answer 502 (a peer) or 400 (the request), with {"error": "one line"}.

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "tracebench/services/loopback_transport.hpp"
#include "tracebench/services/peer_transport.hpp"
#include "tracebench/services/service_graph.hpp"
#include "tracebench/services/tracing_config.hpp"
#include "tracebench/services/work_kernel.hpp"
#include "tracebench/tracer/batch_processor.hpp"
#include "tracebench/tracer/http_post.hpp"
#include "tracebench/tracer/span_exporter.hpp"

namespace tracebench::harness {

inline constexpr std::string_view kConfigurePath = "/tracebench/configure";
inline constexpr std::string_view kSettlePath = "/tracebench/settle";
inline constexpr std::string_view kStatsPath = "/tracebench/stats";

// The client side: POSTs `body` to the control path endpoint.target of one service, within
// `timeout`, and returns the "services" of its reply. Throws std::runtime_error with one line
// (the connection failure, the service's own error, or a reply of something else) for the
// caller to prefix with whom it asked.
[[nodiscard]] nlohmann::json post_control(const tracer::http_endpoint& endpoint, const std::string& body,
                                          std::chrono::seconds timeout);

using exporter_factory = std::function<std::shared_ptr<tracer::span_exporter>()>;

// A serve process's work model as its control replies carry it: {"model": "compute",
// "iterations_per_us", "repetitions", "run_us", "min_iterations_per_us", "max_iterations_per_us"},
// or {"model": "spin"} alone (`rate` empty). parse_work_document reads it back; it throws
// std::runtime_error (one line) for anything else.
[[nodiscard]] nlohmann::json work_document(services::work_model model, const std::optional<services::work_rate>& rate);
struct reported_work {
  services::work_model model = services::work_model::compute;
  std::optional<services::work_rate> rate;  // compute only
};
[[nodiscard]] reported_work parse_work_document(const nlohmann::json& work);

// For an exporter that must live as long as the process (a file, a collector connection): each
// processor gets a handle that exports through it under a lock (an old processor may still be
// flushing while the new one exports) and whose shutdown leaves it open.
[[nodiscard]] exporter_factory share_exporter(std::shared_ptr<tracer::span_exporter> lasting);

class serve_control {
 public:
  // `tracing` is the configuration until the first configure (its propagators stay for good);
  // `work`, what the graph's work model is and how it was calibrated, for every reply.
  serve_control(std::string service, std::vector<services::remote_peer> peers, services::tracing_config tracing,
                exporter_factory make_exporter, reported_work work);
  ~serve_control();
  serve_control(const serve_control&) = delete;
  serve_control& operator=(const serve_control&) = delete;

  // For loopback_options::control. The work runs on a thread of this object, one request at a
  // time, so the graph's executor never blocks on it.
  [[nodiscard]] services::control_handler handler();
  // The instrumentation of the current configuration, for building the graph.
  [[nodiscard]] services::instrumentation_factory instrumentation() const;
  // Once the graph is built and serving; `served` counts its requests.
  void attach(services::service_graph& graph, std::shared_ptr<const services::served_counters> served);
  // Before the graph goes: control requests from now on answer 503.
  void detach();

  // The current processor: what the process flushes and reports when it stops.
  [[nodiscard]] std::shared_ptr<tracer::batch_processor> processor() const;

 private:
  friend boost::asio::awaitable<services::control_reply> run_control(serve_control* self, std::string target,
                                                                     std::string body);
  services::control_reply handle(const std::string& target, const std::string& body);
  // Passes the request on to every peer: their "services" merged. Throws std::runtime_error
  // naming the peer that failed.
  [[nodiscard]] nlohmann::json forward(const std::string& target, const std::string& body) const;
  void configure(const services::tracing_config& config);
  [[nodiscard]] nlohmann::json own_stats() const;
  void wait_unbusy() const;

  std::string service_;
  std::vector<services::remote_peer> peers_;
  exporter_factory make_exporter_;
  nlohmann::json work_report_;  // work_document() of the graph's work model
  boost::asio::io_context io_;  // the control thread's
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  std::thread thread_;

  mutable std::mutex mutex_;  // guards everything below
  services::tracing_config tracing_;
  std::shared_ptr<tracer::span_exporter> exporter_;
  std::shared_ptr<tracer::batch_processor> processor_;
  services::service_graph* graph_ = nullptr;
  std::shared_ptr<const services::served_counters> served_;
  std::uint64_t requests_before_ = 0;  // served counts at the latest configure
  std::uint64_t errors_before_ = 0;
};

}  // namespace tracebench::harness
