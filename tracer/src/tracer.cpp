#include "tracebench/tracer/tracer.hpp"

#include "tracebench/tracer/context.hpp"
#include "tracebench/tracer/span_pool.hpp"

namespace tracebench::tracer {

tracer::tracer(std::shared_ptr<const resource> owner, sampler decider, std::shared_ptr<span_processor> processor,
               tracer_options options)
    : resource_(std::move(owner)),
      sampler_(std::move(decider)),
      processor_(std::move(processor)),
      counters_(&processor_->counters()),
      options_(options),
      follow_parent_(sampler_.children_follow_parent()) {
  (void)span_clock::uses_tsc();  // calibrate now, not inside the first span
}

span tracer::start_decided_span(std::string_view name, span_kind kind, const span_context& parent,
                                std::span<const span_context> links) noexcept {
  const bool is_root = !parent.valid();
  const trace_id trace = is_root ? random_trace_id() : parent.trace;
  const sampler::decision decision = follow_parent_ && !is_root
                                         ? sampler::decision{parent.sampled(), &parent.state, false}
                                         : sampler_.decide(parent, trace);
  counters_->add(span_counters::started);
  // Our roots draw all 128 bits at random, so Level 2's random flag is always true for them.
  // A child inherits only that bit: the sampled bit is decided here, and W3C reserves the
  // other bits, which a participant must not pass on (a remote parent may set them).
  const std::uint8_t inherited =
      is_root ? kRandomTraceIdFlag : static_cast<std::uint8_t>(parent.flags & kRandomTraceIdFlag);

  if (!decision.sampled) {
    // No record, no clock: only a fresh span id so downstream services still see the hop.
    return span(span_context{trace, random_span_id(), inherited, false, sampler_.state_for(decision, parent)});
  }

  span_data* record = span_pool::acquire();
  if (record == nullptr) [[unlikely]] {
    // Out of memory: keep propagating a sampled context, count the span as lost.
    counters_->add(span_counters::sampled);
    counters_->add(span_counters::ended);
    counters_->add(span_counters::dropped);
    return span(span_context{trace, random_span_id(), static_cast<std::uint8_t>(inherited | kSampledFlag), false,
                             sampler_.state_for(decision, parent)});
  }
  counters_->add(span_counters::sampled);
  record->context.trace = trace;
  record->context.span = random_span_id();
  record->context.flags = static_cast<std::uint8_t>(inherited | kSampledFlag);
  record->context.remote = false;
  record->context.state = sampler_.state_for(decision, parent);
  record->parent = parent.span;
  record->parent_remote = parent.remote;
  assign_text(record->name, name);
  record->kind = kind;
  record->owner = resource_.get();
  for (const span_context& link : links) {
    if (link.valid()) record->add_link(link);
  }
  record->start_unix_nanos = now_unix_nanos();
  return span(record, this);
}

span tracer::start_active_span(std::string_view name, span_kind kind) noexcept {
  return start_span(name, kind, current_span_context());
}

void tracer::finish(span_data* record) const noexcept { processor_->on_end(record); }

}  // namespace tracebench::tracer
