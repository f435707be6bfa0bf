#pragma once
// Carries a call as a coroutine call on the shared event loop: the callee runs on the
// caller's thread until it waits, with its own copy of the headers, as if parsed off a wire.

#include <string>

#include "tracebench/services/scenario.hpp"
#include "tracebench/services/transport.hpp"

namespace tracebench::services {

class inprocess_transport final : public transport {
 public:
  // `host` must outlive the transport.
  explicit inprocess_transport(service_host& host) noexcept : host_(host) {}
  [[nodiscard]] asio::awaitable<call_response> call(std::size_t target, call_request request) override;

 private:
  service_host& host_;
};

// Empty when every service of `spec` can run in-process, else one line naming its first
// external service: a function call cannot reach another process.
[[nodiscard]] std::string check_inprocess(const scenario& spec);

}  // namespace tracebench::services
