#pragma once
// The tracing configurations a run compares, and the per-service instrumentation each one
// gives. The instrumented service code is the same in all of them; only this changes.

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "tracebench/services/scenario.hpp"
#include "tracebench/tracer/instrumentation.hpp"
#include "tracebench/tracer/span_processor.hpp"

namespace tracebench::services {

// Who a service is, for building its instrumentation.
struct service_identity {
  const service& spec;
  std::span<const attribute> resource;  // the scenario's, added to service.name
  std::int64_t clock_offset_nanos = 0;  // from spec.clock_skew_ms
};

using instrumentation_factory =
    std::function<std::shared_ptr<tracer::instrumentation>(const service_identity& identity)>;

// "off" run a second time in every round: the A/A configuration, whose changes against "off" are
// the experiment's noise floor. It traces nothing, as off.
inline constexpr std::string_view kOffAgain = "off'";

struct tracing_config {
  enum class mode : std::uint8_t { off, never, probability };
  mode tracing = mode::probability;
  double probability = 1.0;  // mode::probability only, in (0, 1]
  std::string propagators = "tracecontext,baggage";
  // The sampled spans go through a tail-sampling collector before storage. Nothing on the
  // request path changes: the tracer is the head sampler's; the harness builds the collector.
  bool tail = false;

  // "off" (no-op instrumentation; kOffAgain too), "never" (a tracer that samples nothing), a ratio accepted by
  // parse_sampling_ratio ("1/16", "0.5", "100%"), "tail" (head 1/1, then the collector's tail
  // sampler) or "RATIO+tail" (two-tier). Throws std::invalid_argument.
  [[nodiscard]] static tracing_config parse(std::string_view text);
  // "off", "never", "1/16", "tail", "1/16+tail": how reports name it.
  [[nodiscard]] std::string name() const;
};

// off: one shared noop_instrumentation. never: a tracer per service with always_off.
// probability p: a tracer per service with parent_based(consistent_probability(p)). Every
// tracer gets its own resource and clock offset and shares `processor` (unused for off).
[[nodiscard]] instrumentation_factory make_instrumentation_factory(const tracing_config& config,
                                                                   std::shared_ptr<tracer::span_processor> processor);

}  // namespace tracebench::services
