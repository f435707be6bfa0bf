#pragma once
// Overhead against request cost (`tracebench run --work-scale`): one plan run at several work
// scales, and each configuration's CPU/req and p50 latency changes against off set against how
// long off's requests took at that scale. Tracer vendors publish overhead in this shape (the same
// tracer costs 13.9% on a 1 ms endpoint and 1.7% on a 10 ms one); these points are what its chart
// and table plot, and what the combined document next to the results files holds.

#include <nlohmann/json.hpp>

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "tracebench/results/experiment_summary.hpp"
#include "tracebench/results/statistics.hpp"

namespace tracebench::harness {

inline constexpr const char* kRequestCostSchema = "tracebench.request-cost/1";

struct request_cost_scale {
  double work_scale = 1.0;
  std::optional<double> off_mean_latency_ns;  // off's valid latency runs merged; none without one
  bool complete = true;                       // false: the experiment was interrupted
  std::string results_file;                   // left empty here: the caller knows where it lives
};

struct request_cost_point {
  double work_scale = 1.0;
  double off_mean_latency_ns = 0.0;        // x: what a request cost at this scale
  std::optional<summary> cpu_per_request;  // change against off in percent; none without a valid pair
  std::optional<summary> p50_latency;
};

struct request_cost_series {
  std::string configuration;
  bool noise_floor = false;                // the A/A row: how far two off runs drift apart at each cost
  std::vector<request_cost_point> points;  // ascending work scale; a scale without off latency has none
};

struct request_cost_points {
  std::string scenario_name;
  std::vector<request_cost_scale> scales;   // ascending work scale
  std::vector<request_cost_series> series;  // every configuration but off, in plan order (first seen)
};

// One summary per work scale, in any order. Throws std::invalid_argument (one line) for none,
// summaries of different scenarios, or a work scale given twice.
[[nodiscard]] request_cost_points make_request_cost_points(std::span<const experiment_summary> summaries);

// {"schema": kRequestCostSchema, "scenario", "scales": [{"work_scale", "off_mean_latency_ns",
// "complete", "results_file"}], "series": [{"configuration", "noise_floor", "points":
// [{"work_scale", "off_mean_latency_ns", "cpu_per_request_change", "p50_latency_change"}]}]},
// each change {"median", "low", "high", "achieved_level", "within_noise"} in percent, or null.
[[nodiscard]] nlohmann::ordered_json request_cost_document(const request_cost_points& points);

}  // namespace tracebench::harness
