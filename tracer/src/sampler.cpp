#include "tracebench/tracer/sampler.hpp"

#include <charconv>
#include <cmath>
#include <stdexcept>

#include "tracebench/tracer/ids.hpp"

namespace tracebench::tracer {
namespace {

constexpr double kTwoTo56 = 72057594037927936.0;

std::string format_ratio(double p) {
  if (p == 1.0) return "1/1";
  if (p == 0.0) return "0";
  const double inverse = 1.0 / p;
  // Bounded so the cast below cannot overflow (1e-19 would give 1e19 > LLONG_MAX: UB).
  if (inverse < 1e15 && std::abs(inverse - std::round(inverse)) < 1e-9)
    return "1/" + std::to_string(static_cast<long long>(std::round(inverse)));
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, p);
  return std::string(buf, end);
}

std::string_view trim(std::string_view s) noexcept {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool parse_double(std::string_view s, double& out) noexcept {
  if (s.empty() || s.front() == '+') return false;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc{} && end == s.data() + s.size() && std::isfinite(out);
}

// Value of sub-key `key` in an "ot" tracestate value: "th:c;rv:0123456789abcd".
std::string_view ot_sub_key(std::string_view ot, std::string_view key) noexcept {
  while (!ot.empty()) {
    const auto semi = ot.find(';');
    const std::string_view item = ot.substr(0, semi);
    if (item.size() > key.size() && item.substr(0, key.size()) == key && item[key.size()] == ':') {
      return item.substr(key.size() + 1);
    }
    if (semi == std::string_view::npos) break;
    ot.remove_prefix(semi + 1);
  }
  return {};
}

}  // namespace

std::uint64_t threshold_for_probability(double probability) noexcept {
  if (!(probability > 0.0)) return kMaxThreshold;
  if (probability >= 1.0) return 0;
  const auto kept = static_cast<std::uint64_t>(std::llround(probability * kTwoTo56));
  return kMaxThreshold - std::min(kept, kMaxThreshold);
}

std::string encode_threshold(std::uint64_t threshold) {
  if (threshold >= kMaxThreshold) return {};  // never samples: nothing to record
  if (threshold == 0) return "0";
  char buf[16];
  write_hex_u64(threshold, buf);
  // 56 bits are 14 hex digits: skip the two leading zeros of the 64-bit rendering.
  std::string_view digits(buf + 2, 14);
  while (digits.size() > 1 && digits.back() == '0') digits.remove_suffix(1);
  return std::string(digits);
}

std::optional<std::uint64_t> decode_threshold(std::string_view th) noexcept {
  if (th.empty() || th.size() > 14) return std::nullopt;
  std::uint64_t value = 0;
  if (!parse_hex_u64(th, value)) return std::nullopt;
  return value << (4 * (14 - th.size()));
}

std::optional<std::uint64_t> threshold_from_trace_state(const trace_state& state) noexcept {
  const std::string_view ot = state.get("ot");
  if (ot.empty()) return std::nullopt;
  return decode_threshold(ot_sub_key(ot, "th"));
}

std::uint64_t randomness_of(const span_context& context) noexcept {
  const std::string_view ot = context.state.get("ot");
  if (!ot.empty()) {
    const std::string_view rv = ot_sub_key(ot, "rv");
    std::uint64_t value = 0;
    if (rv.size() == 14 && parse_hex_u64(rv, value)) return value;
  }
  return context.trace.low & kRandomnessMask;
}

std::optional<double> adjusted_count(const span_context& context) noexcept {
  if (!context.sampled()) return 0.0;
  const auto threshold = threshold_from_trace_state(context.state);
  if (!threshold || *threshold >= kMaxThreshold) return std::nullopt;
  return kTwoTo56 / static_cast<double>(kMaxThreshold - *threshold);
}

double parse_sampling_ratio(std::string_view text) {
  const std::string_view s = trim(text);
  auto fail = [&](std::string_view why) -> double {
    throw std::invalid_argument("sampling ratio \"" + std::string(text) + "\": " + std::string(why) +
                                " (use 1/16, 0.0625 or 6.25%)");
  };
  double value = 0;
  if (s.empty()) return fail("empty");
  if (const auto slash = s.find('/'); slash != std::string_view::npos) {
    double num = 0, den = 0;
    if (!parse_double(trim(s.substr(0, slash)), num) || !parse_double(trim(s.substr(slash + 1)), den)) {
      return fail("not a fraction");
    }
    if (den == 0) return fail("division by zero");
    value = num / den;
  } else if (s.back() == '%') {
    if (!parse_double(trim(s.substr(0, s.size() - 1)), value)) return fail("not a percentage");
    value /= 100.0;
  } else if (!parse_double(s, value)) {
    return fail("not a number");
  }
  if (value < 0.0 || value > 1.0) return fail("outside [0, 1]");
  return value;
}

sampler::sampler(kind k, double probability) noexcept : kind_(k), probability_(probability) {}

sampler sampler::always_on() { return sampler(kind::always_on, 1.0); }
sampler sampler::always_off() { return sampler(kind::always_off, 0.0); }

sampler sampler::trace_id_ratio(double probability) {
  if (!(probability >= 0.0 && probability <= 1.0))
    throw std::invalid_argument("trace_id_ratio: probability outside [0, 1]");
  sampler s(kind::trace_id_ratio, probability);
  s.bound_ = kMaxThreshold - threshold_for_probability(probability);
  return s;
}

sampler sampler::consistent_probability(double probability) {
  if (!(probability >= 0.0 && probability <= 1.0)) {
    throw std::invalid_argument("consistent_probability: probability outside [0, 1]");
  }
  sampler s(kind::consistent_probability, probability);
  s.bound_ = threshold_for_probability(probability);
  if (s.bound_ < kMaxThreshold) s.root_state_ = trace_state{}.with("ot", "th:" + encode_threshold(s.bound_));
  return s;
}

trace_state with_threshold(const trace_state& state, std::uint64_t threshold) {
  // The threshold first, then the state's other ot sub-keys (rv among them) in their order.
  std::string ot = "th:" + encode_threshold(threshold);
  std::string_view rest = state.get("ot");
  while (!rest.empty()) {
    const auto semi = rest.find(';');
    const std::string_view item = rest.substr(0, semi);
    if (!item.empty() && item.substr(0, 3) != "th:") {
      ot += ';';
      ot += item;
    }
    if (semi == std::string_view::npos) break;
    rest.remove_prefix(semi + 1);
  }
  return state.with("ot", ot);
}

trace_state sampler::keep_child_state(const trace_state& parent_state) const noexcept {
  if (parent_state.empty()) return root_state_;
  if (threshold_from_trace_state(parent_state) == bound_) return parent_state;  // the common case: no allocation
  try {
    return with_threshold(parent_state, bound_);
  } catch (...) {
    return root_state_;  // out of memory: at least the threshold is right
  }
}

sampler sampler::parent_based(sampler root, std::optional<sampler> remote_parent_sampled,
                              std::optional<sampler> remote_parent_not_sampled,
                              std::optional<sampler> local_parent_sampled,
                              std::optional<sampler> local_parent_not_sampled) {
  sampler s(kind::parent_based, root.probability());
  auto share = [](std::optional<sampler>& given, sampler fallback) {
    return std::make_shared<const sampler>(given ? std::move(*given) : std::move(fallback));
  };
  s.delegates_[0] = std::make_shared<const sampler>(std::move(root));
  s.delegates_[1] = share(remote_parent_sampled, always_on());
  s.delegates_[2] = share(remote_parent_not_sampled, always_off());
  s.delegates_[3] = share(local_parent_sampled, always_on());
  s.delegates_[4] = share(local_parent_not_sampled, always_off());
  return s;
}

std::string sampler::description() const {
  switch (kind_) {
    case kind::always_on:
      return "always_on";
    case kind::always_off:
      return "always_off";
    case kind::trace_id_ratio:
      return "trace_id_ratio{" + format_ratio(probability_) + "}";
    case kind::consistent_probability:
      return "consistent_probability{" + format_ratio(probability_) + "}";
    case kind::parent_based:
      return "parent_based{root=" + delegates_[0]->description() + "}";
  }
  return "unknown";
}

}  // namespace tracebench::tracer
