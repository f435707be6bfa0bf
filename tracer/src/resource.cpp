#include "tracebench/tracer/resource.hpp"

namespace tracebench::tracer {

resource::resource(std::string_view service_name) : service_name_(service_name) {
  attributes_.set("service.name", service_name);
}

resource& resource::set(std::string_view key, const attribute_value& value) {
  if (key == "service.name" && value.type() == attribute_type::string) service_name_ = value.as_string();
  attributes_.set(key, value);
  return *this;
}

}  // namespace tracebench::tracer
