#pragma once
// The test service of the W3C Trace Context test suite (w3c/trace-context, test/), behind
// `tracebench serve --w3c-test-endpoint` (harness/cli): POST /test takes a JSON list of {"url", "arguments"}
// and, for each item in order, POSTs its `arguments` as JSON to its `url` inside a child span,
// the context extracted from the request and injected into the call by the tracer's own W3C
// propagator. Sampling is parent-based: the incoming flag is kept, new traces are sampled.
// Single-threaded on its owner's io_context; calls are asynchronous, so a URL that points back
// here is served meanwhile.

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <iosfwd>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "tracebench/net/http_server.hpp"
#include "tracebench/tracer/header_carrier.hpp"
#include "tracebench/tracer/propagator.hpp"
#include "tracebench/tracer/span_processor.hpp"
#include "tracebench/tracer/tracer.hpp"

namespace tracebench::services {

struct w3c_test_options {
  std::size_t body_limit = 1024 * 1024;      // larger bodies: 413
  std::size_t header_limit = 16 * 1024;      // larger headers: 431
  std::size_t max_items = 64;                // longer lists: 400
  std::uint64_t max_requests = 0;            // stop after answering this many; 0: no limit
  std::chrono::seconds request_timeout{10};  // a started request must arrive whole within it
  std::chrono::seconds idle_timeout{60};     // a kept-alive connection may idle this long
  std::chrono::seconds call_timeout{5};      // each outgoing POST, connect to response (the suite's own)
  std::size_t max_connections = 256;         // more are closed at once (counted)
  std::size_t max_logged = 20;               // rejections and failed calls: one stderr line each
};

// With the server's connections, connections_refused and timeouts.
struct w3c_test_counters : net::http_server_counters {
  std::uint64_t requests = 0;       // answered, whatever the answer
  std::uint64_t completed = 0;      // answered 200: every call got an HTTP response
  std::uint64_t rejected = 0;       // answered 4xx: nothing was called
  std::uint64_t calls = 0;          // outgoing POSTs attempted
  std::uint64_t call_failures = 0;  // of those, no HTTP response (refused, timed out, malformed)
};

// start(), on_stop() and endpoint() are http_server's; stop() lets a request under way finish
// without starting further calls.
class w3c_test_service final : public net::http_server {
 public:
  static constexpr std::string_view kPath = "/test";

  // Binds and listens (throws boost::system::system_error); serves nothing until start().
  // Ended spans go to `processor`; `log` must outlive the io_context's run.
  [[nodiscard]] static std::shared_ptr<w3c_test_service> bind(boost::asio::io_context& io,
                                                              const boost::asio::ip::tcp::endpoint& listen,
                                                              std::shared_ptr<tracer::span_processor> processor,
                                                              std::ostream& log, w3c_test_options options);

  // A snapshot.
  [[nodiscard]] w3c_test_counters counters() const noexcept { return with_connection_counters(counters_); }

 private:
  struct call_item;
  struct verdict;

  w3c_test_service(boost::asio::io_context& io, std::shared_ptr<tracer::span_processor> processor, std::ostream& log,
                   w3c_test_options options);
  boost::asio::awaitable<http_response> handle(const http_request& request) override;
  http_response refuse(unsigned status, std::string reason) override;
  // The items of a /test body; throws std::invalid_argument with a one-line reason.
  [[nodiscard]] std::vector<call_item> parse_items(std::string_view body) const;
  // Makes every call of a valid request, each in its own child span.
  boost::asio::awaitable<verdict> run_calls(const tracer::header_carrier& incoming, std::vector<call_item> items);
  // One POST; "" when a response came (its status in `status`), else why not.
  boost::asio::awaitable<std::string> post(const call_item& item, const tracer::header_list& headers, int& status);
  // Counts an answer (and stops after max_requests), then makes it.
  http_response answer(const verdict& v);
  void log_line(const std::string& line);

  tracer::tracer tracer_;
  std::unique_ptr<tracer::propagator> propagator_;
  std::ostream& log_;
  w3c_test_options options_;
  w3c_test_counters counters_;  // but the server's: see counters()
  std::uint64_t logged_ = 0;
};

}  // namespace tracebench::services
