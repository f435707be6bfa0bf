#pragma once
// Carries every call as a real HTTP/1.1 request over loopback: each service of the graph is an
// HTTP server on its own ephemeral port, and `call` POSTs to the callee's port through a pool
// of keep-alive connections. Tracing context travels as real headers, the out-of-band fields
// as x-tracebench-* headers, and the payloads as bodies of their real sizes.
//
// The wire, per call:
//   POST /call/<service name> HTTP/1.1
//   <call_request.headers, verbatim>
//   x-tracebench-request: <request_id>        (absent for kNoRequest)
//   x-tracebench-seed: <seed>
//   x-tracebench-delivery: rpc | queue | batch
//   x-tracebench-batch-size: <batch_size>
//   <request_bytes bytes of body>
// answered by 200 (or 500 when call_response::error) with a body of call_response::bytes.
// Queue and batch deliveries are answered once the callee ran, as in-process, so the graph's
// work-in-flight accounting is the same under both transports.
//
// Lifetime: the graph owns the transport, the transport its servers and client; their
// coroutines share those (shared_ptr), so abandoned coroutines never dangle. Destroy the
// transport after its executor's threads stopped and before the execution context is
// destroyed (service_graph does). Counters are shared with the monitor and outlive both.

#include <utility>  // before asio's awaitable.hpp (Boost 1.74)

#include <atomic>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tracebench/services/scenario.hpp"
#include "tracebench/services/service_graph.hpp"
#include "tracebench/services/transport.hpp"

namespace tracebench::services {

inline constexpr std::string_view kCallPathPrefix = "/call/";
inline constexpr std::string_view kRequestIdHeader = "x-tracebench-request";
inline constexpr std::string_view kSeedHeader = "x-tracebench-seed";
inline constexpr std::string_view kDeliveryHeader = "x-tracebench-delivery";
inline constexpr std::string_view kBatchSizeHeader = "x-tracebench-batch-size";

// Where calls to an external service go: its URL's address, or the resolver's first IPv4
// answer (else its first) for a name, looked up once. Throws std::invalid_argument, one line
// naming the service, when the name does not resolve. Precondition: svc.external is set.
[[nodiscard]] asio::ip::tcp::endpoint resolve_external(const service& svc);

[[nodiscard]] std::string_view delivery_name(delivery via) noexcept;
// nullopt unless `name` is exactly "rpc", "queue" or "batch".
[[nodiscard]] std::optional<delivery> parse_delivery(std::string_view name) noexcept;

inline constexpr std::uint32_t kDefaultHeaderLimit = 16 * 1024;
inline constexpr std::uint64_t kDefaultBodyLimit = 16 * 1024 * 1024;

// Requests under this path go to loopback_options::control rather than to the service.
inline constexpr std::string_view kControlPathPrefix = "/tracebench/";

struct control_reply {
  unsigned status = 200;
  std::string body;  // JSON
};
// Handles one control request (its target and body); runs on the server's executor, so it
// must not block it: long work belongs on a thread of its own, awaited.
using control_handler = std::function<asio::awaitable<control_reply>(std::string target, std::string body)>;

struct loopback_options {
  std::string bind_address = "127.0.0.1";
  std::chrono::milliseconds call_timeout{5000};     // client: connect, send and whole reply, per call
  std::chrono::milliseconds request_timeout{5000};  // server: first byte to whole request, and the reply's write
  // Server: a keep-alive connection waiting for its next request is closed after this. The
  // client drops pooled connections idle half as long, so it never sends on one being closed.
  std::chrono::milliseconds idle_timeout{30000};
  std::uint32_t header_limit = kDefaultHeaderLimit;  // both directions; over it: 431
  std::uint64_t body_limit = kDefaultBodyLimit;      // both directions; over it: 413
  std::size_t max_idle_per_peer = 64;                // pooled connections kept per callee
  // Server: also take GET /call/<service> (no body) as a call. Off between graph services;
  // `tracebench serve` turns it on so plain HTTP load tools (wrk's default GET) can drive it.
  bool accept_get = false;
  // Server: POSTs to kControlPathPrefix... go here (`tracebench serve` takes its configuration
  // this way); empty, they are 404 like any other path.
  control_handler control;
};

// Per service server. All counts since the server started.
struct server_counters {
  std::atomic<std::uint64_t> connections{0};        // accepted
  std::atomic<std::uint64_t> requests{0};           // handed to the service and answered 200 or 500
  std::atomic<std::uint64_t> request_bytes{0};      // request bodies received
  std::atomic<std::uint64_t> response_bytes{0};     // response bodies sent (counted as the write starts)
  std::atomic<std::uint64_t> bad_requests{0};       // answered 400 (malformed) or 405 (not POST)
  std::atomic<std::uint64_t> not_found{0};          // answered 404: a path other than /call/<this service>
  std::atomic<std::uint64_t> headers_too_large{0};  // answered 431
  std::atomic<std::uint64_t> bodies_too_large{0};   // answered 413
  std::atomic<std::uint64_t> timeouts{0};           // a client went silent mid-request: closed
  std::atomic<std::uint64_t> accept_errors{0};
};

// The calling side, all callees together.
struct client_counters {
  std::atomic<std::uint64_t> opens{0};            // new connections attempted
  std::atomic<std::uint64_t> reuses{0};           // calls sent on a pooled connection
  std::atomic<std::uint64_t> failures{0};         // calls without a reply: connect or I/O error, timeout
  std::atomic<std::uint64_t> timeouts{0};         // of those, the call timeout
  std::atomic<std::uint64_t> error_responses{0};  // replies that were not 2xx
  std::atomic<std::uint64_t> request_bytes{0};    // request bodies sent
  std::atomic<std::uint64_t> response_bytes{0};   // response bodies received
};

// What a loopback transport shows its creator: the ports it listens on and its counters.
// Filled when the graph builds the transport; one graph per monitor (a second one replaces
// the first's figures). Thread-safe.
class loopback_monitor {
 public:
  // Indexed like scenario::services (an external service's is its URL's port); empty until a
  // transport was built.
  [[nodiscard]] std::vector<std::uint16_t> ports() const;
  // Null when `service` has no server (out of range, or no transport yet).
  [[nodiscard]] std::shared_ptr<const server_counters> server(std::size_t service) const;
  [[nodiscard]] std::shared_ptr<const client_counters> client() const;

