#pragma once
// Head samplers. A closed set held by value so the decision inlines into span start:
// always-on, always-off, trace-id-ratio, consistent probability, parent-based.

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "tracebench/tracer/span_context.hpp"

namespace tracebench::tracer {

// Consistent probability sampling works on the 56 low random bits of the trace id.
inline constexpr std::uint64_t kRandomnessBits = 56;
inline constexpr std::uint64_t kMaxThreshold = std::uint64_t{1} << kRandomnessBits;  // 2^56
inline constexpr std::uint64_t kRandomnessMask = kMaxThreshold - 1;

// T = (1 - p) * 2^56, rounded; p in [0, 1]. p = 0 gives 2^56 (never samples).
[[nodiscard]] std::uint64_t threshold_for_probability(double probability) noexcept;
// "ot" th value: T in 14 hex digits with trailing zeros dropped ("0" for T = 0). T >= 2^56
// (never sample) has no encoding and gives "": it must not come out as "0" (keep all).
[[nodiscard]] std::string encode_threshold(std::uint64_t threshold);
// Parses a th value (1 to 14 lowercase hex digits, right-padded with zeros).
[[nodiscard]] std::optional<std::uint64_t> decode_threshold(std::string_view th) noexcept;
// The th sub-key of an OpenTelemetry "ot" tracestate value ("th:c;rv:..."), if present.
[[nodiscard]] std::optional<std::uint64_t> threshold_from_trace_state(const trace_state& state) noexcept;
// `state` with its ot th sub-key set to `threshold` (< 2^56), the other ot sub-keys and members
// kept. Allocates; throws std::bad_alloc.
[[nodiscard]] trace_state with_threshold(const trace_state& state, std::uint64_t threshold);
// The 56-bit randomness: the ot rv sub-key when present, else the trace id's low 56 bits.
[[nodiscard]] std::uint64_t randomness_of(const span_context& context) noexcept;
// Adjusted count of a finished span: 0 when unsampled, 2^56 / (2^56 - T) with a known
// threshold, nullopt when sampled without one (the count is unknown).
[[nodiscard]] std::optional<double> adjusted_count(const span_context& context) noexcept;

// Accepts "1/16", "0.0625" or "6.25%", within [0, 1]. Throws std::invalid_argument with a
// one-line message naming the text otherwise ("1/0", "2", "-1", "abc", "").
[[nodiscard]] double parse_sampling_ratio(std::string_view text);

struct sampling_result {
  bool sampled = false;
  trace_state state;  // tracestate for the new span
};

class sampler {
 public:
  enum class kind : std::uint8_t { always_on, always_off, trace_id_ratio, consistent_probability, parent_based };

  [[nodiscard]] static sampler always_on();
  [[nodiscard]] static sampler always_off();
  // Keeps a trace when its low 56 bits are below p * 2^56: deterministic on the trace id,
  // and a higher ratio keeps a superset of what a lower ratio keeps.
  [[nodiscard]] static sampler trace_id_ratio(double probability);
  // Keeps a trace when its randomness R >= T and writes ot=th:T into tracestate.
  [[nodiscard]] static sampler consistent_probability(double probability);
  // Follows the parent's sampled flag; `root` decides for traces that start here.
  [[nodiscard]] static sampler parent_based(sampler root, std::optional<sampler> remote_parent_sampled = {},
                                            std::optional<sampler> remote_parent_not_sampled = {},
                                            std::optional<sampler> local_parent_sampled = {},
                                            std::optional<sampler> local_parent_not_sampled = {});

  // The hot-path form of should_sample: which tracestate the new span takes, by pointer
  // (the parent's or the sampler's prebuilt one), so deciding copies nothing.
  struct decision {
    bool sampled = false;
    const trace_state* state = nullptr;  // nullptr: the span starts with no tracestate
    bool rewrite_threshold = false;      // consistent_probability child: state_for() writes our th
  };
  [[nodiscard]] decision decide(const span_context& parent, const trace_id& trace) const noexcept;
  // The tracestate a span decided by `d` carries. `parent` must be the one passed to decide().
  [[nodiscard]] trace_state state_for(const decision& d, const span_context& parent) const noexcept;

