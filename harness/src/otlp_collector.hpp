#pragma once
// A minimal OTLP/HTTP JSON trace receiver, the backend of `tracebench collect`: answers `POST
// /v1/traces` (Content-Type application/json) and appends every accepted
// ExportTraceServiceRequest that holds spans to an output stream as one compact line, the
// OTLP/JSON lines layout `tracebench analyze` reads. Anything else gets a 4xx with a one-line
// google.rpc.Status JSON body, is counted, and the server keeps serving. Single-threaded: it
// runs on the io_context its owner runs, so nothing in it is locked.

#include <utility>  // before asio's awaitable.hpp (Boost 1.74)

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_set>

namespace tracebench::harness {

struct collector_options {
  std::size_t body_limit = 64 * 1024 * 1024;  // larger bodies: 413
  std::size_t header_limit = 16 * 1024;       // larger headers: 431
  std::uint64_t max_requests = 0;             // stop after answering this many; 0: no limit
  std::chrono::seconds request_timeout{10};   // a started request must arrive whole within it
  std::chrono::seconds idle_timeout{60};      // a kept-alive connection may idle this long
  std::size_t max_connections = 256;          // more are closed at once (counted)
  std::size_t max_logged_rejections = 20;     // one stderr line each; later ones only counted
};

struct collector_counters {
  std::uint64_t requests = 0;      // answered, whatever the answer
  std::uint64_t accepted = 0;      // answered 200
  std::uint64_t spans = 0;         // in accepted requests: every one is in the output
  std::uint64_t lines = 0;         // written to the output
  std::uint64_t rejected = 0;      // answered 4xx or 5xx
  std::uint64_t write_errors = 0;  // output failures (answered 503, so the sender retries)
  std::uint64_t connections = 0;
  std::uint64_t connections_refused = 0;  // over max_connections
  std::uint64_t timeouts = 0;             // requests that did not arrive in time: unanswerable
};

class otlp_collector final : public std::enable_shared_from_this<otlp_collector> {
 public:
  static constexpr std::string_view kPath = "/v1/traces";

  // Binds and listens (throws boost::system::system_error); serves nothing until start(). `out`
  // and `log` must outlive the io_context's run.
  [[nodiscard]] static std::shared_ptr<otlp_collector> bind(boost::asio::io_context& io,
                                                            const boost::asio::ip::tcp::endpoint& listen,
                                                            std::ostream& out, std::ostream& log,
                                                            collector_options options);
  otlp_collector(const otlp_collector&) = delete;
  otlp_collector& operator=(const otlp_collector&) = delete;

  void start();
  // Stops accepting and closes idle connections; a request being read or answered finishes
  // first. The io_context's run() returns once all are done. Idempotent; calls on_stop once.
  void stop();
  void on_stop(std::function<void()> callback) { on_stop_ = std::move(callback); }

  [[nodiscard]] boost::asio::ip::tcp::endpoint endpoint() const { return endpoint_; }
  [[nodiscard]] const collector_counters& counters() const noexcept { return counters_; }

 private:
  struct session;
  struct verdict;

  otlp_collector(boost::asio::io_context& io, std::ostream& out, std::ostream& log, collector_options options);
  boost::asio::awaitable<void> accept_loop(std::shared_ptr<otlp_collector> self);
  boost::asio::awaitable<void> serve(std::shared_ptr<otlp_collector> self, std::shared_ptr<session> s);
  // One request and its answer; false when the connection is done.
  boost::asio::awaitable<bool> serve_one(session& s);
  // Parses, checks and writes out one request body.
  verdict ingest(std::string_view body);
  // Answers a request that could not be read whole (or counts it when nobody can be answered),
  // then closes.
  boost::asio::awaitable<void> refuse(session& s, boost::system::error_code read_error);
  // Writes one answer; reads and drops what the client still sends when closing.
  boost::asio::awaitable<bool> answer(session& s, const verdict& v, bool keep_alive);
  void count_answer(const verdict& v);

  boost::asio::io_context& io_;
  std::ostream& out_;
  std::ostream& log_;
  collector_options options_;
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::ip::tcp::endpoint endpoint_;
  collector_counters counters_;
  std::unordered_set<session*> sessions_;  // open connections, for stop()
  bool stopping_ = false;
  std::function<void()> on_stop_;
  std::string line_;  // reused output line
};

}  // namespace tracebench::harness
