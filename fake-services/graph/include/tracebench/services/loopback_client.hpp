#pragma once
// The calling side of the loopback transport: each call is one POST over a keep-alive
// connection to the callee's port. Idle connections are pooled per peer: a call takes one or
// opens a new one, gives it back after a complete reply that allows reuse, and drops it on any
// error. Every call is bounded by the call timeout and reports failure as an error response.

#include <utility>  // before asio's awaitable.hpp (Boost 1.74)

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "tracebench/services/loopback_transport.hpp"
#include "tracebench/services/transport.hpp"

namespace tracebench::services {

class loopback_client final : public std::enable_shared_from_this<loopback_client> {
 public:
  // Connections run on strands of `executor`. Uses options' call_timeout, idle_timeout (pooled
  // connections idle half of it are dropped), header_limit, body_limit and max_idle_per_peer.
  [[nodiscard]] static std::shared_ptr<loopback_client> create(asio::any_io_executor executor,
                                                               const loopback_options& options);
  ~loopback_client();
  loopback_client(const loopback_client&) = delete;
  loopback_client& operator=(const loopback_client&) = delete;

  // POSTs `request` to `target` (a path such as "/call/payments") at `peer`. Never throws out
  // of the coroutine: no complete reply within the call timeout, or a non-2xx one, gives
  // call_response{error = true}.
  [[nodiscard]] asio::awaitable<call_response> call(asio::ip::tcp::endpoint peer, std::string target,
                                                    call_request request);
  // Drops the idle connections and pools none from now on. Safe from any thread.
  void close();

  [[nodiscard]] std::shared_ptr<const client_counters> counters() const noexcept { return counters_; }

 private:
  struct connection;
  struct outcome;

  loopback_client(asio::any_io_executor executor, const loopback_options& options);
  std::shared_ptr<connection> take_idle(const asio::ip::tcp::endpoint& peer);
  void give_back(const asio::ip::tcp::endpoint& peer, std::shared_ptr<connection> c);
  // Runs on the connection's strand.
  asio::awaitable<outcome> exchange(std::shared_ptr<loopback_client> self, std::shared_ptr<connection> c, bool reused,
                                    asio::ip::tcp::endpoint peer, std::string target, call_request request);

  asio::any_io_executor executor_;
  loopback_options options_;
  std::shared_ptr<client_counters> counters_ = std::make_shared<client_counters>();
  std::mutex idle_mutex_;
  bool closed_ = false;                                                               // under idle_mutex_
  std::map<asio::ip::tcp::endpoint, std::vector<std::shared_ptr<connection>>> idle_;  // under idle_mutex_
};

}  // namespace tracebench::services
