#pragma once
// The seam between a simulated service and the wire. Service logic calls the next service
// through `transport` and receives calls through `service_host`; it never learns which
// transport carries them (in-process now, loopback HTTP later).

#include <utility>  // before asio's awaitable.hpp, which uses std::exchange without it (Boost 1.74)

#include <boost/asio/awaitable.hpp>
#include <cstddef>
#include <cstdint>
#include <limits>

#include "tracebench/tracer/header_carrier.hpp"

namespace tracebench::services {

namespace asio = boost::asio;

// How a message reaches its callee: rpc waits for the reply; queue and batch deliveries are
// one-way and start a consumer span.
enum class delivery : std::uint8_t { rpc, queue, batch };

// A request with no id: batch consumers serve many requests at once.
inline constexpr std::uint64_t kNoRequest = std::numeric_limits<std::uint64_t>::max();

struct call_request {
  tracer::header_list headers;  // the tracing context, when the caller propagates it
  // Out of band, never tracing context: services that drop trace headers still forward it
  // (over HTTP as the x-tracebench-request header), so analysis can find split requests.
  std::uint64_t request_id = kNoRequest;
  std::uint64_t seed = 0;  // the callee's draws; part of the simulation, not of the protocol
  delivery via = delivery::rpc;
  std::uint32_t batch_size = 1;  // batch only: messages per consumer invocation
  std::size_t request_bytes = 0;
};

struct call_response {
  bool error = false;
  std::size_t bytes = 0;  // the reply's payload size
};

// The receiving side: runs service `target` for one incoming request.
class service_host {
 public:
  virtual ~service_host() = default;
  [[nodiscard]] virtual asio::awaitable<call_response> handle(std::size_t target, call_request request) = 0;
};

// The sending side. A call completes when the callee replied (rpc) or accepted the message
// (queue, batch). Implementations copy or serialise the headers as a real hop does.
class transport {
 public:
  virtual ~transport() = default;
  [[nodiscard]] virtual asio::awaitable<call_response> call(std::size_t target, call_request request) = 0;
};

}  // namespace tracebench::services
