#include "otlp_collector.hpp"

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
#include <nlohmann/json.hpp>
#include <ostream>

#include "otlp_export_request.hpp"
#include "tracebench/tracer/header_carrier.hpp"

namespace tracebench::harness {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::ip::tcp;
using boost::system::error_code;
using ordered_json = nlohmann::ordered_json;

constexpr std::size_t kReadChunk = 4096;
// After a refusal the server reads and drops what the client still sends, for at most this long
// and this much: closing with unread bytes resets the connection, and the client could lose the
// answer before reading it (as loopback_server does).
constexpr auto kLingerTime = std::chrono::seconds(1);
constexpr std::size_t kMaxLingerBytes = 1024 * 1024;
constexpr auto kAcceptBackoff = std::chrono::milliseconds(10);  // out of descriptors: no spinning

std::string_view to_std(beast::string_view s) noexcept { return {s.data(), s.size()}; }

// "application/json; charset=utf-8" -> "application/json"
std::string_view media_type(std::string_view content_type) noexcept {
  content_type = content_type.substr(0, content_type.find(';'));
  const auto last = content_type.find_last_not_of(" \t");
  return last == std::string_view::npos ? std::string_view{} : content_type.substr(0, last + 1);
}

// A message is one line whatever the client sent (JSON errors quote the input).
std::string one_line(std::string text) {
  for (char& c : text) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = ' ';
  }
  return text;
}

// The google.rpc.Status code OTLP/HTTP error bodies carry, for an HTTP status.
int rpc_code(unsigned status) noexcept {
  switch (status) {
    case 404:
      return 5;  // NOT_FOUND
    case 405:
      return 12;  // UNIMPLEMENTED
    case 413:
    case 431:
      return 8;  // RESOURCE_EXHAUSTED
    case 503:
      return 14;  // UNAVAILABLE
    default:
      return 3;  // INVALID_ARGUMENT
  }
}

}  // namespace

struct otlp_collector::session {
  explicit session(tcp::socket socket) : stream(std::move(socket)) {}
  beast::tcp_stream stream;
  beast::flat_buffer buffer;
  bool idle = false;  // waiting for a request to begin: stop() may close it
};

// An answer: 200 with its spans, or an error status and its one-line reason.
struct otlp_collector::verdict {
  unsigned status = 200;
  std::string message;
  std::size_t spans = 0;
};

std::shared_ptr<otlp_collector> otlp_collector::bind(asio::io_context& io, const tcp::endpoint& listen,
                                                     std::ostream& out, std::ostream& log, collector_options options) {
  std::shared_ptr<otlp_collector> collector(new otlp_collector(io, out, log, options));
  collector->acceptor_.open(listen.protocol());
  collector->acceptor_.set_option(asio::socket_base::reuse_address(true));
  collector->acceptor_.bind(listen);
  collector->acceptor_.listen(asio::socket_base::max_listen_connections);
  collector->endpoint_ = collector->acceptor_.local_endpoint();
  return collector;
}

otlp_collector::otlp_collector(asio::io_context& io, std::ostream& out, std::ostream& log, collector_options options)
    : io_(io), out_(out), log_(log), options_(options), acceptor_(io) {}

void otlp_collector::start() { asio::co_spawn(io_, accept_loop(shared_from_this()), asio::detached); }

void otlp_collector::stop() {
  if (stopping_) return;
  stopping_ = true;
  error_code ignored;
  acceptor_.close(ignored);
  for (session* s : sessions_) {
    if (s->idle) s->stream.cancel();
  }
  if (on_stop_) on_stop_();
}

asio::awaitable<void> otlp_collector::accept_loop(std::shared_ptr<otlp_collector> self) {
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
    if (sessions_.size() >= options_.max_connections) {
      ++counters_.connections_refused;
      socket.close(ec);
      continue;
    }
    auto s = std::make_shared<session>(std::move(socket));
    sessions_.insert(s.get());
    asio::co_spawn(io_, serve(self, s), asio::detached);
  }
}

asio::awaitable<void> otlp_collector::serve(std::shared_ptr<otlp_collector> self, std::shared_ptr<session> s) {
  struct forget_guard {
    otlp_collector* collector;
    session* gone;
    ~forget_guard() { collector->sessions_.erase(gone); }
  } forget{self.get(), s.get()};
  while (co_await serve_one(*s)) {
  }
  error_code ignored;
  s->stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
  s->stream.close();
}

