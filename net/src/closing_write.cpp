#include "tracebench/net/closing_write.hpp"

#include <array>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http/write.hpp>

#include "tracebench/net/beast_names.hpp"
#include "tracebench/net/request_reading.hpp"

namespace tracebench::net {

asio::awaitable<void> write_and_close(beast::tcp_stream& stream, http::response<http::string_body>& answer) {
  answer.keep_alive(false);
  answer.prepare_payload();
  error_code ec;
  stream.expires_after(kLingerTime);
  co_await http::async_write(stream, answer, asio::redirect_error(asio::use_awaitable, ec));
  if (ec) co_return;
  stream.socket().shutdown(tcp::socket::shutdown_send, ec);
  std::array<char, kReadChunk> sink;
  for (std::size_t drained = 0; drained < kMaxLingerBytes;) {
    drained += co_await stream.async_read_some(asio::buffer(sink), asio::redirect_error(asio::use_awaitable, ec));
    if (ec) break;  // the client read the answer and closed, or the linger time ran out
  }
}

}  // namespace tracebench::net
