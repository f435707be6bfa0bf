#include "tracebench/load/http_target.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <optional>
#include <stdexcept>
#include <thread>

#include "tracebench/net/beast_names.hpp"

namespace tracebench::harness {

namespace {

using std::chrono::steady_clock;

// Far above any reply a benchmark target sends; the parser's own default (8 MB) is not.
constexpr std::uint64_t kBodyLimit = std::uint64_t{1} << 32;

// A reply body counted and dropped: a load generator has no use for the bytes, and keeping
// them would cost an allocation per reply (Beast's BodyReader concept).
struct counted_body {
  using value_type = std::uint64_t;

  class reader {
   public:
    template <bool isRequest, class Fields>
    reader(http::header<isRequest, Fields>& /*header*/, value_type& bytes) noexcept : bytes_(bytes) {}
    void init(const boost::optional<std::uint64_t>& /*length*/, error_code& ec) noexcept { ec = {}; }
    template <class ConstBufferSequence>
    std::size_t put(const ConstBufferSequence& buffers, error_code& ec) noexcept {
      const std::size_t n = asio::buffer_size(buffers);
      bytes_ += n;
      ec = {};
      return n;
    }
    void finish(error_code& ec) noexcept { ec = {}; }

   private:
    value_type& bytes_;
  };
};

}  // namespace

std::string build_http_request(std::string_view method, std::string_view target, std::string_view host,
                               std::span<const http_header> headers, std::size_t body_bytes) {
  std::string out;
  out.reserve(128 + body_bytes);
  out.append(method).append(" ").append(target).append(" HTTP/1.1\r\nHost: ").append(host).append("\r\n");
  for (const http_header& h : headers) out.append(h.name).append(": ").append(h.value).append("\r\n");
  // A POST or PUT without a body still says so: some servers wait for a length otherwise.
  if (body_bytes > 0 || method == "POST" || method == "PUT" || method == "PATCH") {
    out.append("Content-Length: ").append(std::to_string(body_bytes)).append("\r\n");
  }
  out.append("\r\n");
  out.append(body_bytes, 'x');
  return out;
}

// One thread running one io_context: connections dealt to it are only ever touched there, so
// they need neither strands nor locks.
struct http_target::event_loop {
  asio::io_context io{1};
  asio::executor_work_guard<asio::io_context::executor_type> guard = asio::make_work_guard(io);
  std::thread thread;
};

struct http_target::connection {
  explicit connection(asio::io_context& io) : stream(io) {}
  beast::tcp_stream stream;
  beast::flat_buffer buffer;
  std::optional<http::response_parser<counted_body>> parser;  // a new one per reply, as Beast requires
  bool open = false;
  job current;
};

http_target::http_target(http_target_options options) : options_(std::move(options)) {
  if (options_.connections == 0) throw std::invalid_argument("http target: connections must be positive");
  if (options_.threads == 0) throw std::invalid_argument("http target: threads must be positive");
  for (unsigned i = 0; i < options_.threads; ++i) loops_.push_back(std::make_unique<event_loop>());
  for (unsigned i = 0; i < options_.connections; ++i) {
    connections_.push_back(std::make_unique<connection>(loops_[i % loops_.size()]->io));
  }
  // Reversed, so the first requests take connection 0, 1, ... and so alternate between loops.
  for (auto it = connections_.rbegin(); it != connections_.rend(); ++it) idle_.push_back(it->get());
  for (const std::unique_ptr<event_loop>& loop : loops_) {
    loop->thread = std::thread([&io = loop->io] { io.run(); });
  }
}

http_target::~http_target() {
  for (const std::unique_ptr<event_loop>& loop : loops_) {
    loop->guard.reset();
    loop->io.stop();
  }
  for (const std::unique_ptr<event_loop>& loop : loops_) loop->thread.join();
  // Sockets before their io_contexts; handlers still queued are destroyed uncalled with them.
  connections_.clear();
  loops_.clear();
}

bool http_target::counted_now() const noexcept {
  const std::int64_t from = count_from_.load(std::memory_order_relaxed);
  return from == 0 || steady_clock::now().time_since_epoch().count() >= from;
}

void http_target::count_from(steady_clock::time_point from) noexcept {
  count_from_.store(from.time_since_epoch().count(), std::memory_order_relaxed);
}

http_error_counts http_target::errors() const noexcept {
  return {connect_errors_.load(std::memory_order_relaxed), io_errors_.load(std::memory_order_relaxed),
          timeouts_.load(std::memory_order_relaxed), status_errors_.load(std::memory_order_relaxed)};
}

void http_target::send(std::uint64_t /*request_id*/, reply_callback done) {
  job next{std::move(done), counted_now()};
  connection* c = nullptr;
  {
    const std::lock_guard<std::mutex> lock(mutex_);
    if (idle_.empty()) {
      waiting_.push_back(std::move(next));
      return;
    }
    c = idle_.back();
    idle_.pop_back();
  }
  c->current = std::move(next);  // the connection is ours alone until it goes back to idle_
  asio::post(c->stream.get_executor(), [this, c] { start(*c); });
}

void http_target::start(connection& c) {
  c.stream.expires_after(options_.timeout);  // one deadline: connect, write and the whole reply
  if (c.open) {
    write(c);
    return;
  }
  opened_.fetch_add(1, std::memory_order_relaxed);
  c.stream.async_connect(options_.endpoint, [this, &c](const error_code& ec) {
    if (ec) {
      fail(c, failure::connect);
      return;
    }
    c.open = true;
    error_code ignored;
    c.stream.socket().set_option(tcp::no_delay(true), ignored);  // small request, then wait: no Nagle delay
    write(c);
  });
}

void http_target::write(connection& c) {
  asio::async_write(c.stream, asio::buffer(options_.request), [this, &c](const error_code& ec, std::size_t) {
    if (ec) {
      fail(c, ec == beast::error::timeout ? failure::timeout : failure::io);
      return;
    }
    read(c);
  });
}

void http_target::read(connection& c) {
  c.parser.emplace();
  c.parser->body_limit(kBodyLimit);
  if (options_.head) c.parser->skip(true);
  http::async_read(c.stream, c.buffer, *c.parser, [this, &c](const error_code& ec, std::size_t) {
    if (ec) {
      fail(c, ec == beast::error::timeout ? failure::timeout : failure::io);
      return;
    }
    c.stream.expires_never();  // else the deadline could strike the idle connection
    const http::response<counted_body>& reply = c.parser->get();
    const unsigned status = reply.result_int();
    bytes_.fetch_add(reply.body(), std::memory_order_relaxed);
    if (!reply.keep_alive()) {  // the server closes it: the next request opens a new one
      error_code ignored;
      c.stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
      c.stream.close();
      c.open = false;
      c.buffer.clear();
    }
    const bool ok = status >= 200 && status < 300;
    if (!ok && c.current.counted) status_errors_.fetch_add(1, std::memory_order_relaxed);
    finish(c, !ok);
  });
}

void http_target::fail(connection& c, failure what) {
  if (c.current.counted) {
    switch (what) {
      case failure::connect:
        connect_errors_.fetch_add(1, std::memory_order_relaxed);
        break;
      case failure::io:
        io_errors_.fetch_add(1, std::memory_order_relaxed);
        break;
      case failure::timeout:
        timeouts_.fetch_add(1, std::memory_order_relaxed);
        break;
    }
  }
  c.stream.close();  // a failed connection is never reused: its state is unknown
  c.open = false;
  c.buffer.clear();
  finish(c, true);
}

void http_target::finish(connection& c, bool error) {
  job done = std::move(c.current);
  c.current = job{};
  // First, so the generator's clock stops now; a closed loop sends its next request from
  // here, which finds this connection still busy and waits for it just below.
  if (done.done) done.done(error);
  {
    const std::lock_guard<std::mutex> lock(mutex_);
    if (waiting_.empty()) {
      idle_.push_back(&c);
      return;
    }
    c.current = std::move(waiting_.front());
    waiting_.pop_front();
  }
  start(c);
}

}  // namespace tracebench::harness
