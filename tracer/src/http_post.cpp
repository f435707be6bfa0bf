#include "tracebench/tracer/http_post.hpp"

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <memory>
#include <system_error>

#include "tracebench/tracer/header_carrier.hpp"

namespace tracebench::tracer {

namespace {

using clock_type = std::chrono::steady_clock;

constexpr std::string_view kDefaultTarget = "/v1/traces";
constexpr std::size_t kReceiveChunk = 16 * 1024;
constexpr std::int64_t kMaxRetryAfterSeconds = 3600;  // anything longer is as good as "give up"

std::string errno_text(int error) { return std::system_category().message(error); }

bool is_digits(std::string_view s) noexcept {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

template <typename Integer>
bool parse_decimal(std::string_view text, Integer& out) noexcept {
  if (!is_digits(text)) return false;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc{} && end == text.data() + text.size();
}

std::string_view trim(std::string_view s) noexcept {
  const auto first = s.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  return s.substr(first, s.find_last_not_of(" \t") - first + 1);
}

bool contains_token(std::string_view list, std::string_view token) noexcept {
  while (!list.empty()) {
    const auto comma = list.find(',');
    if (iequals(trim(list.substr(0, comma)), token)) return true;
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return false;
}

// Waits until `fd` is ready for `events` or the deadline passes (false then).
bool wait_for(int fd, short events, clock_type::time_point deadline) {
  for (;;) {
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - clock_type::now());
    if (left.count() <= 0) return false;
    pollfd p{fd, events, 0};
    const int ready = ::poll(&p, 1, static_cast<int>(std::min<std::int64_t>(left.count(), 60'000)));
    if (ready > 0) return true;  // readiness, or an error the next call reports
    if (ready < 0 && errno != EINTR) throw http_error("poll failed: " + errno_text(errno));
  }
}

bool is_host_char(char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_';
}

}  // namespace

std::optional<std::string> parse_http_url(std::string_view url, std::string_view default_target, http_endpoint& out) {
  if (std::any_of(url.begin(), url.end(), [](char c) { return static_cast<unsigned char>(c) <= 0x20 || c == 0x7f; })) {
    return "it contains a space or a control character";
  }
  const auto scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return "expected http://HOST:PORT/PATH";
  const std::string_view scheme = url.substr(0, scheme_end);
  if (iequals(scheme, "https")) return "https is not supported (no TLS): use http://";
  if (!iequals(scheme, "http")) return "scheme '" + std::string(scheme) + "' is not supported: use http://";
  if (url.find('#') != std::string_view::npos) return "a fragment (#) has no meaning here";
  std::string_view rest = url.substr(scheme_end + 3);
  const std::string_view authority = rest.substr(0, rest.find_first_of("/?"));
  std::string_view target = rest.substr(authority.size());
  if (authority.find('@') != std::string_view::npos) return "user info (user@) is not supported";

  std::string_view host;
  std::string_view after_host;
  if (!authority.empty() && authority.front() == '[') {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) return "unclosed '[' in the host";
    host = authority.substr(1, close - 1);
    after_host = authority.substr(close + 1);
    const bool ipv6_chars = std::all_of(host.begin(), host.end(), [](char c) {
      return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == ':' || c == '.';
    });
    if (host.empty() || !ipv6_chars) return "'[" + std::string(host) + "]' is not an IPv6 address";
  } else {
    host = authority.substr(0, authority.find(':'));
    after_host = authority.substr(host.size());
    if (!std::all_of(host.begin(), host.end(), is_host_char)) return "bad host '" + std::string(host) + "'";
  }
  if (host.empty()) return "no host";
  http_endpoint parsed;
  if (!after_host.empty()) {
    if (after_host.front() != ':') return "unexpected '" + std::string(after_host) + "' after the host";
    const std::string_view port = after_host.substr(1);
    unsigned value = 0;
    if (port.size() > 5 || !parse_decimal(port, value) || value == 0 || value > 65535) {
      return "port '" + std::string(port) + "' is not a number from 1 to 65535";
    }
    parsed.port = static_cast<std::uint16_t>(value);
  }
  parsed.host = std::string(host);
  parsed.host_header = std::string(authority);
  if (target.empty()) {
    parsed.target = std::string(default_target);
  } else {
    if (target.front() == '?') parsed.target.push_back('/');  // a query alone still needs a path
    parsed.target.append(target);
  }
  out = std::move(parsed);
  return std::nullopt;
}

http_endpoint parse_http_url(std::string_view url) {
  http_endpoint out;
  if (std::optional<std::string> problem = parse_http_url(url, kDefaultTarget, out)) {
    throw std::invalid_argument("bad URL '" + std::string(url) + "': " + *problem);
  }
  return out;
}

void http_post_connection::close() noexcept {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  in_.clear();
}

http_response http_post_connection::post(std::string_view content_type, std::string_view body,
                                         clock_type::time_point deadline) {
  // A kept-alive connection the server has closed meanwhile only shows when it is used: the
  // request then gets no byte back. That one case is retried on a new connection.
  for (bool may_reopen = true;; may_reopen = false) {
    const bool reused = fd_ >= 0;
    try {
      if (fd_ < 0) connect(deadline);
      send_request(content_type, body, deadline);
      http_response response;
      if (read_response(response, deadline)) return response;
    } catch (...) {
      close();
      throw;
    }
    close();
    if (!(reused && may_reopen)) {
      throw http_error("the server at " + endpoint_.host_header + " closed the connection without answering");
    }
  }
}

void http_post_connection::connect(clock_type::time_point deadline) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV;
  addrinfo* found = nullptr;
  const std::string port = std::to_string(endpoint_.port);
  if (const int rc = ::getaddrinfo(endpoint_.host.c_str(), port.c_str(), &hints, &found); rc != 0) {
    throw http_error("cannot resolve '" + endpoint_.host + "': " + ::gai_strerror(rc));
  }
  const std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> addresses(found, &::freeaddrinfo);
  std::string problem = "no address";
  for (const addrinfo* a = found; a != nullptr; a = a->ai_next) {
    const int fd = ::socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) {
      problem = errno_text(errno);
      continue;
    }
    if (::connect(fd, a->ai_addr, a->ai_addrlen) == 0 || errno == EINPROGRESS) {
      if (wait_for(fd, POLLOUT, deadline)) {
        int error = 0;
        socklen_t length = sizeof error;
        if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length) != 0) error = errno;
        if (error == 0) {
          const int on = 1;
          ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on,
                       sizeof on);  // small requests, no Nagle delay
          fd_ = fd;
          in_.clear();
          return;
        }
        problem = errno_text(error);
      } else {
        problem = "timed out";
      }
    } else {
      problem = errno_text(errno);
    }
    ::close(fd);
  }
  throw http_error("cannot connect to " + endpoint_.host_header + ": " + problem);
}

