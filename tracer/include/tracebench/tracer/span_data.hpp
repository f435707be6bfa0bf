#pragma once
// A finished (or finishing) sampled span as processors and exporters see it. Records are
// pooled and reused, so every container keeps its capacity between spans.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "tracebench/tracer/attribute.hpp"
#include "tracebench/tracer/resource.hpp"
#include "tracebench/tracer/span_context.hpp"

namespace tracebench::tracer {

// Numbering is OTLP's, so exporters write the enum value as-is.
enum class span_kind : std::uint8_t { internal = 1, server = 2, client = 3, producer = 4, consumer = 5 };
enum class status_code : std::uint8_t { unset = 0, ok = 1, error = 2 };

[[nodiscard]] std::string_view to_string(span_kind kind) noexcept;
[[nodiscard]] std::string_view to_string(status_code code) noexcept;

struct event_data {
  std::string name;
  std::int64_t time_unix_nanos = 0;
  attribute_list attributes;
};

struct link_data {
  span_context context;
  attribute_list attributes;
};

// Event and link limits follow OpenTelemetry's defaults; what is over is counted.
inline constexpr std::uint32_t kMaxEventsPerSpan = 128;
inline constexpr std::uint32_t kMaxLinksPerSpan = 128;

class span_data {
 public:
  span_context context;
  span_id parent;  // invalid for a root span
  bool parent_remote = false;
  std::string name;
  span_kind kind = span_kind::internal;
  std::int64_t start_unix_nanos = 0;
  std::int64_t end_unix_nanos = 0;
  status_code status = status_code::unset;
  std::string status_message;
  attribute_list attributes;
  const resource* owner = nullptr;  // the tracer's resource; outlives its spans

  [[nodiscard]] std::size_t event_count() const noexcept { return event_count_; }
  [[nodiscard]] const event_data& event(std::size_t i) const noexcept { return events_[i]; }
  [[nodiscard]] std::uint32_t dropped_events() const noexcept { return dropped_events_; }
  [[nodiscard]] std::size_t link_count() const noexcept { return link_count_; }
  [[nodiscard]] const link_data& link(std::size_t i) const noexcept { return links_[i]; }
  [[nodiscard]] std::uint32_t dropped_links() const noexcept { return dropped_links_; }

  // Returns the new event's slot to fill in, or nullptr when over the limit (counted).
  event_data* add_event(std::string_view event_name, std::int64_t time_unix_nanos) noexcept;
  link_data* add_link(const span_context& linked) noexcept;
  // Empties the record for reuse, keeping every buffer's capacity.
  void reset() noexcept;

 private:
  friend class span_pool;
  // What a recycled record needs before the tracer fills it: everything the tracer does
  // not overwrite at start. Cheaper than reset() on the span path.
  void prepare_reuse() noexcept {
    end_unix_nanos = 0;
    status = status_code::unset;
    status_message.clear();
    attributes.clear();
    event_count_ = 0;
    link_count_ = 0;
    dropped_events_ = 0;
    dropped_links_ = 0;
  }

  span_data* pool_next_ = nullptr;  // free-list link while the record is in the pool
  std::uint32_t pool_home_ = 0;     // thread slot the record returns to

  std::vector<event_data> events_;
  std::vector<link_data> links_;
  std::size_t event_count_ = 0;
  std::size_t link_count_ = 0;
  std::uint32_t dropped_events_ = 0;
  std::uint32_t dropped_links_ = 0;
};

}  // namespace tracebench::tracer
