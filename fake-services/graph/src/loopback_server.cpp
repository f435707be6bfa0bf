#include "loopback_server.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <charconv>
#include <exception>
#include <optional>
#include <vector>

#include "tracebench/net/accept_loop.hpp"
#include "tracebench/net/beast_names.hpp"
#include "tracebench/net/closing_write.hpp"
#include "tracebench/net/request_reading.hpp"

namespace tracebench::services {

namespace {

template <typename Integer>
bool parse_decimal(std::string_view text, Integer& out) noexcept {
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc{} && end == text.data() + text.size() && !text.empty();
}

// Every header but the transport's own goes into the callee's carrier: a real service's
// propagator reads from the whole parsed header set, so extraction scans what it would in
// production, and a propagator added later needs no change here. The x-tracebench headers are
// the call's out-of-band fields, never tracing context.
std::optional<call_request> to_call_request(const http::request<http::string_body>& message) {
  call_request out;
  for (const auto& field : message) {
    const std::string_view name = to_std(field.name_string());
    const std::string_view value = to_std(field.value());
    if (tracer::iequals(name, kRequestIdHeader)) {
      if (!parse_decimal(value, out.request_id)) return std::nullopt;
    } else if (tracer::iequals(name, kSeedHeader)) {
      if (!parse_decimal(value, out.seed)) return std::nullopt;
    } else if (tracer::iequals(name, kDeliveryHeader)) {
      const std::optional<delivery> via = parse_delivery(value);
      if (!via) return std::nullopt;
      out.via = *via;
    } else if (tracer::iequals(name, kBatchSizeHeader)) {
      if (!parse_decimal(value, out.batch_size) || out.batch_size == 0) return std::nullopt;
    } else {
      out.headers.add(name, value);
    }
  }
  out.request_bytes = message.body().size();
  return out;
}

}  // namespace

struct loopback_server::session {
  explicit session(tcp::socket socket) : stream(std::move(socket)) {}
  beast::tcp_stream stream;  // on its own strand: its timers and reads never race
  beast::flat_buffer buffer;
};

std::shared_ptr<loopback_server> loopback_server::bind(service_host& host, std::size_t service, std::string path,
                                                       asio::any_io_executor executor, const loopback_options& options,
                                                       std::uint16_t port) {
  return std::shared_ptr<loopback_server>(
      new loopback_server(host, service, std::move(path), std::move(executor), options, port));
}

loopback_server::loopback_server(service_host& host, std::size_t service, std::string path,
                                 asio::any_io_executor executor, const loopback_options& options, std::uint16_t port)
    : host_(host),
      service_(service),
      path_(std::move(path)),
      executor_(std::move(executor)),
      options_(options),
      acceptor_(asio::any_io_executor(asio::make_strand(executor_))) {
  endpoint_ = net::listen(acceptor_, tcp::endpoint(asio::ip::make_address(options_.bind_address), port));
}

loopback_server::~loopback_server() = default;

// Each connection on a strand of its own: the executor is a thread pool.
void loopback_server::start() {
  std::shared_ptr<loopback_server> self = shared_from_this();
  asio::co_spawn(acceptor_.get_executor(),
                 net::accept_loop(
                     acceptor_, [this] { return asio::any_io_executor(asio::make_strand(executor_)); },
                     [this](const error_code&) { counters_->accept_errors.fetch_add(1, std::memory_order_relaxed); },
                     [this, self](tcp::socket socket) {
                       counters_->connections.fetch_add(1, std::memory_order_relaxed);
                       auto s = std::make_shared<session>(std::move(socket));
                       {
                         const std::lock_guard<std::mutex> lock(sessions_mutex_);
                         if (closed_) return false;
                         sessions_.emplace(s.get(), s);
                       }
                       asio::co_spawn(s->stream.get_executor(), serve(self, s), asio::detached);
                       return true;
                     }),
                 asio::detached);
}

void loopback_server::close() {
  std::vector<std::shared_ptr<session>> open;
  {
    const std::lock_guard<std::mutex> lock(sessions_mutex_);
    closed_ = true;
    for (const auto& entry : sessions_) {
      if (std::shared_ptr<session> s = entry.second.lock()) open.push_back(std::move(s));
    }
  }
  asio::post(acceptor_.get_executor(), [self = shared_from_this()] {
    error_code ignored;
    self->acceptor_.close(ignored);
  });
  for (std::shared_ptr<session>& s : open) {
    asio::post(s->stream.get_executor(), [s] { s->stream.close(); });
  }
}

asio::awaitable<void> loopback_server::serve(std::shared_ptr<loopback_server> self, std::shared_ptr<session> s) {
  // Also runs when the executor is destroyed with the coroutine abandoned: `self` still lives.
  struct forget_guard {
    loopback_server* server;
    const session* gone;
    ~forget_guard() {
      const std::lock_guard<std::mutex> lock(server->sessions_mutex_);
      server->sessions_.erase(gone);
    }
  } forget{self.get(), s.get()};
  while (co_await serve_one(*s)) {
  }
  error_code ignored;
  s->stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
  s->stream.close();
}

asio::awaitable<bool> loopback_server::serve_one(session& s) {
  beast::tcp_stream& stream = s.stream;
  error_code ec;
  // Between requests a keep-alive connection may idle long; once a request began, it must
  // arrive whole within request_timeout.
  if (s.buffer.size() == 0) {
    stream.expires_after(options_.idle_timeout);
    const std::size_t n = co_await stream.async_read_some(s.buffer.prepare(net::kReadChunk),
                                                          asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return false;  // the client closed, or idled out: nobody waits for an answer
    s.buffer.commit(n);
  }
  stream.expires_after(options_.request_timeout);
  http::request_parser<http::string_body> parser;
  net::limit(parser, options_.header_limit, options_.body_limit);
  co_await http::async_read_header(stream, s.buffer, parser, asio::redirect_error(asio::use_awaitable, ec));
  if (ec) {
    co_await refuse(s, ec);
    co_return false;
  }
  // Checked before the body is read, so a wrong request never makes the server take its body.
  const http::verb method = parser.get().method();
  if (method != http::verb::post && !(options_.accept_get && method == http::verb::get)) {
    counters_->bad_requests.fetch_add(1, std::memory_order_relaxed);
    co_await reply_and_close(s, static_cast<unsigned>(http::status::method_not_allowed));
    co_return false;
  }
  if (options_.control && method == http::verb::post && to_std(parser.get().target()).starts_with(kControlPathPrefix)) {
    co_return co_await serve_control(s, parser);
  }
  if (to_std(parser.get().target()) != path_) {
    counters_->not_found.fetch_add(1, std::memory_order_relaxed);
    co_await reply_and_close(s, static_cast<unsigned>(http::status::not_found));
    co_return false;
  }
  co_await http::async_read(stream, s.buffer, parser, asio::redirect_error(asio::use_awaitable, ec));
  if (ec) {
    co_await refuse(s, ec);
    co_return false;
  }
  std::optional<call_request> request = to_call_request(parser.get());
  if (!request) {
    counters_->bad_requests.fetch_add(1, std::memory_order_relaxed);
    co_await reply_and_close(s, static_cast<unsigned>(http::status::bad_request));
    co_return false;
  }
  counters_->request_bytes.fetch_add(request->request_bytes, std::memory_order_relaxed);
  const bool keep_alive = parser.get().keep_alive();

  // The service takes what it takes: the caller's call timeout bounds the wait, not the server.
  stream.expires_never();
  call_response reply{true, 0};
  try {
    reply = co_await host_.handle(service_, std::move(*request));
  } catch (const std::exception&) {
    reply = call_response{true, 0};  // a failing service is a 500, never a dead server
  }
  counters_->requests.fetch_add(1, std::memory_order_relaxed);

  http::response<http::string_body> response{reply.error ? http::status::internal_server_error : http::status::ok, 11};
  response.keep_alive(keep_alive);
  response.body().assign(reply.bytes, 'x');
  response.prepare_payload();
  // Counted before the write: once it completes the client may have read the reply, and a test
  // (or a report) reading the counters then must see it.
  counters_->response_bytes.fetch_add(reply.bytes, std::memory_order_relaxed);
  stream.expires_after(options_.request_timeout);
  co_await http::async_write(stream, response, asio::redirect_error(asio::use_awaitable, ec));
  co_return !ec && keep_alive;
}

asio::awaitable<bool> loopback_server::serve_control(session& s, http::request_parser<http::string_body>& parser) {
  beast::tcp_stream& stream = s.stream;
  error_code ec;
  co_await http::async_read(stream, s.buffer, parser, asio::redirect_error(asio::use_awaitable, ec));
  if (ec) {
    co_await refuse(s, ec);
    co_return false;
  }
  const bool keep_alive = parser.get().keep_alive();
  stream.expires_never();  // the handler bounds its own work
  control_reply reply;
  try {
    reply = co_await options_.control(std::string(to_std(parser.get().target())), std::move(parser.get().body()));
  } catch (const std::exception&) {
    reply = control_reply{500, R"({"error": "the control request failed"})"};
  }
  http::response<http::string_body> response{static_cast<http::status>(reply.status), 11};
  response.set(http::field::content_type, "application/json");
  response.keep_alive(keep_alive);
  response.body() = std::move(reply.body);
  response.prepare_payload();
  stream.expires_after(options_.request_timeout);
  co_await http::async_write(stream, response, asio::redirect_error(asio::use_awaitable, ec));
  co_return !ec && keep_alive;
}

asio::awaitable<void> loopback_server::refuse(session& s, error_code read_error) {
  const auto count = [](std::atomic<std::uint64_t>& counter) { counter.fetch_add(1, std::memory_order_relaxed); };
  switch (net::why_unread(read_error)) {
    case net::read_failure::timed_out:
      count(counters_->timeouts);
      break;
    case net::read_failure::gone:
      break;
    case net::read_failure::header_too_large:
      count(counters_->headers_too_large);
      co_await reply_and_close(s, static_cast<unsigned>(http::status::request_header_fields_too_large));
      break;
    case net::read_failure::body_too_large:
      count(counters_->bodies_too_large);
      co_await reply_and_close(s, static_cast<unsigned>(http::status::payload_too_large));
      break;
    case net::read_failure::malformed:
      count(counters_->bad_requests);
      co_await reply_and_close(s, static_cast<unsigned>(http::status::bad_request));
      break;
  }
}

// An empty body, as every refusal of this server.
asio::awaitable<void> loopback_server::reply_and_close(session& s, unsigned status) {
  http::response<http::string_body> response{static_cast<http::status>(status), 11};
  co_await net::write_and_close(s.stream, response);
}

}  // namespace tracebench::services
