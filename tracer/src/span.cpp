#include "tracebench/tracer/span.hpp"

#include "tracebench/tracer/tracer.hpp"

namespace tracebench::tracer {

void span::add_event(std::string_view name,
                     std::initializer_list<std::pair<std::string_view, attribute_value>> attributes) noexcept {
  if (record_ == nullptr) return;
  event_data* event = record_->add_event(name, tracer_->now_unix_nanos());
  if (event == nullptr) return;
  for (const auto& [key, value] : attributes) event->attributes.set(key, value);
}

void span::add_link(const span_context& linked) noexcept {
  if (record_ != nullptr && linked.valid()) record_->add_link(linked);
}

void span::set_status(status_code code, std::string_view message) noexcept {
  if (record_ == nullptr) return;
  // The spec: Ok is final, and a description goes only with Error.
  if (record_->status == status_code::ok) return;
  if (code == status_code::unset) return;
  record_->status = code;
  if (code == status_code::error) {
    record_->status_message.assign(message);
  } else {
    record_->status_message.clear();
  }
}

void span::update_name(std::string_view name) noexcept {
  if (record_ != nullptr) record_->name.assign(name);
}

void span::finish_recording() noexcept {
  // A clock re-anchor between start and end can step time back by a few microseconds;
  // a span never ends before it started.
  const std::int64_t now = tracer_->now_unix_nanos();
  record_->end_unix_nanos = now < record_->start_unix_nanos ? record_->start_unix_nanos : now;
  // The record goes to the processor (and back to the pool): keep the context readable.
  context_ = record_->context;
  tracer_->finish(std::exchange(record_, nullptr));
}

void span::end_at(std::int64_t end_unix_nanos) noexcept {
  if (record_ == nullptr) return;
  record_->end_unix_nanos = end_unix_nanos + tracer_->clock_offset_nanos();
  context_ = record_->context;
  tracer_->finish(std::exchange(record_, nullptr));
}

}  // namespace tracebench::tracer
