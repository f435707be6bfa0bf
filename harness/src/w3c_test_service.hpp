#pragma once
// The test service of the W3C Trace Context test suite (w3c/trace-context, test/), behind
// `tracebench serve --w3c-test-endpoint`: POST /test takes a JSON list of {"url", "arguments"}
// and, for each item in order, POSTs its `arguments` as JSON to its `url` inside a child span,
// the context extracted from the request and injected into the call by the tracer's own W3C
// propagator. Sampling is parent-based: the incoming flag is kept, new traces are sampled.
// Single-threaded on its owner's io_context; calls are asynchronous, so a URL that points back
// here is served meanwhile.

#include <utility>  // before asio's awaitable.hpp (Boost 1.74)

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/program_options/variables_map.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "tracebench/tracer/header_carrier.hpp"
#include "tracebench/tracer/propagator.hpp"
#include "tracebench/tracer/span_processor.hpp"
#include "tracebench/tracer/tracer.hpp"

namespace tracebench::harness {

struct w3c_test_options {
  std::size_t body_limit = 1024 * 1024;     // larger bodies: 413
  std::size_t header_limit = 16 * 1024;     // larger headers: 431
  std::size_t max_items = 64;               // longer lists: 400
  std::uint64_t max_requests = 0;           // stop after answering this many; 0: no limit
  std::chrono::seconds request_timeout{10};  // a started request must arrive whole within it
  std::chrono::seconds idle_timeout{60};     // a kept-alive connection may idle this long
  std::chrono::seconds call_timeout{5};      // each outgoing POST, connect to response (the suite's own)
  std::size_t max_connections = 256;         // more are closed at once (counted)
  std::size_t max_logged = 20;               // rejections and failed calls: one stderr line each
};

struct w3c_test_counters {
  std::uint64_t requests = 0;       // answered, whatever the answer
  std::uint64_t completed = 0;      // answered 200: every call got an HTTP response
  std::uint64_t rejected = 0;       // answered 4xx: nothing was called
  std::uint64_t calls = 0;          // outgoing POSTs attempted
  std::uint64_t call_failures = 0;  // of those, no HTTP response (refused, timed out, malformed)
  std::uint64_t timeouts = 0;       // requests that did not arrive in time: unanswerable
  std::uint64_t connections = 0;
  std::uint64_t connections_refused = 0;  // over max_connections
};

class w3c_test_service final : public std::enable_shared_from_this<w3c_test_service> {
 public:
  static constexpr std::string_view kPath = "/test";

  // Binds and listens (throws boost::system::system_error); serves nothing until start().
  // Ended spans go to `processor`; `log` must outlive the io_context's run.
  [[nodiscard]] static std::shared_ptr<w3c_test_service> bind(boost::asio::io_context& io,
                                                              const boost::asio::ip::tcp::endpoint& listen,
                                                              std::shared_ptr<tracer::span_processor> processor,
                                                              std::ostream& log, w3c_test_options options);
  w3c_test_service(const w3c_test_service&) = delete;
  w3c_test_service& operator=(const w3c_test_service&) = delete;

  void start();
  // Stops accepting and closes idle connections; a request under way finishes without starting
  // further calls. The io_context's run() returns once all are done. Idempotent; calls on_stop once.
  void stop();
  void on_stop(std::function<void()> callback) { on_stop_ = std::move(callback); }

  [[nodiscard]] boost::asio::ip::tcp::endpoint endpoint() const { return endpoint_; }
  [[nodiscard]] const w3c_test_counters& counters() const noexcept { return counters_; }

 private:
  struct session;
  struct call_item;
  struct verdict;

  w3c_test_service(boost::asio::io_context& io, std::shared_ptr<tracer::span_processor> processor, std::ostream& log,
                   w3c_test_options options);
  boost::asio::awaitable<void> accept_loop(std::shared_ptr<w3c_test_service> self);
  boost::asio::awaitable<void> serve(std::shared_ptr<w3c_test_service> self, std::shared_ptr<session> s);
  // One request and its answer; false when the connection is done.
  boost::asio::awaitable<bool> serve_one(session& s);
  // The items of a /test body; throws std::invalid_argument with a one-line reason.
  [[nodiscard]] std::vector<call_item> parse_items(std::string_view body) const;
  // Makes every call of a valid request, each in its own child span.
  boost::asio::awaitable<verdict> run_calls(const tracer::header_carrier& incoming, std::vector<call_item> items);
  // One POST; "" when a response came (its status in `status`), else why not.
  boost::asio::awaitable<std::string> post(const call_item& item, const tracer::header_list& headers, int& status);
  boost::asio::awaitable<void> refuse(session& s, boost::system::error_code read_error);
  boost::asio::awaitable<bool> answer(session& s, const verdict& v, bool keep_alive);
  void count_answer(const verdict& v);
  void log_line(const std::string& line);

  boost::asio::io_context& io_;
  tracer::tracer tracer_;
  std::unique_ptr<tracer::propagator> propagator_;
  std::ostream& log_;
  w3c_test_options options_;
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::ip::tcp::endpoint endpoint_;
  w3c_test_counters counters_;
  std::uint64_t logged_ = 0;
  std::unordered_set<session*> sessions_;  // open connections, for stop()
  bool stopping_ = false;
  std::function<void()> on_stop_;
};

// `tracebench serve --w3c-test-endpoint`, given serve's parsed flags: rejects the scenario's
// flags with a usage error, serves until a signal, --duration or --max-requests, prints its
// counters on stdout. The exit status.
int serve_w3c_test_endpoint(const boost::program_options::variables_map& values, std::ostream& out,
                            std::ostream& err);

}  // namespace tracebench::harness
