#pragma once
// The connection handling the harness's small HTTP/1.1 servers (the OTLP collector, the W3C test
// service) share: accepting, with a connection limit and a backoff when out of descriptors;
// reading each request under idle and request timeouts and header and body limits, answering
// `Expect: 100-continue`; refusing what cannot be read (400, 413, 431; a timed-out request is
// only counted); writing each answer, and draining the client before closing. A derived class
// answers complete requests. Single-threaded: it runs on the io_context its owner runs, so
// nothing in it is locked.

#include <utility>  // before asio's awaitable.hpp (Boost 1.74)

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_set>

namespace tracebench::net {

struct http_server_limits {
  std::size_t body_limit = 1024 * 1024;      // larger bodies: 413
  std::size_t header_limit = 16 * 1024;      // larger headers: 431
  std::chrono::seconds request_timeout{10};  // a started request must arrive whole within it
  std::chrono::seconds idle_timeout{60};     // a kept-alive connection may idle this long
  std::size_t max_connections = 256;         // more are closed at once (counted)
};

// The server's part of a derived class's options, which name these fields alike.
template <class Options>
[[nodiscard]] http_server_limits limits_of(const Options& options) noexcept {
  return {.body_limit = options.body_limit,
          .header_limit = options.header_limit,
          .request_timeout = options.request_timeout,
          .idle_timeout = options.idle_timeout,
          .max_connections = options.max_connections};
}

struct http_server_counters {
  std::uint64_t connections = 0;
  std::uint64_t connections_refused = 0;  // over max_connections
  std::uint64_t timeouts = 0;             // requests that did not arrive in time: unanswerable
};

class http_server : public std::enable_shared_from_this<http_server> {
 public:
  using http_request = boost::beast::http::request<boost::beast::http::string_body>;
  using http_request_header = boost::beast::http::request_header<>;
  using http_response = boost::beast::http::response<boost::beast::http::string_body>;

  virtual ~http_server() = default;
  http_server(const http_server&) = delete;
  http_server& operator=(const http_server&) = delete;

  void start();
  // Stops accepting and closes idle connections; a request being read or answered finishes
  // first. The io_context's run() returns once all are done. Idempotent; calls on_stop once.
  void stop();
  void on_stop(std::function<void()> callback) { on_stop_ = std::move(callback); }

  [[nodiscard]] boost::asio::ip::tcp::endpoint endpoint() const { return endpoint_; }
  [[nodiscard]] const http_server_counters& connection_counters() const noexcept { return counters_; }

 protected:
  http_server(boost::asio::io_context& io, http_server_limits limits);
  // Binds and listens; throws boost::system::system_error.
  void listen(const boost::asio::ip::tcp::endpoint& at);
  [[nodiscard]] boost::asio::io_context& io() const noexcept { return io_; }
  [[nodiscard]] bool stopping() const noexcept { return stopping_; }
  // A derived class's counters (derived from http_server_counters) with the server's filled in.
  template <class Counters>
  [[nodiscard]] Counters with_connection_counters(Counters counters) const noexcept {
    static_cast<http_server_counters&>(counters) = counters_;
    return counters;
  }

  // Each of the three below makes one answer, which is written next: the place to count it (and
  // to stop(), which the keep-alive decision then sees).
  // Before the body is read or 100 Continue sent: an answer refuses the request unread, and the
  // connection closes after it. None lets it through.
  virtual std::optional<http_response> check_header(const http_request_header& /*header*/) { return std::nullopt; }
  // The answer to a complete request. The connection stays open when the client asks for it,
  // the server is not stopping, and the answer's keep_alive() is still true.
  virtual boost::asio::awaitable<http_response> handle(const http_request& request) = 0;
  // The answer to a request that could not be read (400, 413 or 431, and why); the connection
  // closes after it.
  virtual http_response refuse(unsigned status, std::string reason) = 0;

 private:
  struct session;

  boost::asio::awaitable<void> serve(std::shared_ptr<http_server> self, std::shared_ptr<session> s);
  // One request and its answer; false when the connection is done.
  boost::asio::awaitable<bool> serve_one(session& s);
  boost::asio::awaitable<void> refuse_unread(session& s, boost::system::error_code read_error);
  // Writes one answer; when closing, as write_and_close does.
  boost::asio::awaitable<bool> write(session& s, http_response answer, bool keep_alive);

  boost::asio::io_context& io_;
  http_server_limits limits_;
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::ip::tcp::endpoint endpoint_;
  http_server_counters counters_;
  std::unordered_set<session*> sessions_;  // open connections, for stop()
  bool stopping_ = false;
  std::function<void()> on_stop_;
};

}  // namespace tracebench::net
