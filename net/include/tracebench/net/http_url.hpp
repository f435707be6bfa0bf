#pragma once
// The http:// URLs and ADDR:PORT addresses the serve and load commands take, parsed once at
// startup into what a connection needs: an endpoint, a request target and a Host header.

#include <boost/asio/ip/tcp.hpp>
#include <cstdint>
#include <string>
#include <string_view>

namespace tracebench::net {

inline constexpr std::uint16_t kDefaultHttpPort = 80;

struct http_url {
  std::string host;  // as written, IPv6 without its brackets
  std::uint16_t port = kDefaultHttpPort;
  std::string target = "/";  // path and query; "/" when the URL has none
  std::string authority;     // host[:port] as written: the Host header's value
};

// "http://HOST[:PORT][/PATH[?QUERY]]" as tracer::parse_http_url takes it (HOST a name, an IPv4
// address or [IPv6]). Throws std::invalid_argument with a one-line reason, then the URL.
[[nodiscard]] http_url parse_http_url(std::string_view text);

// "ADDR:PORT" or "[IPv6]:PORT" with a numeric address (a server binds an address, not a name);
// port 0 asks for an ephemeral one. Throws std::invalid_argument with a one-line reason.
[[nodiscard]] boost::asio::ip::tcp::endpoint parse_listen_address(std::string_view text);

// Where the URL points: the address itself when numeric, else the resolver's first IPv4
// answer, or its first answer when none is IPv4 (looked up once, at startup). Throws
// std::invalid_argument when the name does not resolve.
[[nodiscard]] boost::asio::ip::tcp::endpoint resolve_endpoint(const http_url& url);

// "ADDR:PORT", IPv6 in brackets: how the serve command reports where it listens.
[[nodiscard]] std::string endpoint_text(const boost::asio::ip::tcp::endpoint& endpoint);

}  // namespace tracebench::net
