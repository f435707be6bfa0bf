#include "tracebench/services/loopback_client.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <exception>

namespace tracebench::services {

namespace {

namespace beast = boost::beast;
namespace http = beast::http;
using asio::ip::tcp;
using boost::system::error_code;

beast::string_view to_beast(std::string_view s) noexcept { return {s.data(), s.size()}; }

}  // namespace

struct loopback_client::connection {
  explicit connection(const asio::any_io_executor& executor) : stream(asio::make_strand(executor)) {}
  // On its own strand: beast's timeout handler and the reads and writes never race.
  beast::tcp_stream stream;
  beast::flat_buffer buffer;
  std::chrono::steady_clock::time_point idle_since;
};

struct loopback_client::outcome {
  call_response response{true, 0};
  bool reusable = false;
};

std::shared_ptr<loopback_client> loopback_client::create(asio::any_io_executor executor,
                                                         const loopback_options& options) {
  return std::shared_ptr<loopback_client>(new loopback_client(std::move(executor), options));
}

loopback_client::loopback_client(asio::any_io_executor executor, const loopback_options& options)
    : executor_(std::move(executor)), options_(options) {}

loopback_client::~loopback_client() = default;

void loopback_client::close() {
  std::map<tcp::endpoint, std::vector<std::shared_ptr<connection>>> dropped;
  const std::lock_guard<std::mutex> lock(idle_mutex_);
  closed_ = true;
  // Idle connections have no operation in flight, so closing them off their strand is safe.
  dropped.swap(idle_);
}

std::shared_ptr<loopback_client::connection> loopback_client::take_idle(const tcp::endpoint& peer) {
  // The server closes a connection idle for idle_timeout; one idle half as long is still open
  // when the request reaches it, so a pooled connection never fails for being stale.
  const auto stale_before = std::chrono::steady_clock::now() - options_.idle_timeout / 2;
  const std::lock_guard<std::mutex> lock(idle_mutex_);
  const auto found = idle_.find(peer);
  if (found == idle_.end()) return nullptr;
  std::vector<std::shared_ptr<connection>>& pool = found->second;
  while (!pool.empty()) {
    std::shared_ptr<connection> c = std::move(pool.back());
    pool.pop_back();
    if (c->idle_since >= stale_before) return c;
  }
  return nullptr;
}

void loopback_client::give_back(const tcp::endpoint& peer, std::shared_ptr<connection> c) {
  c->idle_since = std::chrono::steady_clock::now();
  const std::lock_guard<std::mutex> lock(idle_mutex_);
  if (closed_) return;
  std::vector<std::shared_ptr<connection>>& pool = idle_[peer];
  if (pool.size() < options_.max_idle_per_peer) pool.push_back(std::move(c));
}

asio::awaitable<call_response> loopback_client::call(tcp::endpoint peer, std::string target, call_request request) {
  std::shared_ptr<loopback_client> self = shared_from_this();
  std::shared_ptr<connection> c = take_idle(peer);
  const bool reused = c != nullptr;
  if (reused) {
    counters_->reuses.fetch_add(1, std::memory_order_relaxed);
  } else {
    counters_->opens.fetch_add(1, std::memory_order_relaxed);
    c = std::make_shared<connection>(executor_);
  }
  outcome result;
  try {
    result = co_await asio::co_spawn(c->stream.get_executor(),
                                     exchange(self, c, reused, peer, std::move(target), std::move(request)),
                                     asio::use_awaitable);
  } catch (const std::exception&) {  // out of memory, say: the call failed, the caller goes on
    counters_->failures.fetch_add(1, std::memory_order_relaxed);
    result = outcome{};
  }
  if (result.reusable) give_back(peer, std::move(c));
  co_return result.response;
}

asio::awaitable<loopback_client::outcome> loopback_client::exchange(std::shared_ptr<loopback_client> self,
                                                                    std::shared_ptr<connection> c, bool reused,
                                                                    tcp::endpoint peer, std::string target,
                                                                    call_request request) {
  (void)self;  // keeps the client alive while the exchange runs on its own strand
  beast::tcp_stream& stream = c->stream;
  const auto failed = [this](const error_code& ec) {
    counters_->failures.fetch_add(1, std::memory_order_relaxed);
    if (ec == beast::error::timeout) counters_->timeouts.fetch_add(1, std::memory_order_relaxed);
    return outcome{};
  };
  error_code ec;
  // One deadline for the whole call: connect, send and the complete reply.
  stream.expires_after(options_.call_timeout);
  if (!reused) {
    co_await stream.async_connect(peer, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return failed(ec);
    stream.socket().set_option(tcp::no_delay(true), ec);  // small request, then wait: no Nagle delay
  }

  http::request<http::string_body> message{http::verb::post, to_beast(target), 11};
  message.set(http::field::host, peer.address().to_string() + ":" + std::to_string(peer.port()));
  for (const auto& [name, value] : request.headers.fields()) message.insert(to_beast(name), to_beast(value));
  if (request.request_id != kNoRequest) message.set(to_beast(kRequestIdHeader), std::to_string(request.request_id));
  message.set(to_beast(kSeedHeader), std::to_string(request.seed));
  message.set(to_beast(kDeliveryHeader), to_beast(delivery_name(request.via)));
  message.set(to_beast(kBatchSizeHeader), std::to_string(request.batch_size));
  message.keep_alive(true);
  message.body().assign(request.request_bytes, 'x');
  message.prepare_payload();
  co_await http::async_write(stream, message, asio::redirect_error(asio::use_awaitable, ec));
  if (ec) co_return failed(ec);
  counters_->request_bytes.fetch_add(request.request_bytes, std::memory_order_relaxed);

  http::response_parser<http::string_body> parser;
  parser.header_limit(options_.header_limit);
  parser.body_limit(options_.body_limit);
  co_await http::async_read(stream, c->buffer, parser, asio::redirect_error(asio::use_awaitable, ec));
  if (ec) co_return failed(ec);
  stream.expires_never();

  const http::response<http::string_body>& reply = parser.get();
  const bool ok = reply.result_int() >= 200 && reply.result_int() < 300;
  if (!ok) counters_->error_responses.fetch_add(1, std::memory_order_relaxed);
  counters_->response_bytes.fetch_add(reply.body().size(), std::memory_order_relaxed);
  co_return outcome{call_response{!ok, reply.body().size()}, reply.keep_alive() && c->buffer.size() == 0};
}

}  // namespace tracebench::services