void http_post_connection::send_request(std::string_view content_type, std::string_view body,
                                        clock_type::time_point deadline) {
  head_.clear();
  head_.append("POST ").append(endpoint_.target).append(" HTTP/1.1\r\nHost: ").append(endpoint_.host_header);
  head_.append("\r\nContent-Type: ").append(content_type);
  head_.append("\r\nContent-Length: ").append(std::to_string(body.size()));
  head_.append("\r\nUser-Agent: tracebench\r\n\r\n");
  const std::size_t total = head_.size() + body.size();
  // A stale connection fails the send with EPIPE/ECONNRESET only sometimes (the kernel may take
  // the bytes first); either way the read then sees no answer and post() reopens.
  for (std::size_t sent = 0; sent < total;) {
    std::array<iovec, 2> parts{};
    std::size_t count = 0;
    if (sent < head_.size()) {
      parts[count++] = {head_.data() + sent, head_.size() - sent};
      if (!body.empty()) parts[count++] = {const_cast<char*>(body.data()), body.size()};
    } else {
      const std::size_t at = sent - head_.size();
      parts[count++] = {const_cast<char*>(body.data() + at), body.size() - at};
    }
    msghdr message{};
    message.msg_iov = parts.data();
    message.msg_iovlen = count;
    const ssize_t written = ::sendmsg(fd_, &message, MSG_NOSIGNAL);
    if (written >= 0) {
      sent += static_cast<std::size_t>(written);
      bytes_written_ += static_cast<std::uint64_t>(written);
    } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
      if (!wait_for(fd_, POLLOUT, deadline)) throw http_error("timed out sending to " + endpoint_.host_header);
    } else if (errno == EPIPE || errno == ECONNRESET) {
      return;  // the read reports it, as "no answer" when nothing was sent before
    } else if (errno != EINTR) {
      throw http_error("cannot send to " + endpoint_.host_header + ": " + errno_text(errno));
    }
  }
}

