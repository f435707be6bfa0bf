#pragma once
// The current span per thread, for code that does not pass parents explicitly.

#include "tracebench/tracer/span.hpp"
#include "tracebench/tracer/span_context.hpp"

namespace tracebench::tracer {

// The innermost active scope's context on this thread, or an invalid context.
[[nodiscard]] const span_context& current_span_context() noexcept;

// Makes a span's context current on this thread until the scope ends. Scopes nest and
// must end in reverse order on the thread that made them.
class scope {
 public:
  explicit scope(const span& active) noexcept : scope(active.context()) {}
  explicit scope(span_context context) noexcept;
  ~scope();
  scope(const scope&) = delete;
  scope& operator=(const scope&) = delete;

 private:
  span_context context_;
  const span_context* previous_;
};

}  // namespace tracebench::tracer
