#include "tracebench/tracer/composite_propagator.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "tracebench/tracer/b3_propagator.hpp"
#include "tracebench/tracer/baggage_propagator.hpp"
#include "tracebench/tracer/w3c_trace_context.hpp"

namespace tracebench::tracer {
namespace {

constexpr std::string_view kKnown = "tracecontext, baggage, b3, b3multi";

std::string_view trim(std::string_view s) noexcept {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::unique_ptr<propagator> make_one(std::string_view name) {
  if (name == "tracecontext") return std::make_unique<w3c_trace_context_propagator>();
  if (name == "baggage") return std::make_unique<w3c_baggage_propagator>();
  if (name == "b3") return std::make_unique<b3_propagator>(b3_propagator::mode::single_header);
  if (name == "b3multi") return std::make_unique<b3_propagator>(b3_propagator::mode::multi_header);
  return nullptr;
}

[[noreturn]] void fail(std::string_view what, std::string_view name) {
  std::string message = "propagators: ";
  message += what;
  message += " \"";
  message += name;
  message += "\" (known: ";
  message += kKnown;
  message += ')';
  throw std::invalid_argument(message);
}

}  // namespace

composite_propagator::composite_propagator(std::vector<std::unique_ptr<propagator>> parts) noexcept
    : parts_(std::move(parts)) {
  std::erase(parts_, nullptr);
}

void composite_propagator::inject(const propagation_context& context, header_carrier& carrier) const {
  for (const auto& part : parts_) part->inject(context, carrier);
}

void composite_propagator::extract(const header_carrier& carrier, propagation_context& context) const noexcept {
  for (const auto& part : parts_) part->extract(carrier, context);
}

std::unique_ptr<propagator> make_propagator(std::string_view config) {
  config = trim(config);
  if (config.empty() || config == "default") config = "tracecontext,baggage";
  const std::string_view whole = config;
  std::vector<std::string_view> names;
  std::vector<std::unique_ptr<propagator>> parts;
  while (true) {
    const std::size_t comma = config.find(',');
    const std::string_view name = trim(config.substr(0, comma));
    if (name.empty()) fail("empty entry in", whole);
    // A repeat is almost certainly a typo for another name; saying so beats running twice.
    if (std::find(names.begin(), names.end(), name) != names.end()) fail("repeated propagator", name);
    auto part = make_one(name);
    if (!part) fail("unknown propagator", name);
    names.push_back(name);
    parts.push_back(std::move(part));
    if (comma == std::string_view::npos) break;
    config.remove_prefix(comma + 1);
  }
  // One propagator needs no wrapper: the hot path saves a virtual call and a loop.
  if (parts.size() == 1) return std::move(parts.front());
  return std::make_unique<composite_propagator>(std::move(parts));
}

}  // namespace tracebench::tracer
