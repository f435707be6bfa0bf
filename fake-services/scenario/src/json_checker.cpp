#include "json_checker.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace tracebench::services::detail {

namespace {

constexpr std::string_view kDistributionKeys[] = {"constant", "uniform", "exponential", "lognormal", "empirical"};
constexpr std::string_view kDistributionList = "constant, uniform, exponential, lognormal or empirical";
constexpr std::string_view kLognormalKeys[] = {"median", "p99"};
constexpr std::array<std::pair<std::string_view, span_kind>, 5> kKinds = {{{"server", span_kind::server},
                                                                           {"client", span_kind::client},
                                                                           {"producer", span_kind::producer},
                                                                           {"consumer", span_kind::consumer},
                                                                           {"internal", span_kind::internal}}};

bool plain_key(std::string_view key) {
  return !key.empty() && std::all_of(key.begin(), key.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
  });
}

std::string a_type(const json& v) {
  const std::string name = v.type_name();
  return name == "object" || name == "array" ? "an " + name : name;
}

}  // namespace

// Never throws: the parser already rejected invalid UTF-8, and replace covers the rest.
std::string quote(std::string_view s) {
  return json(std::string(s)).dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string shown(const json& v) { return v.dump(-1, ' ', false, json::error_handler_t::replace); }

std::string child(const std::string& base, std::string_view key) {
  if (!plain_key(key)) return base + "[" + quote(key) + "]";
  return base.empty() ? std::string(key) : base + "." + std::string(key);
}

std::string element(const std::string& base, std::size_t i) { return base + "[" + std::to_string(i) + "]"; }

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

void json_checker::fail(const std::string& path, std::string_view problem) {
  errors_.push_back((path.empty() ? std::string("top level") : path) + ": " + std::string(problem));
}

void json_checker::wrong_type(const std::string& path, std::string_view expected, const json& got) {
  fail(path, "expected " + std::string(expected) + ", got " + a_type(got));
}

void json_checker::known_keys(const json& object, const std::string& path, key_list allowed) {
  for (auto it = object.begin(); it != object.end(); ++it) {
    if (std::find(allowed.begin(), allowed.end(), it.key()) == allowed.end()) {
      fail(path, "unknown key " + quote(it.key()) + suggestion(it.key(), allowed));
    }
  }
}

void json_checker::required_key(const json& object, const std::string& path, std::string_view key) {
  if (!object.contains(key)) fail(path, "missing required key " + quote(key));
}

bool json_checker::is_object(const json& v, const std::string& path) {
  if (v.is_object()) return true;
  wrong_type(path, "an object", v);
  return false;
}

std::optional<std::string> json_checker::text(const json& v, const std::string& path, bool allow_empty) {
  if (!v.is_string()) {
    wrong_type(path, "a string", v);
    return std::nullopt;
  }
  std::string s = v.get<std::string>();
  if (s.empty() && !allow_empty) {
    fail(path, "must not be empty");
    return std::nullopt;
  }
  return s;
}

std::optional<bool> json_checker::boolean(const json& v, const std::string& path) {
  if (v.is_boolean()) return v.get<bool>();
  wrong_type(path, "true or false", v);
  return std::nullopt;
}

std::optional<double> json_checker::number(const json& v, const std::string& path) {
  if (!v.is_number()) {
    wrong_type(path, "a number", v);
    return std::nullopt;
  }
  return v.get<double>();  // always finite: the parser rejects numbers that overflow
}

std::optional<double> json_checker::positive(const json& v, const std::string& path) {
  const std::optional<double> d = number(v, path);
  if (d && *d <= 0) {
    fail(path, "must be > 0, got " + shown(v));
    return std::nullopt;
  }
  return d;
}

std::optional<double> json_checker::duration(const json& v, const std::string& path) {
  const std::optional<double> d = number(v, path);
  if (d && *d < 0) {
    fail(path, "negative duration " + shown(v));
    return std::nullopt;
  }
  return d;
}

std::optional<double> json_checker::probability(const json& v, const std::string& path) {
  const std::optional<double> d = number(v, path);
  if (d && (*d < 0 || *d > 1)) {
    fail(path, "probability must be between 0 and 1, got " + shown(v));
    return std::nullopt;
  }
  return d;
}

std::optional<std::int64_t> json_checker::integer(const json& v, const std::string& path, std::int64_t low,
                                                  std::int64_t high) {
  const std::string range = "an integer from " + std::to_string(low) + " to " + std::to_string(high);
  if (!v.is_number()) {
    wrong_type(path, range, v);
    return std::nullopt;
  }
  const bool fits =
      v.is_number_unsigned() ? v.get<std::uint64_t>() <= static_cast<std::uint64_t>(high) : v.is_number_integer();
  const std::int64_t i = fits ? v.get<std::int64_t>() : 0;
  if (!fits || i < low || i > high) {
    fail(path, "must be " + range + ", got " + shown(v));
    return std::nullopt;
  }
  return i;
}

std::optional<distribution> json_checker::duration_distribution(const json& v, const std::string& path) {
  if (v.is_number()) {
    const std::optional<double> d = duration(v, path);
    return d ? std::optional(distribution::constant(*d)) : std::nullopt;
  }
  if (!v.is_object()) {
    wrong_type(path, "a duration in microseconds (a number or a distribution object)", v);
    return std::nullopt;
  }
  if (v.size() != 1) {
    std::string given;
    for (auto it = v.begin(); it != v.end(); ++it) given += (given.empty() ? "" : ", ") + it.key();
    fail(path, v.empty() ? "expected one of " + std::string(kDistributionList)
                         : "expected exactly one distribution, got " + std::to_string(v.size()) + " (" + given + ")");
    return std::nullopt;
  }
  const std::string shape = v.begin().key();
  const json& params = v.begin().value();
  const std::string at = child(path, shape);
  if (shape == "constant") {
    const std::optional<double> d = duration(params, at);
    return d ? std::optional(distribution::constant(*d)) : std::nullopt;
  }
  if (shape == "exponential") {
    const std::optional<double> mean = duration(params, at);
    return mean ? std::optional(distribution::exponential(*mean)) : std::nullopt;
  }
  if (shape == "uniform") {
    if (!params.is_array() || params.size() != 2) {
      const std::string count = std::to_string(params.size()) + (params.size() == 1 ? " value" : " values");
      fail(at, "expected [low, high], got " + (params.is_array() ? count : a_type(params)));
      return std::nullopt;
    }
    const std::optional<double> low = duration(params[0], element(at, 0));
    const std::optional<double> high = duration(params[1], element(at, 1));
    if (!low || !high) return std::nullopt;
    if (*low > *high) {
      fail(at, "low " + shown(params[0]) + " is above high " + shown(params[1]));
      return std::nullopt;
    }
    return distribution::uniform(*low, *high);
  }
  if (shape == "lognormal") {
    if (!is_object(params, at)) return std::nullopt;
    known_keys(params, at, kLognormalKeys);
    for (std::string_view key : kLognormalKeys) required_key(params, at, key);
    std::optional<double> median;
    std::optional<double> p99;
    if (params.contains("median")) median = positive(params["median"], child(at, "median"));
    if (params.contains("p99")) p99 = number(params["p99"], child(at, "p99"));
    if (!median || !p99) return std::nullopt;
    if (*p99 < *median) {
      fail(at, "p99 " + shown(params["p99"]) + " is below the median " + shown(params["median"]));
      return std::nullopt;
    }
    return distribution::lognormal(*median, *p99);
  }
  if (shape == "empirical") {
    if (!params.is_array()) {
      wrong_type(at, "an array of durations", params);
      return std::nullopt;
    }
    if (params.empty()) {
      fail(at, "empty list");
      return std::nullopt;
    }
    std::vector<double> values;
    for (std::size_t i = 0; i < params.size(); ++i) {
      if (const std::optional<double> d = duration(params[i], element(at, i))) values.push_back(*d);
    }
    if (values.size() != params.size()) return std::nullopt;
    return distribution::empirical(std::move(values));
  }
  const std::string hint = suggestion(shape, kDistributionKeys);
  fail(path, "unknown distribution " + quote(shape) +
                 (hint.empty() ? " (expected " + std::string(kDistributionList) + ")" : hint));
  return std::nullopt;
}

std::vector<attribute> json_checker::attributes(const json& v, const std::string& path) {
  std::vector<attribute> out;
  if (!is_object(v, path)) return out;
  constexpr auto kLargestInt = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
  for (auto it = v.begin(); it != v.end(); ++it) {
    const json& value = it.value();
    const std::string at = child(path, it.key());
    if (it.key().empty()) {
      fail(at, "attribute keys must not be empty");
    } else if (value.is_string()) {
      out.push_back({it.key(), value.get<std::string>()});
    } else if (value.is_boolean()) {
      out.push_back({it.key(), value.get<bool>()});
    } else if (value.is_number_integer() &&
               (!value.is_number_unsigned() || value.get<std::uint64_t>() <= kLargestInt)) {
      out.push_back({it.key(), value.get<std::int64_t>()});
    } else if (value.is_number()) {
      out.push_back({it.key(), value.get<double>()});
    } else {
      wrong_type(at, "a string, number or boolean", value);
    }
  }
  return out;
}

std::vector<std::string> json_checker::names(const json& v, const std::string& path) {
  std::vector<std::string> out;
  if (!v.is_array()) {
    wrong_type(path, "an array of names", v);
    return out;
  }
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (std::optional<std::string> name = text(v[i], element(path, i))) out.push_back(std::move(*name));
  }
  return out;
}

