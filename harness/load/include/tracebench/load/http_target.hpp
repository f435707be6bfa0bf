#pragma once
// Any HTTP/1.1 endpoint as a load target, wrk's way: a fixed set of keep-alive connections,
// each carrying one request at a time, spread over a few event-loop threads. The request is
// serialised once, before the run, and written verbatim every time, so the per-request path
// formats nothing; replies are parsed and their bodies counted, never stored.
//
// A request that finds every connection busy waits in a queue for the next free one: an open
// loop's corrected latency then shows that wait, as it would show a slow server. Failures are
// counted by category (wrk's connect, read/write, timeout, status) and reported as errors:
// a connection that fails is closed and reopened for its next request.

#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tracebench/load/load_target.hpp"

namespace tracebench::harness {

struct http_header {
  std::string name;
  std::string value;
};

// "METHOD target HTTP/1.1", Host, `headers` in order, Content-Length when body_bytes > 0 or
// the method usually has a body, then body_bytes of 'x'. Preconditions: the parts are free of
// CR and LF (the load command checks its flags).
[[nodiscard]] std::string build_http_request(std::string_view method, std::string_view target, std::string_view host,
                                             std::span<const http_header> headers, std::size_t body_bytes);

struct http_target_options {
  boost::asio::ip::tcp::endpoint endpoint;
  std::string request;        // from build_http_request
  bool head = false;          // HEAD: replies carry no body whatever their Content-Length says
  unsigned connections = 16;  // > 0
  unsigned threads = 2;       // event-loop threads, > 0; connections are dealt out round robin
  // Per request: connecting (when needed), writing it and reading the whole reply.
  std::chrono::milliseconds timeout{2000};
};

// Counts since the target was built, or since count_from (see below).
struct http_error_counts {
  std::uint64_t connect = 0;  // the connection could not be opened (refused, unreachable, timed out)
  std::uint64_t io = 0;       // a write or read failed: reset, closed early, malformed reply
  std::uint64_t timeout = 0;  // no whole reply within the timeout
  std::uint64_t status = 0;   // a reply that was not 2xx
  [[nodiscard]] std::uint64_t total() const noexcept { return connect + io + timeout + status; }
};

class http_target final : public load_target {
 public:
  // Starts the threads; connects lazily, on a connection's first request. Throws
  // std::invalid_argument when connections or threads is 0.
  explicit http_target(http_target_options options);
  // Stops the threads and closes the connections. Replies not yet given are dropped uncalled:
  // the generators have stopped waiting for them by then.
  ~http_target() override;
  http_target(const http_target&) = delete;
  http_target& operator=(const http_target&) = delete;

  // `done(error)` runs on an event-loop thread. Never blocks beyond a short lock.
  void send(std::uint64_t request_id, reply_callback done) override;

  // Failures of requests sent before `from` are not counted by category (a warm-up's).
  void count_from(std::chrono::steady_clock::time_point from) noexcept;
  [[nodiscard]] http_error_counts errors() const noexcept;
  [[nodiscard]] std::uint64_t connections_opened() const noexcept { return opened_.load(std::memory_order_relaxed); }
  [[nodiscard]] std::uint64_t response_bytes() const noexcept { return bytes_.load(std::memory_order_relaxed); }

 private:
  struct event_loop;
  struct connection;
  struct job {
    reply_callback done;
    bool counted = true;  // sent at or after count_from
  };
  enum class failure : std::uint8_t { connect, io, timeout };

  // All on the connection's own event loop, one request at a time.
  void start(connection& c);
  void write(connection& c);
  void read(connection& c);
  void fail(connection& c, failure what);
  void finish(connection& c, bool error);
  [[nodiscard]] bool counted_now() const noexcept;

  http_target_options options_;
  std::vector<std::unique_ptr<event_loop>> loops_;
  std::vector<std::unique_ptr<connection>> connections_;  // destroyed before the loops

  std::mutex mutex_;
  std::vector<connection*> idle_;  // under mutex_; used last-in first-out, so few stay warm
  std::deque<job> waiting_;        // under mutex_: requests that found no free connection

  std::atomic<std::int64_t> count_from_{0};  // steady_clock ticks
  std::atomic<std::uint64_t> connect_errors_{0};
  std::atomic<std::uint64_t> io_errors_{0};
  std::atomic<std::uint64_t> timeouts_{0};
  std::atomic<std::uint64_t> status_errors_{0};
  std::atomic<std::uint64_t> opened_{0};
  std::atomic<std::uint64_t> bytes_{0};
};

}  // namespace tracebench::harness