  // Called by loopback_transport.
  void attach(std::vector<std::uint16_t> ports, std::vector<std::shared_ptr<const server_counters>> servers,
              std::shared_ptr<const client_counters> client);

 private:
  mutable std::mutex mutex_;
  std::vector<std::uint16_t> ports_;
  std::vector<std::shared_ptr<const server_counters>> servers_;
  std::shared_ptr<const client_counters> client_;
};

class loopback_server;
class loopback_client;

class loopback_transport final : public transport {
 public:
  // Binds one server per service of `spec` to options.bind_address, port 0, and starts
  // accepting on `executor`; an external service gets none, its calls go to its URL. Throws
  // boost::system::system_error when a server cannot bind, std::invalid_argument when an
  // external service's host does not resolve (then nothing was started). `host` must outlive
  // the transport.
  loopback_transport(service_host& host, const scenario& spec, asio::any_io_executor executor,
                     loopback_options options);
  // Closes the acceptors, the servers' connections and the pooled ones (see Lifetime above).
  ~loopback_transport() override;
  loopback_transport(const loopback_transport&) = delete;
  loopback_transport& operator=(const loopback_transport&) = delete;

  // Never throws out of the coroutine: no reply within options.call_timeout, or a non-2xx
  // one, is call_response{error = true}.
  [[nodiscard]] asio::awaitable<call_response> call(std::size_t target, call_request request) override;

  [[nodiscard]] const std::vector<std::uint16_t>& ports() const noexcept { return ports_; }
  // Null for an external service.
  [[nodiscard]] std::shared_ptr<const server_counters> server_counts(std::size_t service) const;
  [[nodiscard]] std::shared_ptr<const client_counters> client_counts() const;

 private:
  std::vector<std::shared_ptr<loopback_server>> servers_;  // indexed like services; null when external
  std::shared_ptr<loopback_client> client_;
  std::vector<asio::ip::tcp::endpoint> peers_;  // where each service listens
  std::vector<std::string> paths_;              // "/call/<name>" per service, or the external URL's
  std::vector<std::uint16_t> ports_;
};

// For graph_options::make_transport. `monitor` (may be null) receives each built transport's
// ports and counters.
[[nodiscard]] transport_factory make_loopback_transport_factory(loopback_options options = {},
                                                                std::shared_ptr<loopback_monitor> monitor = nullptr);

}  // namespace tracebench::services
