#pragma once
// The narrow seam instrumented code (the fake services) uses: start, annotate, end,
// inject, extract. Everything behind it can change: tracebench's tracer, the no-op
// baseline, or another SDK adapted to the same calls.

#include <memory>
#include <span>
#include <string_view>

#include "tracebench/tracer/propagator.hpp"
#include "tracebench/tracer/span.hpp"
#include "tracebench/tracer/tracer.hpp"

namespace tracebench::tracer {

// A started span as the seam sees it: the adapter's own handle plus the context to
// propagate. Move-only; end it through the instrumentation that started it.
struct span_token {
  span native;              // tracebench's tracer; empty for other adapters
  void* foreign = nullptr;  // another SDK's span, owned by its adapter
};

class instrumentation {
 public:
  virtual ~instrumentation() = default;
  [[nodiscard]] virtual span_token start_span(std::string_view name, span_kind kind, const span_context& parent,
                                              std::span<const span_context> links = {}) noexcept = 0;
  virtual void set_attribute(span_token& s, std::string_view key, const attribute_value& value) noexcept = 0;
  virtual void add_event(span_token& s, std::string_view name) noexcept = 0;
  virtual void set_status(span_token& s, status_code code, std::string_view message) noexcept = 0;
  virtual void end(span_token& s) noexcept = 0;
  // The context to hand downstream: a child's parent, or what goes on the wire.
  [[nodiscard]] virtual span_context context_of(const span_token& s) const noexcept = 0;
  virtual void inject(const span_token& s, const tracebench::tracer::baggage& bag,
                      header_carrier& carrier) noexcept = 0;
  [[nodiscard]] virtual propagation_context extract(const header_carrier& carrier) noexcept = 0;
};

// tracebench's tracer behind the seam: a sampler configuration, `never` included.
class tracer_instrumentation final : public instrumentation {
 public:
  tracer_instrumentation(std::shared_ptr<tracer> impl, std::shared_ptr<const propagator> codec) noexcept;

  span_token start_span(std::string_view name, span_kind kind, const span_context& parent,
                        std::span<const span_context> links = {}) noexcept override;
  void set_attribute(span_token& s, std::string_view key, const attribute_value& value) noexcept override;
  void add_event(span_token& s, std::string_view name) noexcept override;
  void set_status(span_token& s, status_code code, std::string_view message) noexcept override;
  void end(span_token& s) noexcept override;
  span_context context_of(const span_token& s) const noexcept override;
  void inject(const span_token& s, const tracebench::tracer::baggage& bag, header_carrier& carrier) noexcept override;
  propagation_context extract(const header_carrier& carrier) noexcept override;

  [[nodiscard]] tracer& impl() noexcept { return *tracer_; }

 private:
  std::shared_ptr<tracer> tracer_;
  std::shared_ptr<const propagator> propagator_;
};

// The `off` baseline: the same calls, no ids, no headers, nothing recorded, like code
// built against an instrumentation API with no SDK installed.
class noop_instrumentation final : public instrumentation {
 public:
  span_token start_span(std::string_view, span_kind, const span_context&,
                        std::span<const span_context> = {}) noexcept override {
    return {};
  }
  void set_attribute(span_token&, std::string_view, const attribute_value&) noexcept override {}
  void add_event(span_token&, std::string_view) noexcept override {}
  void set_status(span_token&, status_code, std::string_view) noexcept override {}
  void end(span_token&) noexcept override {}
  span_context context_of(const span_token&) const noexcept override { return {}; }
  void inject(const span_token&, const tracebench::tracer::baggage&, header_carrier&) noexcept override {}
  propagation_context extract(const header_carrier&) noexcept override { return {}; }
};

}  // namespace tracebench::tracer