asio::awaitable<bool> otlp_collector::serve_one(session& s) {
  beast::tcp_stream& stream = s.stream;
  error_code ec;
  if (stopping_) co_return false;
  if (s.buffer.size() == 0) {
    s.idle = true;
    stream.expires_after(options_.idle_timeout);
    const std::size_t n =
        co_await stream.async_read_some(s.buffer.prepare(kReadChunk), asio::redirect_error(asio::use_awaitable, ec));
    s.idle = false;
    if (ec) co_return false;  // the client closed, idled out, or we are stopping
    s.buffer.commit(n);
  }
  stream.expires_after(options_.request_timeout);
  http::request_parser<http::string_body> parser;
  parser.header_limit(static_cast<std::uint32_t>(
      std::min<std::size_t>(options_.header_limit, std::numeric_limits<std::uint32_t>::max())));
  parser.body_limit(options_.body_limit);
  co_await http::async_read_header(stream, s.buffer, parser, asio::redirect_error(asio::use_awaitable, ec));
  if (ec) {
    co_await refuse(s, ec);
    co_return false;
  }
  // Checked before the body is read, so a request we will refuse never makes us take its body;
  // the connection cannot go on after it.
  const auto& request = parser.get();
  const std::string_view target = to_std(request.target());
  const std::string_view content_type = to_std(request[http::field::content_type]);
  const std::string_view encoding = to_std(request[http::field::content_encoding]);
  verdict early{0, {}, 0};
  if (target.substr(0, target.find('?')) != kPath) {
    early = {404, "no such path '" + std::string(target) + "': OTLP/HTTP traces go to POST /v1/traces", 0};
  } else if (request.method() != http::verb::post) {
    early = {405, "method " + std::string(to_std(request.method_string())) + " is not allowed: send POST", 0};
  } else if (!tracer::iequals(media_type(content_type), "application/json")) {
    early = {415,
             content_type.empty() ? std::string("no Content-Type: send application/json (OTLP/HTTP JSON)")
                                  : "Content-Type '" + std::string(content_type) +
                                        "' is not supported: send application/json (OTLP/HTTP JSON)",
             0};
  } else if (!encoding.empty() && !tracer::iequals(encoding, "identity")) {
    early = {415, "Content-Encoding '" + std::string(encoding) + "' is not supported: send the body uncompressed", 0};
  }
  if (early.status != 0) {
    count_answer(early);
    co_await answer(s, early, false);
    co_return false;
  }
  if (tracer::iequals(to_std(request[http::field::expect]), "100-continue")) {
    constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
    co_await asio::async_write(stream, asio::buffer(kContinue.data(), kContinue.size()),
                               asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return false;
  }
  co_await http::async_read(stream, s.buffer, parser, asio::redirect_error(asio::use_awaitable, ec));
  if (ec) {
    co_await refuse(s, ec);
    co_return false;
  }
  const verdict v = ingest(parser.get().body());
  count_answer(v);  // before the write: once it completes, the client may look at the output
  co_return co_await answer(s, v, parser.get().keep_alive() && !stopping_);
}

otlp_collector::verdict otlp_collector::ingest(std::string_view body) {
  if (nested_deeper_than(body, kMaxJsonDepth)) {
    return {400, "invalid JSON: nested deeper than " + std::to_string(kMaxJsonDepth) + " levels", 0};
  }
  ordered_json request;
  try {
    request = ordered_json::parse(body);
  } catch (const ordered_json::exception& e) {
    return {400, "invalid JSON: " + std::string(e.what()), 0};
  }
  std::size_t spans = 0;
  try {
    spans = check_export_request(request);
  } catch (const export_request_error& e) {
    return {400, "not an OTLP ExportTraceServiceRequest: " + std::string(e.what()), 0};
  }
  if (spans == 0) return {200, {}, 0};  // valid, and nothing to write: analyze wants spans per line
  try {
    line_ = request.dump();
  } catch (const ordered_json::exception& e) {
    return {400, "invalid JSON: " + std::string(e.what()), 0};
  }
  line_.push_back('\n');
  out_.write(line_.data(), static_cast<std::streamsize>(line_.size()));
  out_.flush();  // per request: what was answered 200 is on disk even if we are killed next
  if (!out_) {
    ++counters_.write_errors;
    return {503,
            "cannot write the collector's output: the spans were not stored, "
            "send them again later",
            0};
  }
  ++counters_.lines;
  return {200, {}, spans};
}

void otlp_collector::count_answer(const verdict& v) {
  ++counters_.requests;
  if (v.status == 200) {
    ++counters_.accepted;
    counters_.spans += v.spans;
  } else if (++counters_.rejected <= options_.max_logged_rejections) {
    log_ << "tracebench collect: answered " << v.status << ": " << one_line(v.message)
         << (counters_.rejected == options_.max_logged_rejections ? " (further rejections are only counted)" : "")
         << '\n';
  }
  if (options_.max_requests != 0 && counters_.requests >= options_.max_requests) stop();
}

asio::awaitable<void> otlp_collector::refuse(session& s, error_code read_error) {
  verdict v{0, {}, 0};
  if (read_error == beast::error::timeout) {
    ++counters_.timeouts;  // the stream is closed already: nobody to answer
  } else if (read_error == http::error::header_limit) {
    v = {431, "request header over " + std::to_string(options_.header_limit) + " bytes", 0};
  } else if (read_error == http::error::body_limit) {
    v = {413, "request body over " + std::to_string(options_.body_limit) + " bytes", 0};
  } else if (read_error.category() == http::make_error_code(http::error::bad_target).category() &&
             read_error != http::error::end_of_stream && read_error != http::error::partial_message) {
    v = {400, "malformed HTTP request: " + read_error.message(), 0};
  }
  // Anything else is the client leaving mid-request: nobody to answer.
  if (v.status == 0) co_return;
  count_answer(v);
  co_await answer(s, v, false);
}

asio::awaitable<bool> otlp_collector::answer(session& s, const verdict& v, bool keep_alive) {
  beast::tcp_stream& stream = s.stream;
  http::response<http::string_body> response{static_cast<http::status>(v.status), 11};
  response.set(http::field::content_type, "application/json");
  if (v.status == 405) response.set(http::field::allow, "POST");
  if (v.status == 503) response.set(http::field::retry_after, "1");
  response.keep_alive(keep_alive);
  if (v.status == 200) {
    response.body() = "{}";  // an ExportTraceServiceResponse without partial success
  } else {
    const ordered_json status = {{"code", rpc_code(v.status)}, {"message", one_line(v.message)}};
    response.body() = status.dump(-1, ' ', false, ordered_json::error_handler_t::replace);
  }
  response.prepare_payload();
  error_code ec;
  stream.expires_after(keep_alive ? options_.request_timeout : kLingerTime);
  co_await http::async_write(stream, response, asio::redirect_error(asio::use_awaitable, ec));
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

}  // namespace tracebench::harness
