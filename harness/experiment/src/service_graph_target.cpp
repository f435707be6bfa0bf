#include "tracebench/experiment/service_graph_target.hpp"

#include <utility>

namespace tracebench::harness {

void service_graph_target::send(std::uint64_t request_id, reply_callback done) {
  graph_.submit(request_id, [done = std::move(done)](const services::request_result& result) { done(result.error); });
}

}  // namespace tracebench::harness
