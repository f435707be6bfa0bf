#pragma once
// Starts spans for one service: a resource, a sampler and a processor. Cheap to create,
// so every simulated service gets its own, sharing one processor.

#include <cstdint>
#include <memory>
#include <span>
#include <string_view>

#include "tracebench/tracer/clock.hpp"
#include "tracebench/tracer/resource.hpp"
#include "tracebench/tracer/sampler.hpp"
#include "tracebench/tracer/span.hpp"
#include "tracebench/tracer/span_processor.hpp"

namespace tracebench::tracer {

struct tracer_options {
  // Added to every timestamp: simulates a host whose clock is off (clock skew).
  std::int64_t clock_offset_nanos = 0;
};

class tracer {
 public:
  tracer(std::shared_ptr<const resource> owner, sampler decider, std::shared_ptr<span_processor> processor,
         tracer_options options = {});

  // A child of `parent`, or a root when `parent` is invalid. No thread-local context is
  // consulted: callers that know their parent pay nothing for context lookup.
  [[nodiscard]] span start_span(std::string_view name, span_kind kind, const span_context& parent,
                                std::span<const span_context> links = {}) noexcept {
    // The common unsampled case, inline: a child of an unsampled parent under the default
    // parent-based sampler needs a span id and a counter, nothing else.
    if (follow_parent_ && parent.valid() && !parent.sampled()) {
      counters_->add(span_counters::started);
      return span(span_context{parent.trace, random_span_id(),
                               static_cast<std::uint8_t>(parent.flags & kRandomTraceIdFlag), false, parent.state});
    }
    return start_decided_span(name, kind, parent, links);
  }
  [[nodiscard]] span start_root_span(std::string_view name, span_kind kind) noexcept {
    return start_span(name, kind, span_context{});
  }
  // A child of this thread's current span (see scope in context.hpp), or a root.
  [[nodiscard]] span start_active_span(std::string_view name, span_kind kind) noexcept;

  [[nodiscard]] std::int64_t now_unix_nanos() const noexcept {
    return span_clock::now_unix_nanos() + options_.clock_offset_nanos;
  }
  [[nodiscard]] std::int64_t clock_offset_nanos() const noexcept { return options_.clock_offset_nanos; }
  [[nodiscard]] const resource& owner() const noexcept { return *resource_; }
  [[nodiscard]] const sampler& decider() const noexcept { return sampler_; }
  [[nodiscard]] span_processor& processor() const noexcept { return *processor_; }

 private:
  friend class span;
  void finish(span_data* record) const noexcept;
  [[nodiscard]] span start_decided_span(std::string_view name, span_kind kind, const span_context& parent,
                                        std::span<const span_context> links) noexcept;

  std::shared_ptr<const resource> resource_;
  sampler sampler_;
  std::shared_ptr<span_processor> processor_;
  span_counters* counters_;
  tracer_options options_;
  bool follow_parent_;  // sampler_.children_follow_parent(), read on every span
};

}  // namespace tracebench::tracer
