#pragma once
// One service of a scenario as its own process: the service's HTTP server on a chosen address,
// and its calls to the other services sent to endpoints given for them (other processes, on
// this host or others). The wire is loopback_transport's (see the top of loopback_transport.hpp),
// with the same server and client; only where services live differs: here exactly one service
// is local and every callee is a remote peer. The rest of the graph (work, steps, spans) runs
// unchanged, so a graph spread over processes traces exactly as one in a process.
//
// Lifetime as loopback_transport: built by service_graph through the factory, destroyed after
// the graph's threads were joined and before its execution context.

#include <utility>  // before asio's awaitable.hpp (Boost 1.74)

#include <atomic>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "tracebench/services/loopback_transport.hpp"
#include "tracebench/services/scenario.hpp"
#include "tracebench/services/service_graph.hpp"
#include "tracebench/services/transport.hpp"

namespace tracebench::services {

struct remote_peer {
  std::string service;               // a service of the scenario
  asio::ip::tcp::endpoint endpoint;  // where its server listens
};

struct peer_transport_options {
  std::string local;                                                          // the service served here
  asio::ip::tcp::endpoint listen{asio::ip::make_address_v4("127.0.0.1"), 0};  // port 0: ephemeral
  std::vector<remote_peer> peers;  // one per callee of `local`; more are allowed, never called
  loopback_options wire;           // timeouts and limits; `listen` replaces its bind_address
  std::uint64_t seed = 1;          // with the request id, fixes the draws of requests from outside
};

// What the local service did with the requests its server handed it.
struct served_counters {
  std::atomic<std::uint64_t> in_flight{0};  // handed to the service, not yet answered by it
  std::atomic<std::uint64_t> answered{0};   // the service replied (200, or 500 for an error)
  std::atomic<std::uint64_t> errors{0};     // of those, errors (500)
  // Requests that came without the x-tracebench fields (from a load tool, not a graph peer):
  // numbered from 0 as they come, each number its request id, seeding its draws.
  std::atomic<std::uint64_t> external{0};
};

// The services `service` sends to (rpc, queue or batch), each once, in the order the
// scenario first calls them.
[[nodiscard]] std::vector<std::size_t> callees_of(const scenario& spec, std::size_t service);

// Empty when `options` fits `spec`, else one line naming what does not: an unknown or external
// local service, a peer for a service the scenario lacks, for the local service itself or for
// an external service (the scenario gives its URL), a service given twice, or a callee of the
// local service without a peer (an external callee needs none).
[[nodiscard]] std::string check_peers(const scenario& spec, const peer_transport_options& options);

// What a peer transport shows its creator. Filled when the graph builds the transport.
// Thread-safe.
class peer_monitor {
 public:
  [[nodiscard]] std::optional<asio::ip::tcp::endpoint> listening() const;  // the bound address and port
  [[nodiscard]] std::shared_ptr<const server_counters> server() const;
  [[nodiscard]] std::shared_ptr<const client_counters> client() const;
  [[nodiscard]] std::shared_ptr<const served_counters> served() const;

  // Called by peer_transport.
  void attach(asio::ip::tcp::endpoint listening, std::shared_ptr<const server_counters> server,
              std::shared_ptr<const client_counters> client, std::shared_ptr<const served_counters> served);

 private:
  mutable std::mutex mutex_;
  std::optional<asio::ip::tcp::endpoint> listening_;
  std::shared_ptr<const server_counters> server_;
  std::shared_ptr<const client_counters> client_;
  std::shared_ptr<const served_counters> served_;
};

class loopback_server;
class loopback_client;

class peer_transport final : public transport {
 public:
  // Binds the local service's server to options.listen and starts accepting on `executor`;
  // calls to an external callee go to its URL. Throws std::invalid_argument unless
  // check_peers() is empty or when an external callee's host does not resolve, and
  // boost::system::system_error when the address cannot be bound (then nothing was started).
  // `host` must outlive the transport.
  peer_transport(service_host& host, const scenario& spec, asio::any_io_executor executor,
                 peer_transport_options options);
  ~peer_transport() override;
  peer_transport(const peer_transport&) = delete;
  peer_transport& operator=(const peer_transport&) = delete;

  // To the peer of `target`, as loopback_transport::call. A target without a peer (check_peers
  // rules that out for the local service's callees) is call_response{error = true}.
  [[nodiscard]] asio::awaitable<call_response> call(std::size_t target, call_request request) override;

  [[nodiscard]] asio::ip::tcp::endpoint listening() const;
  [[nodiscard]] std::shared_ptr<const server_counters> server_counts() const;
  [[nodiscard]] std::shared_ptr<const client_counters> client_counts() const;
  [[nodiscard]] std::shared_ptr<const served_counters> served_counts() const noexcept { return served_; }

 private:
  class counting_host;

  std::shared_ptr<served_counters> served_ = std::make_shared<served_counters>();
  std::unique_ptr<counting_host> counting_;  // between the server and `host`: counts what it serves
  std::shared_ptr<loopback_server> server_;
  std::shared_ptr<loopback_client> client_;
  std::vector<std::optional<asio::ip::tcp::endpoint>> peers_;  // indexed like scenario::services
  std::vector<std::string> paths_;  // "/call/<name>" per service, or the external URL's target
};

// For graph_options::make_transport. `monitor` (may be null) receives the built transport's
// address and counters.
[[nodiscard]] transport_factory make_peer_transport_factory(peer_transport_options options,
                                                            std::shared_ptr<peer_monitor> monitor = nullptr);

}  // namespace tracebench::services
