#pragma once
// Text for HTML and SVG (XML): & < > " ' as entities, so a scenario or configuration name can go
// into an element or an attribute.

#include <string>
#include <string_view>

namespace tracebench::harness {

[[nodiscard]] std::string escape_markup(std::string_view text);

}  // namespace tracebench::harness
