#include "tracebench/net/http_url.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/system/error_code.hpp>
#include <charconv>
#include <optional>
#include <stdexcept>
#include <utility>

#include "tracebench/tracer/http_post.hpp"

namespace tracebench::net {

namespace {

namespace asio = boost::asio;
using asio::ip::tcp;

constexpr std::string_view kDefaultTarget = "/";

std::uint16_t parse_port(std::string_view text, std::string_view whole) {
  unsigned value = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc{} || ptr != text.data() + text.size() || value > 65535) {
    throw std::invalid_argument("bad port \"" + std::string(text) + "\" in \"" + std::string(whole) + "\"");
  }
  return static_cast<std::uint16_t>(value);
}

struct host_port {
  std::string host;
  std::string_view port;  // empty when absent
};

// ADDR[:PORT] or [IPv6][:PORT]: a listen address (URLs are the tracer's to parse).
host_port split_host_port(std::string_view text, std::string_view whole) {
  host_port out;
  if (!text.empty() && text.front() == '[') {
    const std::size_t close = text.find(']');
    if (close == std::string_view::npos) throw std::invalid_argument("unclosed [ in \"" + std::string(whole) + "\"");
    out.host = std::string(text.substr(1, close - 1));
    const std::string_view rest = text.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') throw std::invalid_argument("expected :PORT after ] in \"" + std::string(whole) + "\"");
      out.port = rest.substr(1);
      if (out.port.empty()) throw std::invalid_argument("empty port in \"" + std::string(whole) + "\"");
    }
  } else {
    const std::size_t colon = text.rfind(':');
    out.host = std::string(text.substr(0, colon));
    if (colon != std::string_view::npos) {
      out.port = text.substr(colon + 1);
      if (out.port.empty()) throw std::invalid_argument("empty port in \"" + std::string(whole) + "\"");
    }
    if (out.host.find(':') != std::string::npos) {
      throw std::invalid_argument("write an IPv6 address in brackets, as [::1]:8080, in \"" + std::string(whole) +
                                  "\"");
    }
  }
  if (out.host.empty()) throw std::invalid_argument("no host in \"" + std::string(whole) + "\"");
  return out;
}

}  // namespace

// The tracer's grammar, so that a URL one part of tracebench takes every other part takes too;
// only the message is worded here, the problem first (callers prefix what it is the URL of).
http_url parse_http_url(std::string_view text) {
  tracer::http_endpoint parsed;
  if (std::optional<std::string> problem = tracer::parse_http_url(text, kDefaultTarget, parsed)) {
    throw std::invalid_argument(*problem + " (\"" + std::string(text) + "\")");
  }
  return {.host = std::move(parsed.host),
          .port = parsed.port,
          .target = std::move(parsed.target),
          .authority = std::move(parsed.host_header)};
}

tcp::endpoint parse_listen_address(std::string_view text) {
  const host_port hp = split_host_port(text, text);
  if (hp.port.empty())
    throw std::invalid_argument("expected ADDR:PORT, such as 127.0.0.1:8080, not \"" + std::string(text) + "\"");
  boost::system::error_code ec;
  const asio::ip::address address = asio::ip::make_address(hp.host, ec);
  if (ec) {
    throw std::invalid_argument("\"" + hp.host + "\" is not a numeric address (such as 127.0.0.1, 0.0.0.0 or [::1])");
  }
  return {address, parse_port(hp.port, text)};
}

tcp::endpoint resolve_endpoint(const http_url& url) {
  boost::system::error_code ec;
  const asio::ip::address address = asio::ip::make_address(url.host, ec);
  if (!ec) return {address, url.port};
  asio::io_context io;
  tcp::resolver resolver(io);
  const tcp::resolver::results_type found = resolver.resolve(url.host, std::to_string(url.port), ec);
  if (ec || found.empty()) {
    throw std::invalid_argument("cannot resolve host \"" + url.host + "\"" + (ec ? ": " + ec.message() : ""));
  }
  // An IPv4 answer first: "localhost" often resolves to ::1 before 127.0.0.1, where servers
  // (tracebench serve's default among them) listen.
  for (const auto& entry : found) {
    if (entry.endpoint().address().is_v4()) return entry.endpoint();
  }
  return found.begin()->endpoint();
}

std::string endpoint_text(const tcp::endpoint& endpoint) {
  const std::string address = endpoint.address().to_string();
  return (endpoint.address().is_v6() ? "[" + address + "]" : address) + ":" + std::to_string(endpoint.port());
}

}  // namespace tracebench::net