  // `parent` may be invalid (a root). `trace` is the new span's trace id.
  [[nodiscard]] sampling_result should_sample(const span_context& parent, const trace_id& trace) const noexcept;
  [[nodiscard]] kind type() const noexcept { return kind_; }
  // True for parent_based with the default delegates (sampled parent: on, unsampled: off):
  // a child's decision is then its parent's flag, and the tracer skips decide().
  [[nodiscard]] bool children_follow_parent() const noexcept;
  [[nodiscard]] double probability() const noexcept { return probability_; }
  // "parent_based{root=consistent_probability{1/16}}" and the like, for results files.
  [[nodiscard]] std::string description() const;

 private:
  sampler(kind k, double probability) noexcept;
  [[nodiscard]] const sampler& leaf_for(const span_context& parent) const noexcept;
  // consistent_probability keeping a child: the parent's tracestate with ot.th set to ours
  // (rv and the other members kept). Allocates only when the parent had another threshold.
  [[nodiscard]] trace_state keep_child_state(const trace_state& parent_state) const noexcept;

  kind kind_;
  double probability_;
  std::uint64_t bound_ = 0;  // trace_id_ratio: keep below; consistent_probability: keep at or above
  trace_state root_state_;   // consistent_probability: prebuilt "ot=th:..." so roots do not allocate
  // parent_based delegates: root, remote sampled, remote not sampled, local sampled, local not sampled.
  std::array<std::shared_ptr<const sampler>, 5> delegates_{};
};

inline sampler::decision sampler::decide(const span_context& parent, const trace_id& trace) const noexcept {
  const bool child = parent.valid();
  const sampler* leaf = this;
  if (kind_ == kind::parent_based) {
    const std::size_t slot = child ? (parent.remote ? (parent.sampled() ? 1 : 2) : (parent.sampled() ? 3 : 4)) : 0;
    leaf = delegates_[slot].get();
    if (leaf->kind_ == kind::parent_based) [[unlikely]]
      return leaf->decide(parent, trace);
  }
  // W3C: a child passes on the tracestate it received, whatever its own decision. A root
  // has none (an invalid parent's tracestate is dropped with it).
  const trace_state* inherited = child ? &parent.state : nullptr;
  switch (leaf->kind_) {
    case kind::always_on:
      return {true, inherited, false};
    case kind::always_off:
      return {false, inherited, false};
    case kind::trace_id_ratio:
      return {(trace.low & kRandomnessMask) < leaf->bound_, inherited, false};
    case kind::consistent_probability:
      if (!child) {
        if ((trace.low & kRandomnessMask) >= leaf->bound_) return {true, &leaf->root_state_, false};
        return {false, nullptr, false};
      }
      // Deciding afresh for a child: rv from the parent's state, and our threshold recorded
      // there (a copy only when the parent carried a different one).
      if (randomness_of(parent) >= leaf->bound_) {
        return {true, inherited, threshold_from_trace_state(parent.state) != leaf->bound_};
      }
      return {false, inherited, false};
    case kind::parent_based:
      break;
  }
  return {false, inherited, false};
}

inline trace_state sampler::state_for(const decision& d, const span_context& parent) const noexcept {
  if (d.rewrite_threshold) [[unlikely]]
    return leaf_for(parent).keep_child_state(parent.state);
  return d.state != nullptr ? *d.state : trace_state{};
}

inline const sampler& sampler::leaf_for(const span_context& parent) const noexcept {
  if (kind_ != kind::parent_based) return *this;
  const bool child = parent.valid();
  const std::size_t slot = child ? (parent.remote ? (parent.sampled() ? 1 : 2) : (parent.sampled() ? 3 : 4)) : 0;
  return delegates_[slot]->leaf_for(parent);
}

inline bool sampler::children_follow_parent() const noexcept {
  return kind_ == kind::parent_based && delegates_[1]->kind_ == kind::always_on &&
         delegates_[2]->kind_ == kind::always_off && delegates_[3]->kind_ == kind::always_on &&
         delegates_[4]->kind_ == kind::always_off;
}

inline sampling_result sampler::should_sample(const span_context& parent, const trace_id& trace) const noexcept {
  const decision d = decide(parent, trace);
  return {d.sampled, state_for(d, parent)};
}

}  // namespace tracebench::tracer
