#pragma once
// Accepting connections, as every tracebench server does it: bound with reuse_address, and a
// failed accept (out of descriptors) retried after a pause rather than spun on. What becomes of
// a connection (limits, sessions, counting) is the server's.

#include <utility>  // before asio's awaitable.hpp (Boost 1.74)

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/system/error_code.hpp>
#include <chrono>

namespace tracebench::net {

inline constexpr auto kAcceptBackoff = std::chrono::milliseconds(10);

// Opens, binds and listens; returns the bound endpoint (port 0 made a real one). Throws
// boost::system::system_error.
boost::asio::ip::tcp::endpoint listen(boost::asio::ip::tcp::acceptor& acceptor,
                                      const boost::asio::ip::tcp::endpoint& at);

// Accepts until the acceptor is closed, each socket on socket_executor(). A failed accept goes
// to on_failed(error) before the pause; a connection to on_accepted(socket), which returns false
// to end the loop (the server is closing).
template <class SocketExecutor, class OnFailed, class OnAccepted>
boost::asio::awaitable<void> accept_loop(boost::asio::ip::tcp::acceptor& acceptor, SocketExecutor socket_executor,
                                         OnFailed on_failed, OnAccepted on_accepted) {
  namespace asio = boost::asio;
  for (;;) {
    boost::system::error_code ec;
    asio::ip::tcp::socket socket =
        co_await acceptor.async_accept(socket_executor(), asio::redirect_error(asio::use_awaitable, ec));
    if (ec == asio::error::operation_aborted || !acceptor.is_open()) co_return;
    if (ec) {
      on_failed(ec);
      asio::steady_timer pause(acceptor.get_executor(), kAcceptBackoff);
      co_await pause.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      continue;
    }
    if (!on_accepted(std::move(socket))) co_return;
  }
}

}  // namespace tracebench::net
