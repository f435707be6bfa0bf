#include "tracebench/report/openmetrics.hpp"

#include "tracebench/tracer/ids.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <functional>
#include <set>
#include <stdexcept>
#include <system_error>

namespace tracebench::harness {

namespace {

constexpr std::string_view kUnit = "seconds";
constexpr std::string_view kConfigurationLabel = "configuration";
constexpr std::string_view kTraceIdLabel = "trace_id";
constexpr double kNanosPerSecond = 1e9;
// OpenMetrics caps an exemplar's label names and values at 128 code points together; ours is
// one fixed label of ASCII hex, so the cap holds by construction.
constexpr std::size_t kExemplarLabelLimit = 128;
static_assert(kTraceIdLabel.size() + tracer::trace_id::kHexLength <= kExemplarLabelLimit);

[[noreturn]] void fail(std::string message) {
  std::string line = "openmetrics: ";
  line += message;
  throw std::invalid_argument(line);
}

bool is_name_initial_char(char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
}

void check_metric_name(std::string_view name) {
  const bool well_formed =
      !name.empty() && is_name_initial_char(name.front()) &&
      std::all_of(name.begin(), name.end(), [](char c) { return is_name_initial_char(c) || (c >= '0' && c <= '9'); });
  std::string suffix = "_";
  suffix += kUnit;
  // A leading underscore is reserved by the spec; the unit must be the name's suffix.
  if (!well_formed || name.front() == '_' || name.size() <= suffix.size() || !name.ends_with(suffix)) {
    std::string message = "metric name \"";
    message += name;
    message += "\" is not a metric name ending in \"";
    message += suffix;
    message += '"';
    fail(std::move(message));
  }
}

// Strict UTF-8: no overlong forms, no surrogates, nothing above U+10FFFF, which is exactly what
// the ABNF's escaped-string admits once \, " and newline are escaped.
bool is_valid_utf8(std::string_view s) noexcept {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto lead = static_cast<unsigned char>(s[i]);
    std::size_t extra = 0;
    std::uint32_t code_point = 0;
    std::uint32_t lowest = 0;
    if (lead < 0x80) {
      ++i;
      continue;
    } else if ((lead & 0xE0) == 0xC0) {
      extra = 1, code_point = lead & 0x1Fu, lowest = 0x80;
    } else if ((lead & 0xF0) == 0xE0) {
      extra = 2, code_point = lead & 0x0Fu, lowest = 0x800;
    } else if ((lead & 0xF8) == 0xF0) {
      extra = 3, code_point = lead & 0x07u, lowest = 0x10000;
    } else {
      return false;
    }
    if (s.size() - i <= extra) return false;
    for (std::size_t k = 1; k <= extra; ++k) {
      const auto next = static_cast<unsigned char>(s[i + k]);
      if ((next & 0xC0) != 0x80) return false;
      code_point = (code_point << 6) | (next & 0x3Fu);
    }
    if (code_point < lowest || code_point > 0x10FFFF || (code_point >= 0xD800 && code_point <= 0xDFFF)) return false;
    i += extra + 1;
  }
  return true;
}

std::string escape_label_value(std::string_view value) {
  if (!is_valid_utf8(value)) fail("configuration label value is not valid UTF-8");
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

void check_bounds(std::span<const std::int64_t> bounds_ns) {
  if (bounds_ns.empty()) fail("bucket bounds are empty");
  // Non-positive bounds would need a histogram without _sum (the spec's negative-threshold rule).
  if (bounds_ns.front() <= 0) fail("bucket bounds must be positive nanoseconds");
  for (std::size_t i = 1; i < bounds_ns.size(); ++i) {
    if (bounds_ns[i] <= bounds_ns[i - 1]) {
      std::string message = "bucket bounds are not strictly ascending at ";
      message += std::to_string(bounds_ns[i]);
      message += " ns";
      fail(std::move(message));
    }
  }
}

void check_exemplar(const latency_exemplar& e) {
  if (!tracer::trace_id::from_hex(e.trace_id)) {
    // At most 40 characters, unprintable ones as '?': the message stays one readable line.
    std::string shown = e.trace_id.substr(0, 40);
    std::replace_if(
        shown.begin(), shown.end(), [](char c) { return c < ' ' || c > '~'; }, '?');
    std::string message = "exemplar trace_id \"";
    message += shown;
    message += "\" is not 32 lowercase hex digits of a valid (non-zero) trace id";
    fail(std::move(message));
  }
  if (!std::isfinite(e.timestamp_unix_seconds)) fail("exemplar timestamp is not finite");
}

// The exemplar to keep when two fall in one bucket: the largest value, then ties broken so the
// choice does not depend on input order.
bool preferred(const latency_exemplar& a, const latency_exemplar& b) noexcept {
  if (a.value_ns != b.value_ns) return a.value_ns > b.value_ns;
  if (a.timestamp_unix_seconds != b.timestamp_unix_seconds) return a.timestamp_unix_seconds > b.timestamp_unix_seconds;
  return a.trace_id < b.trace_id;
}

// Exact: the sum is an integer of nanoseconds, so its decimal needs at most nine fraction digits.
std::string decimal_seconds(std::int64_t nanos) {
  const bool negative = nanos < 0;
  const std::uint64_t magnitude = negative ? ~static_cast<std::uint64_t>(nanos) + 1 : static_cast<std::uint64_t>(nanos);
  constexpr std::uint64_t kPerSecond = 1'000'000'000;
  std::string out = negative ? "-" : "";
  out += std::to_string(magnitude / kPerSecond);
  std::string fraction = std::to_string(magnitude % kPerSecond);
  fraction.insert(0, 9 - fraction.size(), '0');
  while (fraction.size() > 1 && fraction.back() == '0') fraction.pop_back();
  out += '.';
  out += fraction;
  return out;
}

// Fixed notation: the spec asks timestamps not to use exponents, which lose sub-second digits.
std::string timestamp_text(double seconds) {
  std::array<char, 400> buffer{};
  const auto [end, ec] = std::to_chars(buffer.data(), buffer.data() + buffer.size(), seconds, std::chars_format::fixed);
  if (ec != std::errc{}) fail("exemplar timestamp cannot be written");
  return std::string(buffer.data(), end);
}

}  // namespace

std::string openmetrics_canonical_number(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  // Shortest round-trip digits and decimal exponent, e.g. "-2.5e-04" -> "25", -4.
  std::array<char, 64> buffer{};
  const auto [end, ec] =
      std::to_chars(buffer.data(), buffer.data() + buffer.size(), std::abs(value), std::chars_format::scientific);
  if (ec != std::errc{}) return "NaN";  // unreachable: 64 characters hold any double
  const std::string_view scientific(buffer.data(), static_cast<std::size_t>(end - buffer.data()));
  const std::size_t e_at = scientific.find('e');
  std::string digits;
  for (char c : scientific.substr(0, e_at)) {
    if (c != '.') digits += c;
  }
  int exponent = 0;
  const std::string_view exponent_text = scientific.substr(e_at + 1);
  std::from_chars(exponent_text.data() + (exponent_text.front() == '+' ? 1 : 0),
                  exponent_text.data() + exponent_text.size(), exponent);

  std::string out = std::signbit(value) && value != 0 ? "-" : "";
  // Go's %g with shortest precision switches to exponent form below 1e-4 and from 1e6.
  if (exponent < -4 || exponent >= 6) {
    out += digits.front();
    if (digits.size() > 1) {
      out += '.';
      out += digits.substr(1);
    }
    out += exponent < 0 ? "e-" : "e+";
    const int magnitude = std::abs(exponent);
    if (magnitude < 10) out += '0';
    out += std::to_string(magnitude);
    return out;
  }
  const int point = exponent + 1;  // digits before the decimal point
  const auto digit_count = static_cast<int>(digits.size());
  if (point <= 0) {
    out += "0.";
    out.append(static_cast<std::size_t>(-point), '0');
    out += digits;
  } else if (point >= digit_count) {
    out += digits;
    out.append(static_cast<std::size_t>(point - digit_count), '0');
    out += ".0";  // canonical floats always show they are floats
  } else {
    out += digits.substr(0, static_cast<std::size_t>(point));
    out += '.';
    out += digits.substr(static_cast<std::size_t>(point));
  }
  return out;
}

std::string render_openmetrics(std::string_view name, std::span<const openmetrics_series> series,
                               std::span<const std::int64_t> bounds_ns) {
  check_metric_name(name);
  check_bounds(bounds_ns);

  std::vector<std::string> le_values;
  le_values.reserve(bounds_ns.size() + 1);
  for (std::int64_t bound : bounds_ns) {
    le_values.push_back(openmetrics_canonical_number(static_cast<double>(bound) / kNanosPerSecond));
  }
  le_values.emplace_back("+Inf");

  std::string out = "# TYPE ";
  out += name;
  out += " histogram\n# UNIT ";
  out += name;
  out += ' ';
  out += kUnit;
  out += '\n';

  std::set<std::string, std::less<>> configurations;
  for (const openmetrics_series& s : series) {
    if (s.configuration.empty()) fail("a series has an empty configuration label value");
    if (!configurations.insert(s.configuration).second) {
      std::string message = "configuration \"";
      message += escape_label_value(s.configuration);
      message += "\" appears twice";
      fail(std::move(message));
    }
    if (s.histogram == nullptr) {
      std::string message = "configuration \"";
      message += escape_label_value(s.configuration);
      message += "\" has no histogram";
      fail(std::move(message));
    }

    // Bucket i covers (bounds[i-1], bounds[i]]; the last, +Inf, covers everything above.
    std::vector<const latency_exemplar*> chosen(le_values.size(), nullptr);
    for (const latency_exemplar& e : s.exemplars) {
      check_exemplar(e);
      const auto bucket = static_cast<std::size_t>(std::lower_bound(bounds_ns.begin(), bounds_ns.end(), e.value_ns) -
                                                   bounds_ns.begin());
      if (chosen[bucket] == nullptr || preferred(e, *chosen[bucket])) chosen[bucket] = &e;
    }

    std::string labels = "{";
    labels += kConfigurationLabel;
    labels += "=\"";
    labels += escape_label_value(s.configuration);
    labels += '"';

    const latency_histogram& h = *s.histogram;
    for (std::size_t i = 0; i < le_values.size(); ++i) {
      const std::uint64_t count = i < bounds_ns.size() ? h.count_at_or_below(bounds_ns[i]) : h.count();
      out += name;
      out += "_bucket";
      out += labels;
      out += ",le=\"";
      out += le_values[i];
      out += "\"} ";
      out += std::to_string(count);
      if (const latency_exemplar* e = chosen[i]; e != nullptr) {
        out += " # {";
        out += kTraceIdLabel;
        out += "=\"";
        out += e->trace_id;
        out += "\"} ";
        out += openmetrics_canonical_number(static_cast<double>(e->value_ns) / kNanosPerSecond);
        if (e->timestamp_unix_seconds != 0) {
          out += ' ';
          out += timestamp_text(e->timestamp_unix_seconds);
        }
      }
      out += '\n';
    }
    out += name;
    out += "_count";
    out += labels;
    out += "} ";
    out += std::to_string(h.count());
    out += '\n';
    out += name;
    out += "_sum";
    out += labels;
    out += "} ";
    out += decimal_seconds(h.sum());
    out += '\n';
  }
  out += "# EOF\n";
  return out;
}

}  // namespace tracebench::harness
