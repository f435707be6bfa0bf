#include "tracebench/net/http_server.hpp"

#include <algorithm>
#include <array>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <limits>
#include <string_view>

#include "tracebench/net/beast_names.hpp"
#include "tracebench/tracer/header_carrier.hpp"

namespace tracebench::net {

namespace {

constexpr std::size_t kReadChunk = 4096;
// After an answer that closes the connection the server reads and drops what the client still
// sends, for at most this long and this much: closing with unread bytes resets the connection,
// and the client could lose the answer before reading it (as loopback_server does).
constexpr auto kLingerTime = std::chrono::seconds(1);
constexpr std::size_t kMaxLingerBytes = 1024 * 1024;
constexpr auto kAcceptBackoff = std::chrono::milliseconds(10);  // out of descriptors: no spinning

}  // namespace

struct http_server::session {
  explicit session(tcp::socket socket) : stream(std::move(socket)) {}
  beast::tcp_stream stream;
  beast::flat_buffer buffer;
  bool idle = false;  // waiting for a request to begin: stop() may close it
};

http_server::http_server(asio::io_context& io, http_server_limits limits)
    : io_(io), limits_(limits), acceptor_(io) {}

void http_server::listen(const tcp::endpoint& at) {
  acceptor_.open(at.protocol());
  acceptor_.set_option(asio::socket_base::reuse_address(true));
  acceptor_.bind(at);
  acceptor_.listen(asio::socket_base::max_listen_connections);
  endpoint_ = acceptor_.local_endpoint();
}

void http_server::start() { asio::co_spawn(io_, accept_loop(shared_from_this()), asio::detached); }

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

asio::awaitable<void> http_server::accept_loop(std::shared_ptr<http_server> self) {
  for (;;) {
    error_code ec;
    tcp::socket socket = co_await acceptor_.async_accept(asio::redirect_error(asio::use_awaitable, ec));
    if (stopping_ || ec == asio::error::operation_aborted || !acceptor_.is_open()) co_return;
    if (ec) {
      asio::steady_timer pause(io_, kAcceptBackoff);
      co_await pause.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      continue;
    }
    ++counters_.connections;
    if (sessions_.size() >= limits_.max_connections) {
      ++counters_.connections_refused;
      socket.close(ec);
      continue;
    }
    auto s = std::make_shared<session>(std::move(socket));
    sessions_.insert(s.get());
    asio::co_spawn(io_, serve(self, s), asio::detached);
  }
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
  parser.header_limit(static_cast<std::uint32_t>(
      std::min<std::size_t>(limits_.header_limit, std::numeric_limits<std::uint32_t>::max())));
  parser.body_limit(limits_.body_limit);
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
  if (read_error == beast::error::timeout) {
    ++counters_.timeouts;  // the stream is closed already: nobody to answer
  } else if (read_error == http::error::header_limit) {
    status = 431;
    reason = "request header over " + std::to_string(limits_.header_limit) + " bytes";
  } else if (read_error == http::error::body_limit) {
    status = 413;
    reason = "request body over " + std::to_string(limits_.body_limit) + " bytes";
  } else if (read_error.category() == http::make_error_code(http::error::bad_target).category() &&
             read_error != http::error::end_of_stream && read_error != http::error::partial_message) {
    status = 400;
    reason = "malformed HTTP request: " + read_error.message();
  }
  // Anything else is the client leaving mid-request: nobody to answer.
  if (status == 0) co_return;
  co_await write(s, refuse(status, std::move(reason)), false);
}

asio::awaitable<bool> http_server::write(session& s, http_response answer, bool keep_alive) {
  beast::tcp_stream& stream = s.stream;
  answer.keep_alive(keep_alive);
  answer.prepare_payload();
  error_code ec;
  stream.expires_after(keep_alive ? limits_.request_timeout : kLingerTime);
  co_await http::async_write(stream, answer, asio::redirect_error(asio::use_awaitable, ec));
  if (ec) co_return false;
  if (keep_alive) co_return true;
  stream.socket().shutdown(tcp::socket::shutdown_send, ec);
  std::array<char, kReadChunk> sink;
  for (std::size_t drained = 0; drained < kMaxLingerBytes;) {
    drained += co_await stream.async_read_some(asio::buffer(sink), asio::redirect_error(asio::use_awaitable, ec));
    if (ec) break;  // the client read the answer and closed, or the linger time ran out
  }
  co_return false;
}

}  // namespace tracebench::net
