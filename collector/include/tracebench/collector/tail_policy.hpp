#pragma once
// Tail-sampling policies: what a collector decides on once it holds a whole trace. Named after
// the OpenTelemetry Collector's tail_sampling processor (status_code, latency, probabilistic,
// span_count, string_attribute, and), with `or` for composites of composites.

#include <chrono>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "tracebench/tracer/span_data.hpp"

namespace tracebench::collector {

class tail_policy {
 public:
  enum class kind : std::uint8_t {
    always,
    status_error,
    latency,
    probabilistic,
    span_count,
    attribute,
    all_of,
    any_of
  };

  [[nodiscard]] static tail_policy always();
  // Any span with status error.
  [[nodiscard]] static tail_policy status_error();
  // The trace's extent (latest end - earliest start) at least `threshold`.
  [[nodiscard]] static tail_policy latency(std::chrono::nanoseconds threshold);
  // Keeps `probability` of traces by the trace id's random bits, as consistent probability
  // sampling does: the same trace gets the same answer from every collector. (0, 1].
  [[nodiscard]] static tail_policy probabilistic(double probability);
  // At least `minimum` spans.
  [[nodiscard]] static tail_policy span_count(std::size_t minimum);
  // Any span with string attribute `key` equal to one of `values`.
  [[nodiscard]] static tail_policy attribute(std::string key, std::vector<std::string> values);
  [[nodiscard]] static tail_policy all_of(std::vector<tail_policy> policies);
  [[nodiscard]] static tail_policy any_of(std::vector<tail_policy> policies);

  // Whether this policy keeps the trace made of `spans` (all of one trace id, non-empty).
  [[nodiscard]] bool keeps(std::span<const tracer::span_data* const> spans) const noexcept;
  // The probability that this policy keeps a trace like `spans`, over the trace id's randomness:
  // 1 or 0 for the deterministic policies, p for probabilistic. Composites take the max (any_of)
  // or min (all_of): every probabilistic policy reads the same randomness, so their kept sets
  // nest. 1 / this is a kept trace's adjusted count at this tier.
  [[nodiscard]] double inclusion_probability(std::span<const tracer::span_data* const> spans) const noexcept;
  [[nodiscard]] kind type() const noexcept { return kind_; }
  [[nodiscard]] double probability() const noexcept { return probability_; }  // probabilistic only
  // "status_error", "latency >= 500 ms", "any_of(status_error, probabilistic 0.1)"
  [[nodiscard]] std::string description() const;

 private:
  kind kind_ = kind::always;
  std::int64_t threshold_ns_ = 0;
  double probability_ = 1.0;
  std::uint64_t randomness_bound_ = 0;  // keep when the trace id's 56 random bits >= this
  std::size_t minimum_spans_ = 0;
  std::string key_;
  std::vector<std::string> values_;
  std::shared_ptr<const std::vector<tail_policy>> children_;
};

}  // namespace tracebench::collector
