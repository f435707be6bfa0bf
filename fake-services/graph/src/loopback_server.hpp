#pragma once
// One simulated service as an HTTP/1.1 server: accepts keep-alive connections, turns each
// `POST /call/<service>` back into a call_request, runs it through the service_host and
// writes the reply. Bad input is answered (400, 404, 405, 413, 431) or, when the stream
// cannot be answered, closed; either way counted, and the server keeps serving.
// Not a net::http_server: it runs on a thread pool (a strand per connection, close() from any
// thread), and its handler is inline so each measured request costs no extra coroutine frame.
// It shares net's accept loop, request limits, read-failure rules and closing write instead.

#include <utility>  // before asio's awaitable.hpp (Boost 1.74)

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "tracebench/services/loopback_transport.hpp"
#include "tracebench/services/transport.hpp"

namespace tracebench::services {

class loopback_server final : public std::enable_shared_from_this<loopback_server> {
 public:
  // Binds and listens on options.bind_address, `port` (0: an ephemeral one; throws
  // boost::system::system_error); serves nothing until start(). `host` must outlive every
  // coroutine of the server. A fixed port is for `tracebench serve`; graphs always use 0.
  [[nodiscard]] static std::shared_ptr<loopback_server> bind(service_host& host, std::size_t service, std::string path,
                                                             asio::any_io_executor executor,
                                                             const loopback_options& options, std::uint16_t port = 0);
  ~loopback_server();
  loopback_server(const loopback_server&) = delete;
  loopback_server& operator=(const loopback_server&) = delete;

  // Starts the accept loop on the executor. Once.
  void start();
  // Stops accepting and closes every connection, each on its own strand, so it is safe from
  // any thread; if the executor no longer runs, its destruction closes them instead.
  void close();

  [[nodiscard]] asio::ip::tcp::endpoint endpoint() const { return endpoint_; }
  [[nodiscard]] std::shared_ptr<const server_counters> counters() const noexcept { return counters_; }

 private:
  struct session;

  loopback_server(service_host& host, std::size_t service, std::string path, asio::any_io_executor executor,
                  const loopback_options& options, std::uint16_t port);
  asio::awaitable<void> serve(std::shared_ptr<loopback_server> self, std::shared_ptr<session> s);
  // One request and its reply; false when the connection is done.
  asio::awaitable<bool> serve_one(session& s);
  // A control request (options.control set): read whole, handed over, answered; keeps the
  // connection when the client asked to.
  asio::awaitable<bool> serve_control(session& s,
                                      boost::beast::http::request_parser<boost::beast::http::string_body>& parser);
  // Answers a request that could not be read or is not ours (or just counts it when it
  // cannot be answered); the connection is done after it.
  asio::awaitable<void> refuse(session& s, boost::system::error_code read_error);
  asio::awaitable<void> reply_and_close(session& s, unsigned status);

  service_host& host_;
  std::size_t service_;
  std::string path_;  // the one target this server answers
  asio::any_io_executor executor_;
  loopback_options options_;
  asio::ip::tcp::acceptor acceptor_;  // on a strand of executor_, so close() can reach it safely
  asio::ip::tcp::endpoint endpoint_;
  std::shared_ptr<server_counters> counters_ = std::make_shared<server_counters>();
  std::mutex sessions_mutex_;
  bool closed_ = false;                                                  // under sessions_mutex_
  std::unordered_map<const session*, std::weak_ptr<session>> sessions_;  // open connections, for close()
};

}  // namespace tracebench::services
