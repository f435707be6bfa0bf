#include "tracebench/net/http_server.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <string_view>

#include "tracebench/net/accept_loop.hpp"
#include "tracebench/net/beast_names.hpp"
#include "tracebench/net/closing_write.hpp"
#include "tracebench/net/request_reading.hpp"
#include "tracebench/tracer/header_carrier.hpp"

namespace tracebench::net {

struct http_server::session {
  explicit session(tcp::socket socket) : stream(std::move(socket)) {}
  beast::tcp_stream stream;
  beast::flat_buffer buffer;
  bool idle = false;  // waiting for a request to begin: stop() may close it
};

http_server::http_server(asio::io_context& io, http_server_limits limits) : io_(io), limits_(limits), acceptor_(io) {}

void http_server::listen(const tcp::endpoint& at) { endpoint_ = net::listen(acceptor_, at); }

// stop() closes the acceptor as it sets stopping_, so the loop ends on either.
void http_server::start() {
  std::shared_ptr<http_server> self = shared_from_this();
  asio::co_spawn(io_,
                 accept_loop(
                     acceptor_, [this] { return asio::any_io_executor(io_.get_executor()); }, [](const error_code&) {},
                     [this, self](tcp::socket socket) {
                       ++counters_.connections;
                       if (sessions_.size() >= limits_.max_connections) {
                         ++counters_.connections_refused;
                         error_code ignored;
                         socket.close(ignored);
                         return true;
                       }
                       auto s = std::make_shared<session>(std::move(socket));
                       sessions_.insert(s.get());
                       asio::co_spawn(io_, serve(self, s), asio::detached);
                       return true;
                     }),
                 asio::detached);
}

void http_server::stop() {
  if (stopping_) return;
  stopping_ = true;
  error_code ignored;
  acceptor_.close(ignored);
  for (session* s : sessions_) {
    if (s->idle) s->stream.cancel();
  }
  if (on_stop_) on_stop_();
}

asio::awaitable<void> http_server::serve(std::shared_ptr<http_server> self, std::shared_ptr<session> s) {
  struct forget_guard {
    http_server* server;
    session* gone;
    ~forget_guard() { server->sessions_.erase(gone); }
  } forget{self.get(), s.get()};
  while (co_await serve_one(*s)) {
  }
  error_code ignored;
  s->stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
  s->stream.close();
}

asio::awaitable<bool> http_server::serve_one(session& s) {
  beast::tcp_stream& stream = s.stream;
  error_code ec;
  if (stopping_) co_return false;
  if (s.buffer.size() == 0) {
    s.idle = true;
    stream.expires_after(limits_.idle_timeout);
    const std::size_t n =
        co_await stream.async_read_some(s.buffer.prepare(kReadChunk), asio::redirect_error(asio::use_awaitable, ec));
    s.idle = false;
    if (ec) co_return false;  // the client closed, idled out, or we are stopping
    s.buffer.commit(n);
  }
  stream.expires_after(limits_.request_timeout);
  http::request_parser<http::string_body> parser;
  limit(parser, limits_.header_limit, limits_.body_limit);
  co_await http::async_read_header(stream, s.buffer, parser, asio::redirect_error(asio::use_awaitable, ec));
  if (ec) {
    co_await refuse_unread(s, ec);
    co_return false;
  }
  // Checked before the body is read, so a request we will refuse never makes us take its body;
  // the connection cannot go on after it.
  if (std::optional<http_response> early = check_header(parser.get())) {
    co_await write(s, std::move(*early), false);
    co_return false;
  }
  if (tracer::iequals(to_std(parser.get()[http::field::expect]), "100-continue")) {
    constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";  // curl waits for it
    co_await asio::async_write(stream, asio::buffer(kContinue.data(), kContinue.size()),
                               asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return false;
  }
  co_await http::async_read(stream, s.buffer, parser, asio::redirect_error(asio::use_awaitable, ec));
  if (ec) {
    co_await refuse_unread(s, ec);
    co_return false;
  }
  // The handler counts its answer before the write (once it completes, the client may look at
  // what it did) and may stop the server, so stopping_ is read after it.
  http_response answer = co_await handle(parser.get());
  const bool keep_alive = parser.get().keep_alive() && !stopping_ && answer.keep_alive();
  co_return co_await write(s, std::move(answer), keep_alive);
}

asio::awaitable<void> http_server::refuse_unread(session& s, error_code read_error) {
  unsigned status = 0;
  std::string reason;
  switch (why_unread(read_error)) {
    case read_failure::timed_out:
      ++counters_.timeouts;
      co_return;
    case read_failure::gone:
      co_return;
    case read_failure::header_too_large:
      status = 431;
      reason = "request header over " + std::to_string(limits_.header_limit) + " bytes";
      break;
    case read_failure::body_too_large:
      status = 413;
      reason = "request body over " + std::to_string(limits_.body_limit) + " bytes";
      break;
    case read_failure::malformed:
      status = 400;
      reason = "malformed HTTP request: " + read_error.message();
      break;
  }
  co_await write(s, refuse(status, std::move(reason)), false);
}

asio::awaitable<bool> http_server::write(session& s, http_response answer, bool keep_alive) {
  if (!keep_alive) {
    co_await write_and_close(s.stream, answer);
    co_return false;
  }
  answer.keep_alive(true);
  answer.prepare_payload();
  error_code ec;
  s.stream.expires_after(limits_.request_timeout);
  co_await http::async_write(s.stream, answer, asio::redirect_error(asio::use_awaitable, ec));
  co_return !ec;
}

}  // namespace tracebench::net
