#pragma once
// The span handle instrumented code holds: move-only, ends itself when destroyed.
// A sampled span writes into a pooled record; an unsampled one carries only its context.

#include <initializer_list>
#include <string_view>
#include <utility>

#include "tracebench/tracer/attribute.hpp"
#include "tracebench/tracer/span_context.hpp"
#include "tracebench/tracer/span_data.hpp"

namespace tracebench::tracer {

class tracer;

class span {
 public:
  span() noexcept = default;
  span(span&& other) noexcept
      : record_(std::exchange(other.record_, nullptr)), tracer_(other.tracer_), context_(std::move(other.context_)) {}
  span& operator=(span&& other) noexcept {
    if (this != &other) {
      end();
      record_ = std::exchange(other.record_, nullptr);
      tracer_ = other.tracer_;
      context_ = std::move(other.context_);
    }
    return *this;
  }
  span(const span&) = delete;
  span& operator=(const span&) = delete;
  ~span() { end(); }

  [[nodiscard]] bool recording() const noexcept { return record_ != nullptr; }
  // Valid for sampled and unsampled spans alike (the no-op tracer's spans are invalid),
  // before and after end(). The reference is invalidated by end() and by moves.
  [[nodiscard]] const span_context& context() const noexcept {
    return record_ != nullptr ? record_->context : context_;
  }

  void set_attribute(std::string_view key, const attribute_value& value) noexcept {
    if (record_ != nullptr) record_->attributes.set(key, value);
  }
  void add_event(std::string_view name,
                 std::initializer_list<std::pair<std::string_view, attribute_value>> attributes = {}) noexcept;
  void add_link(const span_context& linked) noexcept;
  void set_status(status_code code, std::string_view message = {}) noexcept;
  void update_name(std::string_view name) noexcept;
  // Ends now; later calls do nothing. An unsampled span ends without reading the clock.
  void end() noexcept {
    if (record_ != nullptr) finish_recording();  // inline: an unsampled span's end is one test
  }
  // Ends at an explicit time (unix ns, before the tracer's clock offset).
  void end_at(std::int64_t end_unix_nanos) noexcept;

 private:
  friend class tracer;
  span(span_data* record, const tracer* owner) noexcept : record_(record), tracer_(owner) {}
  explicit span(span_context context) noexcept : context_(std::move(context)) {}
  void finish_recording() noexcept;

  span_data* record_ = nullptr;
  const tracer* tracer_ = nullptr;
  span_context context_;  // unsampled spans, and sampled ones once ended; else it is in the record
};

}  // namespace tracebench::tracer