std::optional<span_kind> json_checker::kind(const json& v, const std::string& path) {
  return choice(v, path, "span kind", kKinds);
}

bool duplicate_key_finder::operator()(int /*depth*/, json::parse_event_t event, json& parsed) {
  const auto advance = [this] {
    if (!frames_.empty() && frames_.back().array) ++frames_.back().index;
  };
  switch (event) {
    case json::parse_event_t::object_start:
    case json::parse_event_t::array_start:
      frames_.push_back({event == json::parse_event_t::array_start, 0, {}, {}});
      break;
    case json::parse_event_t::key: {
      frame& top = frames_.back();
      top.key = parsed.get<std::string>();
      if (std::find(top.keys.begin(), top.keys.end(), top.key) != top.keys.end()) {
        check_->fail(path(), "duplicate key " + quote(top.key));
      } else {
        top.keys.push_back(top.key);
      }
      break;
    }
    case json::parse_event_t::value:
      advance();
      break;
    case json::parse_event_t::object_end:
    case json::parse_event_t::array_end:
      frames_.pop_back();
      advance();
      break;
  }
  return true;
}

// The innermost object's path: each enclosing frame adds the position inside it.
std::string duplicate_key_finder::path() const {
  std::string p;
  for (std::size_t i = 0; i + 1 < frames_.size(); ++i) {
    p = frames_[i].array ? element(p, frames_[i].index) : child(p, frames_[i].key);
  }
  return p;
}

