#include "tracebench/services/tracing_config.hpp"

#include <cmath>
#include <stdexcept>

#include "tracebench/tracer/composite_propagator.hpp"
#include "tracebench/tracer/resource.hpp"
#include "tracebench/tracer/sampler.hpp"
#include "tracebench/tracer/tracer.hpp"

namespace tracebench::services {

tracing_config tracing_config::parse(std::string_view text) {
  constexpr std::string_view kTail = "tail";
  constexpr std::string_view kTailSuffix = "+tail";
  tracing_config config;
  if (text == kTail) {
    config.tail = true;
    return config;
  }
  if (text.ends_with(kTailSuffix)) {
    config = parse(text.substr(0, text.size() - kTailSuffix.size()));
    if (config.tracing != mode::probability || config.tail) {
      std::string message = "tracing configuration '";
      message += text;
      message += "': a tail sampler needs a head sampling ratio before '+tail'";
      throw std::invalid_argument(message);
    }
    config.tail = true;
    return config;
  }
  if (text == "off" || text == kOffAgain) {
    config.tracing = mode::off;
  } else if (text == "never") {
    config.tracing = mode::never;
  } else {
    config.probability = tracer::parse_sampling_ratio(text);
    if (config.probability <= 0) config.tracing = mode::never;
  }
  return config;
}

std::string tracing_config::name() const {
  switch (tracing) {
    case mode::off:
      return "off";
    case mode::never:
      return "never";
    case mode::probability:
      break;
  }
  if (tail && probability >= 1) return "tail";
  const double inverse = 1 / probability;
  std::string head = std::abs(inverse - std::round(inverse)) < 1e-9 ? "1/" + std::to_string(std::llround(inverse))
                                                                    : std::to_string(probability);
  if (tail) head += "+tail";
  return head;
}

instrumentation_factory make_instrumentation_factory(const tracing_config& config,
                                                     std::shared_ptr<tracer::span_processor> processor) {
  if (config.tracing == tracing_config::mode::off) {
    auto noop = std::make_shared<tracer::noop_instrumentation>();
    return [noop](const service_identity&) -> std::shared_ptr<tracer::instrumentation> { return noop; };
  }
  std::shared_ptr<const tracer::propagator> codec = tracer::make_propagator(config.propagators);
  const tracer::sampler decider =
      config.tracing == tracing_config::mode::never
          ? tracer::sampler::always_off()
          : tracer::sampler::parent_based(tracer::sampler::consistent_probability(config.probability));
  return [codec, decider, processor](const service_identity& id) -> std::shared_ptr<tracer::instrumentation> {
    auto owner = std::make_shared<tracer::resource>(id.spec.name);
    for (const attribute& a : id.resource) owner->set(a.key, to_tracer_value(a.value));
    auto impl = std::make_shared<tracer::tracer>(std::move(owner), decider, processor,
                                                 tracer::tracer_options{id.clock_offset_nanos});
    return std::make_shared<tracer::tracer_instrumentation>(std::move(impl), codec);
  };
}

}  // namespace tracebench::services
