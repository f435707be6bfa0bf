#include "tracebench/tracer/trace_state.hpp"

#include <algorithm>
#include <new>

namespace tracebench::tracer {
namespace {

constexpr bool is_lcalpha(char c) noexcept { return c >= 'a' && c <= 'z'; }
constexpr bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }
constexpr bool is_keychar(char c) noexcept {
  return is_lcalpha(c) || is_digit(c) || c == '_' || c == '-' || c == '*' || c == '/';
}
// nblk-chr: printable ASCII except ',' and '='; chr adds the space.
constexpr bool is_nblk_chr(char c) noexcept { return c > 0x20 && c < 0x7f && c != ',' && c != '='; }
constexpr bool is_ows(char c) noexcept { return c == ' ' || c == '\t'; }

// first-char rule, then up to (max_len - 1) keychars.
bool valid_key_part(std::string_view s, std::size_t max_len, bool digit_first_ok) noexcept {
  if (s.empty() || s.size() > max_len) return false;
  if (!is_lcalpha(s[0]) && !(digit_first_ok && is_digit(s[0]))) return false;
  return std::all_of(s.begin() + 1, s.end(), is_keychar);
}

std::string_view trim_ows(std::string_view s) noexcept {
  while (!s.empty() && is_ows(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_ows(s.back())) s.remove_suffix(1);
  return s;
}

std::size_t member_length(const trace_state::member& m) noexcept { return m.key.size() + 1 + m.value.size(); }

}  // namespace

bool trace_state::valid_key(std::string_view key) noexcept {
  const std::size_t at = key.find('@');
  if (at == std::string_view::npos) return valid_key_part(key, 256, false);
  // tenant@system: the tenant may start with a digit, the system may not; '@' only once.
  return valid_key_part(key.substr(0, at), 241, true) && valid_key_part(key.substr(at + 1), 14, false);
}

bool trace_state::valid_value(std::string_view value) noexcept {
  if (value.empty() || value.size() > 256 || value.back() == ' ') return false;
  return std::all_of(value.begin(), value.end(), [](char c) { return c == ' ' || is_nblk_chr(c); });
}

std::optional<trace_state> trace_state::parse(std::string_view header) noexcept {
  try {
    std::vector<member> members;
    while (true) {
      const std::size_t comma = header.find(',');
      const std::string_view raw = trim_ows(header.substr(0, comma));
      // Empty members are legal: combining several (possibly empty) headers produces them.
      if (!raw.empty()) {
        const std::size_t eq = raw.find('=');
        if (eq == std::string_view::npos) return std::nullopt;
        const std::string_view key = raw.substr(0, eq);
        const std::string_view value = raw.substr(eq + 1);
        if (!valid_key(key) || !valid_value(value)) return std::nullopt;
        if (members.size() == kMaxMembers) return std::nullopt;
        for (const member& m : members) {
          if (m.key == key) return std::nullopt;
        }
        members.push_back(member{std::string(key), std::string(value)});
      }
      if (comma == std::string_view::npos) break;
      header.remove_prefix(comma + 1);
    }
    if (members.empty()) return trace_state{};
    return trace_state(std::make_shared<const std::vector<member>>(std::move(members)));
  } catch (const std::bad_alloc&) {
    return std::nullopt;  // dropping tracestate is always allowed; crashing is not
  }
}

std::span<const trace_state::member> trace_state::members() const noexcept {
  if (!members_) return {};
  return {members_->data(), members_->size()};
}

std::string_view trace_state::get(std::string_view key) const noexcept {
  for (const member& m : members()) {
    if (m.key == key) return m.value;
  }
  return {};
}

trace_state trace_state::with(std::string_view key, std::string_view value) const {
  if (!valid_key(key) || !valid_value(value)) return *this;
  std::vector<member> next;
  next.reserve(size() + 1);
  next.push_back(member{std::string(key), std::string(value)});
  for (const member& m : members()) {
    if (next.size() == kMaxMembers) break;  // the right-most member falls off
    if (m.key != key) next.push_back(m);
  }
  return trace_state(std::make_shared<const std::vector<member>>(std::move(next)));
}

trace_state trace_state::without(std::string_view key) const {
  const auto all = members();
  if (std::none_of(all.begin(), all.end(), [&](const member& m) { return m.key == key; })) return *this;
  std::vector<member> next;
  next.reserve(all.size() - 1);
  for (const member& m : all) {
    if (m.key != key) next.push_back(m);
  }
  if (next.empty()) return trace_state{};
  return trace_state(std::make_shared<const std::vector<member>>(std::move(next)));
}

std::string trace_state::to_header() const {
  const auto all = members();
  std::vector<bool> keep(all.size(), true);
  // Header length = members plus one comma between each pair.
  std::size_t length = 0;
  for (const member& m : all) length += member_length(m) + 1;
  if (length > 0) --length;

  const auto drop = [&](std::size_t i) {
    keep[i] = false;
    // Removing a member also removes one comma, unless it was the only member left.
    const std::size_t with_comma = member_length(all[i]) + 1;
    length = length > with_comma ? length - with_comma : 0;
  };
  // Spec order: members over 128 characters go first (right-most first), then from the end.
  for (std::size_t i = all.size(); i-- > 0 && length > kMaxHeaderLength;) {
    if (member_length(all[i]) > kLongMember) drop(i);
  }
  for (std::size_t i = all.size(); i-- > 0 && length > kMaxHeaderLength;) {
    if (keep[i]) drop(i);
  }

  std::string out;
  out.reserve(length);
  for (std::size_t i = 0; i < all.size(); ++i) {
    if (!keep[i]) continue;
    if (!out.empty()) out += ',';
    out += all[i].key;
    out += '=';
    out += all[i].value;
  }
  return out;
}

bool operator==(const trace_state& a, const trace_state& b) noexcept {
  if (a.members_ == b.members_) return true;
  const auto x = a.members();
  const auto y = b.members();
  return std::equal(x.begin(), x.end(), y.begin(), y.end());
}

}  // namespace tracebench::tracer
