#pragma once
// The last answer on a connection: written with Connection: close, then what the client still
// sends is read and dropped, for at most kLingerTime and kMaxLingerBytes. Closing with unread
// bytes resets the connection, and the client could lose the answer before reading it (nginx's
// lingering close).

#include <utility>  // before asio's awaitable.hpp (Boost 1.74)

#include <boost/asio/awaitable.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <chrono>
#include <cstddef>

namespace tracebench::net {

inline constexpr auto kLingerTime = std::chrono::seconds(1);  // for the write and the drain
inline constexpr std::size_t kMaxLingerBytes = 1024 * 1024;

// Sets keep_alive(false) and the payload fields; the caller closes the stream after it.
boost::asio::awaitable<void> write_and_close(boost::beast::tcp_stream& stream,
                                             boost::beast::http::response<boost::beast::http::string_body>& answer);

}  // namespace tracebench::net
