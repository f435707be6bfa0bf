#include "tracebench/tracer/header_carrier.hpp"

#include <algorithm>

namespace tracebench::tracer {
namespace {

// ASCII only: HTTP field names are tokens, and locale-aware folding would be both slower
// and wrong for them (tolower is locale-dependent).
constexpr char ascii_lower(char c) noexcept { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

}  // namespace

bool iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  // Header names are nearly always sent lowercase, as we write them: try the exact match first.
  if (a == b) return true;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  }
  return true;
}

std::size_t header_list::get_all(std::string_view key, std::string_view* out, std::size_t max) const noexcept {
  std::size_t count = 0;
  for (const auto& [name, value] : fields_) {
    if (!iequals(name, key)) continue;
    if (count < max) out[count] = value;
    ++count;
  }
  return count;
}

void header_list::set(std::string_view key, std::string_view value) {
  // Keep the first occurrence's position so a replaced header does not move on the wire.
  auto first = std::find_if(fields_.begin(), fields_.end(), [&](const auto& f) { return iequals(f.first, key); });
  if (first == fields_.end()) {
    fields_.emplace_back(std::string(key), std::string(value));
    return;
  }
  first->second.assign(value);
  fields_.erase(std::remove_if(first + 1, fields_.end(), [&](const auto& f) { return iequals(f.first, key); }),
                fields_.end());
}

void header_list::add(std::string_view key, std::string_view value) {
  fields_.emplace_back(std::string(key), std::string(value));
}

}  // namespace tracebench::tracer
