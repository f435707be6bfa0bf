#pragma once
// A minimal OTLP/HTTP JSON trace receiver, the backend of `tracebench collect`: answers `POST
// /v1/traces` (Content-Type application/json) and appends every accepted
// ExportTraceServiceRequest that holds spans to an output stream as one compact line, the
// OTLP/JSON lines layout `tracebench analyze` reads. Anything else gets a 4xx with a one-line
// google.rpc.Status JSON body, is counted, and the server keeps serving. Single-threaded, on
// its owner's io_context.

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "tracebench/net/http_server.hpp"

namespace tracebench::collector {

struct collector_options {
  std::size_t body_limit = 64 * 1024 * 1024;  // larger bodies: 413
  std::size_t header_limit = 16 * 1024;       // larger headers: 431
  std::uint64_t max_requests = 0;             // stop after answering this many; 0: no limit
  std::chrono::seconds request_timeout{10};   // a started request must arrive whole within it
  std::chrono::seconds idle_timeout{60};      // a kept-alive connection may idle this long
  std::size_t max_connections = 256;          // more are closed at once (counted)
  std::size_t max_logged_rejections = 20;     // one stderr line each; later ones only counted
};

// With the server's connections, connections_refused and timeouts.
struct collector_counters : net::http_server_counters {
  std::uint64_t requests = 0;      // answered, whatever the answer
  std::uint64_t accepted = 0;      // answered 200
  std::uint64_t spans = 0;         // in accepted requests: every one is in the output
  std::uint64_t lines = 0;         // written to the output
  std::uint64_t rejected = 0;      // answered 4xx or 5xx
  std::uint64_t write_errors = 0;  // output failures (answered 503, so the sender retries)
};

// start(), stop(), on_stop() and endpoint() are http_server's.
class otlp_collector final : public net::http_server {
 public:
  static constexpr std::string_view kPath = "/v1/traces";

  // Binds and listens (throws boost::system::system_error); serves nothing until start(). `out`
  // and `log` must outlive the io_context's run.
  [[nodiscard]] static std::shared_ptr<otlp_collector> bind(boost::asio::io_context& io,
                                                            const boost::asio::ip::tcp::endpoint& listen,
                                                            std::ostream& out, std::ostream& log,
                                                            collector_options options);

  // A snapshot.
  [[nodiscard]] collector_counters counters() const noexcept { return with_connection_counters(counters_); }

 private:
  struct verdict;

  otlp_collector(boost::asio::io_context& io, std::ostream& out, std::ostream& log, collector_options options);
  std::optional<http_response> check_header(const http_request_header& header) override;
  boost::asio::awaitable<http_response> handle(const http_request& request) override;
  http_response refuse(unsigned status, std::string reason) override;
  // Parses, checks and writes out one request body.
  verdict ingest(std::string_view body);
  // Counts an answer (and stops after max_requests), then makes it.
  http_response answer(const verdict& v);

  std::ostream& out_;
  std::ostream& log_;
  collector_options options_;
  collector_counters counters_;  // but the server's: see counters()
  std::string line_;             // reused output line
};

}  // namespace tracebench::collector
