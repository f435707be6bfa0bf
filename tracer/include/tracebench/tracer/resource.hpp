#pragma once
// The entity producing spans: service.name plus whatever the scenario adds.

#include <string>
#include <string_view>

#include "tracebench/tracer/attribute.hpp"

namespace tracebench::tracer {

class resource {
 public:
  explicit resource(std::string_view service_name);
  resource& set(std::string_view key, const attribute_value& value);

  [[nodiscard]] std::string_view service_name() const noexcept { return service_name_; }
  [[nodiscard]] const attribute_list& attributes() const noexcept { return attributes_; }

 private:
  std::string service_name_;
  attribute_list attributes_;
};

}  // namespace tracebench::tracer
