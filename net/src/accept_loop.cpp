#include "tracebench/net/accept_loop.hpp"

namespace tracebench::net {

boost::asio::ip::tcp::endpoint listen(boost::asio::ip::tcp::acceptor& acceptor,
                                      const boost::asio::ip::tcp::endpoint& at) {
  namespace asio = boost::asio;
  acceptor.open(at.protocol());
  acceptor.set_option(asio::socket_base::reuse_address(true));
  acceptor.bind(at);
  acceptor.listen(asio::socket_base::max_listen_connections);
  return acceptor.local_endpoint();
}

}  // namespace tracebench::net
