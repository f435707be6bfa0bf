#include "tracebench/tracer/span_data.hpp"

namespace tracebench::tracer {

std::string_view to_string(span_kind kind) noexcept {
  switch (kind) {
    case span_kind::internal:
      return "internal";
    case span_kind::server:
      return "server";
    case span_kind::client:
      return "client";
    case span_kind::producer:
      return "producer";
    case span_kind::consumer:
      return "consumer";
  }
  return "internal";
}

std::string_view to_string(status_code code) noexcept {
  switch (code) {
    case status_code::unset:
      return "unset";
    case status_code::ok:
      return "ok";
    case status_code::error:
      return "error";
  }
  return "unset";
}

event_data* span_data::add_event(std::string_view event_name, std::int64_t time_unix_nanos) noexcept {
  if (event_count_ >= kMaxEventsPerSpan) {
    ++dropped_events_;
    return nullptr;
  }
  if (event_count_ == events_.size()) {
    try {
      events_.emplace_back();
    } catch (...) {
      ++dropped_events_;
      return nullptr;
    }
  }
  event_data& e = events_[event_count_++];
  assign_text(e.name, event_name);
  e.time_unix_nanos = time_unix_nanos;
  e.attributes.clear();
  return &e;
}

link_data* span_data::add_link(const span_context& linked) noexcept {
  if (link_count_ >= kMaxLinksPerSpan) {
    ++dropped_links_;
    return nullptr;
  }
  if (link_count_ == links_.size()) {
    try {
      links_.emplace_back();
    } catch (...) {
      ++dropped_links_;
      return nullptr;
    }
  }
  link_data& l = links_[link_count_++];
  l.context = linked;
  l.attributes.clear();
  return &l;
}

void span_data::reset() noexcept {
  context = span_context{};
  parent = span_id{};
  parent_remote = false;
  name.clear();
  kind = span_kind::internal;
  start_unix_nanos = 0;
  end_unix_nanos = 0;
  status = status_code::unset;
  status_message.clear();
  attributes.clear();
  owner = nullptr;
  for (std::size_t i = 0; i < link_count_; ++i) links_[i].context.state = trace_state{};
  event_count_ = 0;
  link_count_ = 0;
  dropped_events_ = 0;
  dropped_links_ = 0;
}

}  // namespace tracebench::tracer
