#include "tracebench/tracer/context.hpp"

namespace tracebench::tracer {
namespace {

const span_context kNoContext{};
thread_local const span_context* tls_current = nullptr;

}  // namespace

const span_context& current_span_context() noexcept {
  const span_context* current = tls_current;
  return current != nullptr ? *current : kNoContext;
}

scope::scope(span_context context) noexcept : context_(std::move(context)), previous_(tls_current) {
  tls_current = &context_;
}

scope::~scope() { tls_current = previous_; }

}  // namespace tracebench::tracer
