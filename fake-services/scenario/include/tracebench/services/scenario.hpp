#pragma once
// A scenario: the call graph the fake services run, as plain values. Built and validated
// by scenario_loader; everything here may assume what the loader checked (targets
// resolved, graph acyclic, distributions possible). Durations are microseconds.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "tracebench/services/split_mix.hpp"
#include "tracebench/tracer/attribute.hpp"
#include "tracebench/tracer/http_post.hpp"
#include "tracebench/tracer/span_data.hpp"

namespace tracebench::services {

using tracer::span_kind;

// A duration in microseconds drawn per invocation. Sampling is written out by hand (not
// std::*_distribution) so one seed gives the same draws with every standard library.
class distribution {
 public:
  enum class shape : std::uint8_t { constant, uniform, exponential, lognormal, empirical };

  // z such that P(Z <= z) = 0.99 for a standard normal: ties lognormal's p99 to sigma.
  static constexpr double kZ99 = 2.3263478740408408;

  distribution() noexcept = default;  // constant 0
  // Preconditions (checked by the loader, not here): values >= 0, low <= high,
  // 0 < median <= p99, a non-empty empirical list.
  [[nodiscard]] static distribution constant(double value) noexcept;
  [[nodiscard]] static distribution uniform(double low, double high) noexcept;
  [[nodiscard]] static distribution exponential(double mean) noexcept;
  [[nodiscard]] static distribution lognormal(double median, double p99) noexcept;
  // Each draw is one of `values`, equally likely.
  [[nodiscard]] static distribution empirical(std::vector<double> values);

  [[nodiscard]] shape kind() const noexcept { return shape_; }
  // constant: value; uniform: low, high; exponential: mean; lognormal: median, p99.
  [[nodiscard]] double first() const noexcept { return a_; }
  [[nodiscard]] double second() const noexcept { return b_; }
  [[nodiscard]] const std::vector<double>& values() const noexcept { return values_; }

  [[nodiscard]] double mean() const noexcept;
  [[nodiscard]] double sample(std::mt19937_64& rng) const noexcept;
  // The same arithmetic from the fake services' per-invocation generator.
  [[nodiscard]] double sample(split_mix& rng) const noexcept;
  // For summaries: "constant 50", "lognormal median 200 p99 2000", ...
  [[nodiscard]] std::string describe() const;

  friend bool operator==(const distribution&, const distribution&) = default;

 private:
  template <typename Bits>
  [[nodiscard]] double sample_with(Bits& rng) const noexcept;

  shape shape_ = shape::constant;
  double a_ = 0;
  double b_ = 0;
  std::vector<double> values_;
};

// A scenario attribute keeps the JSON value's type: string, integer, float or boolean.
using attribute_value = std::variant<std::string, std::int64_t, double, bool>;
struct attribute {
  std::string key;
  attribute_value value;
  friend bool operator==(const attribute&, const attribute&) = default;
};
// A view for the tracer's API; valid while `value` lives.
[[nodiscard]] tracer::attribute_value to_tracer_value(const attribute_value& value) noexcept;

// A span a service records inside its own span, such as a database client call.
struct internal_span {
  std::string name;
  span_kind kind = span_kind::internal;
  std::vector<attribute> attributes;
  std::vector<std::string> events;
  distribution cpu_us;
  distribution wait_us;
};

enum class call_via : std::uint8_t { rpc, queue, batch };
// What a failed rpc does to the caller: propagate marks the caller's own span as error too
// (and so on up while callers propagate); ignore stops at the caller's client span.
enum class error_policy : std::uint8_t { propagate, ignore };

struct call {
  std::string to;
  std::size_t target = 0;    // index into scenario::services, set by the loader
  double probability = 1.0;  // drawn once per step; when it fires the call runs `repeat` times in a row
  std::uint32_t repeat = 1;
  call_via via = call_via::rpc;
  error_policy on_error = error_policy::propagate;  // rpc only
  distribution queue_delay_us;                      // queue only: publish to consume
  std::uint32_t batch_size = 0;                     // batch only: messages per consumer span, >= 1
};

// The calls of one step run in parallel; steps run one after another.
struct step {
  std::vector<call> calls;
};

// A service tracebench does not run: another process (any language, any tracer) serving the
// loopback wire's POST at this URL. Its callers' calls go there; its own work and spans are
// its process's.
struct external_service {
  std::string url;                 // as written
  tracer::http_endpoint endpoint;  // target "/call/<name>" when the URL has no path
};

struct service {
  std::string name;
  std::string operation;  // its span's name
  // As written, or derived: consumer when every caller reaches it via queue or batch, else server.
  span_kind kind = span_kind::server;
  distribution cpu_us;   // busy work on the executing thread
  distribution wait_us;  // a non-blocking timer: I/O, a database
  std::uint32_t response_bytes = 0;
  double error_probability = 0;
  std::vector<attribute> attributes;
  std::vector<std::string> events;
  bool propagates_context = true;  // false: outgoing calls carry no trace context
  double clock_skew_ms = 0;        // added to every timestamp it records
  // An invocation runs cpu, then wait, then the internal spans in order, then the steps.
  std::vector<internal_span> internal_spans;
  std::vector<step> steps;
  // Set for an external service: then only operation (its callers' client span name) and steps
  // (the rpc calls it makes, for validation and the summary) are given; the rest are defaults.
  std::optional<external_service> external;
};

struct load_profile {
  static constexpr double kDefaultRate = 100;
  static constexpr double kDefaultDurationSeconds = 10;
  double rate = kDefaultRate;  // open-loop requests per second
  double duration_s = kDefaultDurationSeconds;
};

// The production system the scenario stands for; used only to project span volume.
struct production_profile {
  double requests_per_second = 0;
  std::uint32_t services = 0;
};

// A tail-sampling collector's settings, for runs whose configurations include "tail".
struct tail_collector_spec {
  std::int64_t decision_wait_us = 1'000'000;  // after a trace's first span
  std::size_t num_traces = 50'000;            // held at once
  bool keep_errors = true;                    // a status_error policy
  std::optional<std::int64_t> slow_us;        // a latency policy at this extent; none: the harness picks
  double baseline = 0.1;                      // a probabilistic policy over the rest, [0, 1]; 0: none
};

// How `tracebench run` samples this scenario when no --rates or --pipeline says otherwise.
struct sampling_profile {
  std::vector<std::string> configurations;  // as --rates takes them ("1/16", "tail", "1/16+tail")
  tail_collector_spec tail;
};

// What a service's `cpu_us` is. compute: that many microseconds' worth of a fixed computation,
// calibrated once per process, so a preempted service takes longer, as a real one does. spin: a
// busy wait until that much wall time has passed, whatever the thread got of the core meanwhile.
enum class work_model : std::uint8_t { compute, spin };

struct scenario {
  std::string name;
  std::string description;
  std::string entry;
  std::size_t entry_index = 0;  // index into services
  std::vector<attribute> resource;
  load_profile load;
  std::optional<production_profile> production;
  std::optional<sampling_profile> sampling;
  work_model work = work_model::compute;
  std::vector<service> services;  // in file order

  [[nodiscard]] const service* find(std::string_view service_name) const noexcept;
  // The first external service in file order, or null.
  [[nodiscard]] const service* first_external() const noexcept;
  [[nodiscard]] const service& entry_service() const noexcept { return services[entry_index]; }
};

[[nodiscard]] std::string_view to_string(call_via via) noexcept;
[[nodiscard]] std::string_view to_string(error_policy policy) noexcept;
[[nodiscard]] std::string_view to_string(work_model work) noexcept;

}  // namespace tracebench::services
