#pragma once
// A minimal blocking HTTP/1.1 client for one thing: POSTing a body to one endpoint over a
// kept-alive TCP connection (POSIX sockets, no TLS), with every step bounded by a deadline. It
// reads the status line and the few headers it needs (Content-Length, Retry-After, Connection)
// and treats anything else malformed as an error.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

namespace tracebench::tracer {

// An http:// URL taken apart. `target` is the request target (path and query), "/v1/traces"
// when the URL has no path; `host_header` is what the Host header carries.
struct http_endpoint {
  std::string host;  // a name or address; an IPv6 literal without its brackets
  std::uint16_t port = 80;
  std::string target;
  std::string host_header;
};

// Throws std::invalid_argument with a one-line message quoting the URL for anything but
// http://HOST[:PORT][/PATH] (https, user info, fragments, spaces, a bad port...).
[[nodiscard]] http_endpoint parse_http_url(std::string_view url);

// The parse under parse_http_url, for a caller that words the error its own way: fills `out`
// (its target `default_target` when the URL has no path) and returns nullopt, or returns the
// one-line problem, which does not quote the URL, and leaves `out` as it was.
[[nodiscard]] std::optional<std::string> parse_http_url(std::string_view url, std::string_view default_target,
                                                        http_endpoint& out);

// A connection, protocol or timeout failure; what() is one line.
class http_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct http_response {
  int status = 0;
  std::optional<std::chrono::seconds> retry_after;  // only the delay-seconds form
  std::string body;                                 // at most kMaxResponseBody bytes
};

class http_post_connection {
 public:
  static constexpr std::size_t kMaxResponseHeader = 16 * 1024;
  static constexpr std::size_t kMaxResponseBody = 1024 * 1024;

  explicit http_post_connection(http_endpoint endpoint) : endpoint_(std::move(endpoint)) {}
  ~http_post_connection() { close(); }
  http_post_connection(const http_post_connection&) = delete;
  http_post_connection& operator=(const http_post_connection&) = delete;

  // Sends one POST and reads its response, all before `deadline` (name resolution excepted:
  // getaddrinfo cannot be bounded). Connects when not connected; a kept-alive connection the
  // server closed meanwhile is reopened once, transparently. Throws http_error; the connection
  // is closed then, and after a response that asks for it.
  http_response post(std::string_view content_type, std::string_view body,
                     std::chrono::steady_clock::time_point deadline);
  void close() noexcept;

  [[nodiscard]] const http_endpoint& endpoint() const noexcept { return endpoint_; }
  // Bytes written to sockets so far, request headers included, every attempt.
  [[nodiscard]] std::uint64_t bytes_written() const noexcept { return bytes_written_; }

 private:
  void connect(std::chrono::steady_clock::time_point deadline);
  void send_request(std::string_view content_type, std::string_view body,
                    std::chrono::steady_clock::time_point deadline);
  // Returns false when the peer closed before sending a byte (a stale keep-alive).
  bool read_response(http_response& out, std::chrono::steady_clock::time_point deadline);
  // Appends what the socket has to in_; 0 at end of stream.
  std::size_t receive(std::chrono::steady_clock::time_point deadline);

  http_endpoint endpoint_;
  int fd_ = -1;
  std::string head_;  // request headers, reused
  std::string in_;    // received bytes not yet consumed
  std::uint64_t bytes_written_ = 0;
};

}  // namespace tracebench::tracer