namespace {

// nlohmann's "last read" excerpt copies the input's bytes; invalid UTF-8 is shown as \xNN
// so the message stays printable.
std::string printable(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size();) {
    const auto lead = static_cast<unsigned char>(s[i]);
    const std::size_t length = lead < 0x80           ? 1
                               : (lead >> 5) == 0x6  ? 2
                               : (lead >> 4) == 0xE  ? 3
                               : (lead >> 3) == 0x1E ? 4
                                                     : 0;
    bool valid = length != 0 && i + length <= s.size();
    for (std::size_t k = 1; valid && k < length; ++k) valid = (static_cast<unsigned char>(s[i + k]) >> 6) == 0x2;
    if (valid) {
      out.append(s.substr(i, length));
      i += length;
    } else {
      constexpr char kHex[] = "0123456789abcdef";
      out += "\\x";
      out += kHex[lead >> 4];
      out += kHex[lead & 0xF];
      ++i;
    }
  }
  return out;
}

}  // namespace

// nlohmann says "[json.exception.parse_error.101] parse error at line 3, column 5: syntax
// error ..."; keep the position up front and the explanation after it.
std::string describe_parse_error(const json::exception& e) {
  std::string what = printable(e.what());
  if (const std::size_t bracket = what.find("] ");
      what.starts_with("[json.exception.") && bracket != std::string::npos) {
    what.erase(0, bracket + 2);
  }
  constexpr std::string_view kAt = "parse error at ";
  if (what.starts_with(kAt)) {
    const std::size_t colon = what.find(": ", kAt.size());
    if (colon != std::string::npos) {
      return what.substr(kAt.size(), colon - kAt.size()) + ": invalid JSON: " + what.substr(colon + 2);
    }
  }
  constexpr std::string_view kPlain = "parse error: ";
  if (what.starts_with(kPlain)) what.erase(0, kPlain.size());
  return "invalid JSON: " + what;
}

}  // namespace tracebench::services::detail
