#pragma once
// A scenario's services, running: each invocation extracts the incoming context, starts its
// span, does its cpu work (holding an executor thread: computation or a spin, as the scenario's
// work model says) and waits (holding none), records its
// internal spans, then runs its steps, injecting context into every call it makes. Written
// once against `transport`; the tracing configuration is the instrumentation factory's.

#include <boost/asio/any_io_executor.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <thread>

#include "tracebench/services/scenario.hpp"
#include "tracebench/services/tracing_config.hpp"
#include "tracebench/services/transport.hpp"

namespace tracebench::services {

// The attribute every server and consumer span carries: which request it served.
inline constexpr std::string_view kRequestIdAttribute = "tracebench.request_id";

[[nodiscard]] inline unsigned default_threads() noexcept {
  const unsigned cores = std::thread::hardware_concurrency();
  return cores > 0 ? cores : 1;
}

// Builds the wire between a graph's services: `executor` is the graph's own (its thread pool),
// for transports that run servers or sockets of their own. `host` and `spec` outlive the
// transport, and the graph destroys it after joining its threads but before the pool itself.
using transport_factory =
    std::function<std::unique_ptr<transport>(service_host& host, const scenario& spec, asio::any_io_executor executor)>;

struct graph_options {
  unsigned threads = default_threads();  // executor threads
  std::uint64_t seed = 1;                // with the request id, fixes every draw of a request
  instrumentation_factory instrument;    // required: called once per service
  // The wire between services; empty means in-process. Called once with the graph.
  transport_factory make_transport;
  // The compute work model's calibration (work_kernel.hpp); 0: calibrate_work() when the graph
  // starts. An experiment calibrates once and passes it to every run's graph.
  double work_iterations_per_us = 0;
};

struct request_result {
  bool error = false;  // the entry service's span ended with status error
  std::chrono::steady_clock::time_point finished;
};
using completion_callback = std::function<void(const request_result&)>;

class service_graph final : public service_host {
 public:
  // Starts the executor threads. Throws std::invalid_argument without options.instrument, or
  // without options.make_transport when `s` has an external service (see check_inprocess).
  // External services get no tracer and are never invoked here: their transport sends to them.
  // Precondition: `s` came from the loader.
  service_graph(scenario s, graph_options options);
  ~service_graph() override;

  // Runs request `request_id` at the entry service. `done` (may be empty) runs on an executor
  // thread once the entry replied; queue and batch follow-ups may still be running then.
  void submit(std::uint64_t request_id, completion_callback done);
  // True once every submitted request and its queue and batch deliveries have finished; false
  // if `timeout` passed first. Messages held in a partial batch are not work in flight.
  [[nodiscard]] bool wait_idle(std::chrono::milliseconds timeout);
  // Installs a new instrumentation in every service, for a graph that keeps running while its
  // tracing configuration changes (`tracebench serve` under a remote experiment). Requests that
  // start afterwards use it; one under way may have started its spans with the old one, which
  // stays alive with the graph. Throws std::invalid_argument for an empty factory.
  void reinstrument(const instrumentation_factory& factory);
  // Stops the executor and joins its threads; work in flight is abandoned. Idempotent.
  void stop();

  [[nodiscard]] const scenario& spec() const noexcept;
  // service_host: what a transport delivers to service `target`.
  [[nodiscard]] asio::awaitable<call_response> handle(std::size_t target, call_request request) override;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace tracebench::services
