#pragma once
// Load against the fake services in-process: the generator's view of a service_graph.

#include <cstdint>

#include "tracebench/load/load_target.hpp"
#include "tracebench/services/service_graph.hpp"

namespace tracebench::harness {

class service_graph_target final : public load_target {
 public:
  // Does not own `graph`, which must outlive every reply (stop() it before destroying it).
  explicit service_graph_target(services::service_graph& graph) noexcept : graph_(graph) {}

  // `done` runs on an executor thread as the entry service replies.
  void send(std::uint64_t request_id, reply_callback done) override;

 private:
  services::service_graph& graph_;
};

}  // namespace tracebench::harness
