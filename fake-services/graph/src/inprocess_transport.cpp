#include "tracebench/services/inprocess_transport.hpp"

#include <boost/asio/use_awaitable.hpp>

namespace tracebench::services {

asio::awaitable<call_response> inprocess_transport::call(std::size_t target, call_request request) {
  // The callee gets its own header list: a real hop serialises the caller's and parses a new one.
  call_request received;
  received.headers = request.headers;
  received.request_id = request.request_id;
  received.seed = request.seed;
  received.via = request.via;
  received.batch_size = request.batch_size;
  received.request_bytes = request.request_bytes;
  co_return co_await host_.handle(target, std::move(received));
}

std::string check_inprocess(const scenario& spec) {
  const service* external = spec.first_external();
  if (external == nullptr) return {};
  std::string line = "service \"";
  line.append(external->name).append("\" is external (").append(external->external->url);
  line.append("): the in-process transport cannot call it");
  return line;
}

}  // namespace tracebench::services
