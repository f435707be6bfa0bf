#pragma once
// What a load generator drives: anything that takes a request and later says it is done. The
// generators time requests themselves, so a target only has to report the outcome.

#include <cstdint>
#include <functional>

namespace tracebench::harness {

using reply_callback = std::function<void(bool error)>;

class load_target {
 public:
  virtual ~load_target() = default;

  // Starts request `request_id`; calls `done` exactly once, on any thread (inline included), when
  // it finished. May block: a blocked send is what the open loop's send lag measures. Must not throw.
  virtual void send(std::uint64_t request_id, reply_callback done) = 0;
};

}  // namespace tracebench::harness