std::size_t http_post_connection::receive(clock_type::time_point deadline) {
  std::array<char, kReceiveChunk> chunk;
  for (;;) {
    const ssize_t got = ::recv(fd_, chunk.data(), chunk.size(), 0);
    if (got > 0) {
      in_.append(chunk.data(), static_cast<std::size_t>(got));
      return static_cast<std::size_t>(got);
    }
    if (got == 0 || errno == ECONNRESET || errno == EPIPE) return 0;
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
      if (!wait_for(fd_, POLLIN, deadline)) {
        throw http_error("timed out waiting for the response from " + endpoint_.host_header);
      }
    } else if (errno != EINTR) {
      throw http_error("cannot read from " + endpoint_.host_header + ": " + errno_text(errno));
    }
  }
}

bool http_post_connection::read_response(http_response& out, clock_type::time_point deadline) {
  const auto malformed = [this](std::string_view what) {
    return http_error("malformed response from " + endpoint_.host_header + ": " + std::string(what));
  };
  bool first_byte_seen = !in_.empty();
  for (;;) {  // 1xx interim responses are read and skipped
    std::size_t header_end = 0;
    while ((header_end = in_.find("\r\n\r\n")) == std::string::npos) {
      if (in_.size() > kMaxResponseHeader) throw malformed("header over 16 KiB");
      if (receive(deadline) == 0) {
        if (!first_byte_seen) return false;
        throw http_error("the server at " + endpoint_.host_header + " closed the connection mid-response");
      }
      first_byte_seen = true;
    }
    if (header_end > kMaxResponseHeader) throw malformed("header over 16 KiB");
    const std::string_view head(in_.data(), header_end);
    const std::string_view status_line = head.substr(0, head.find("\r\n"));
    // "HTTP/1.x SSS[ reason]"
    if (status_line.size() < 12 || status_line.substr(0, 7) != "HTTP/1." ||
        (status_line[7] != '0' && status_line[7] != '1') || status_line[8] != ' ' ||
        !parse_decimal(status_line.substr(9, 3), out.status) || (status_line.size() > 12 && status_line[12] != ' ') ||
        out.status < 100 || out.status > 599) {
      throw malformed("bad status line '" + std::string(status_line.substr(0, 80)) + "'");
    }
    bool close_after = status_line[7] == '0';
    std::optional<std::size_t> content_length;
    std::string_view fields = head.substr(std::min(head.size(), status_line.size() + 2));
    while (!fields.empty()) {
      const auto eol = fields.find("\r\n");
      const std::string_view line = fields.substr(0, eol);
      fields = eol == std::string_view::npos ? std::string_view{} : fields.substr(eol + 2);
      const auto colon = line.find(':');
      if (colon == std::string_view::npos || colon == 0 || line.front() == ' ' || line.front() == '\t' ||
          line.substr(0, colon).find_first_of(" \t") != std::string_view::npos) {
        throw malformed("bad header line '" + std::string(line.substr(0, 80)) + "'");
      }
      const std::string_view name = line.substr(0, colon);
      const std::string_view value = trim(line.substr(colon + 1));
      if (iequals(name, "content-length")) {
        std::size_t length = 0;
        if (!parse_decimal(value, length)) throw malformed("bad Content-Length '" + std::string(value) + "'");
        if (content_length && *content_length != length) throw malformed("conflicting Content-Length headers");
        content_length = length;
      } else if (iequals(name, "transfer-encoding")) {
        throw malformed("Transfer-Encoding is not supported, only Content-Length bodies");
      } else if (iequals(name, "retry-after")) {
        std::int64_t seconds = 0;
        if (parse_decimal(value,
                          seconds)) {  // the HTTP-date form is ignored: backoff applies
          out.retry_after = std::chrono::seconds(std::min(seconds, kMaxRetryAfterSeconds));
        }
      } else if (iequals(name, "connection")) {
        if (contains_token(value, "close")) close_after = true;
      }
    }
    in_.erase(0, header_end + 4);
    if (out.status < 200) {
      out = http_response{};
      continue;
    }
    const bool no_body = out.status == 204 || out.status == 304;
    if (!no_body && content_length) {
      if (*content_length > kMaxResponseBody) throw malformed("body over 1 MiB");
      while (in_.size() < *content_length) {
        if (receive(deadline) == 0) {
          throw http_error("the server at " + endpoint_.host_header + " closed the connection mid-body");
        }
      }
      out.body.assign(in_, 0, *content_length);
      in_.erase(0, *content_length);
    } else if (!no_body) {
      // No length: the body runs to the end of the connection.
      while (receive(deadline) != 0) {
        if (in_.size() > kMaxResponseBody) throw malformed("body over 1 MiB");
      }
      out.body = std::move(in_);
      close_after = true;
    }
    // Bytes past the response were never asked for: the stream cannot be trusted for the next.
    if (close_after || !in_.empty()) close();
    return true;
  }
}

}  // namespace tracebench::tracer
