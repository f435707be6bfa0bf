#include "tracebench/tracer/attribute.hpp"

namespace tracebench::tracer {

void attribute::assign(std::string_view k, const attribute_value& v) noexcept {
  assign_text(key, k);
  type = v.type();
  switch (type) {
    case attribute_type::string:
      assign_text(str, v.as_string());
      break;
    case attribute_type::int64:
      i = v.as_int();
      break;
    case attribute_type::float64:
      d = v.as_double();
      break;
    case attribute_type::boolean:
      b = v.as_bool();
      break;
  }
}

attribute_value attribute::value() const noexcept {
  switch (type) {
    case attribute_type::string:
      return attribute_value(std::string_view(str));
    case attribute_type::int64:
      return attribute_value(i);
    case attribute_type::float64:
      return attribute_value(d);
    case attribute_type::boolean:
      return attribute_value(b);
  }
  return attribute_value(std::int64_t{0});
}

const attribute* attribute_list::find(std::string_view key) const noexcept {
  for (const attribute& a : *this) {
    if (same_text(a.key, key)) return &a;
  }
  return nullptr;
}

void attribute_list::set(std::string_view key, const attribute_value& value) noexcept {
  if (key.empty()) return;
  for (std::size_t i = 0; i < size_; ++i) {
    if (same_text(slots_[i].key, key)) {
      slots_[i].assign(key, value);
      return;
    }
  }
  if (size_ >= limit_) {
    ++dropped_;
    return;
  }
  if (size_ == slots_.size()) {
    try {
      slots_.emplace_back();
    } catch (...) {
      ++dropped_;  // out of memory: count the attribute as dropped rather than throw
      return;
    }
  }
  slots_[size_++].assign(key, value);
}

}  // namespace tracebench::tracer
