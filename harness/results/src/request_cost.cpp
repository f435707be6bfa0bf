#include "tracebench/results/request_cost.hpp"

#include <algorithm>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <utility>

namespace tracebench::harness {
namespace {

using json = nlohmann::ordered_json;

std::optional<double> off_mean_latency(const experiment_summary& s) {
  for (const configuration_summary& row : s.rows) {
    if (row.baseline && row.latency.count() > 0) return row.latency.mean();
  }
  return std::nullopt;
}

std::string scale_text(double scale) {
  char text[32];
  std::snprintf(text, sizeof text, "%g", scale);
  return text;
}

json change_document(const std::optional<summary>& s) {
  if (!s) return nullptr;
  return {{"median", s->median},
          {"low", s->low},
          {"high", s->high},
          {"achieved_level", s->achieved_level},
          {"within_noise", s->within_noise}};
}

}  // namespace

request_cost_points make_request_cost_points(std::span<const experiment_summary> summaries) {
  if (summaries.empty()) throw std::invalid_argument("request cost: no experiment to plot");
  std::vector<const experiment_summary*> by_scale;
  for (const experiment_summary& s : summaries) {
    if (s.scenario_name != summaries.front().scenario_name) {
      throw std::invalid_argument("request cost: scenario \"" + s.scenario_name + "\" beside \"" +
                                  summaries.front().scenario_name + "\"; every work scale must run the same scenario");
    }
    for (const experiment_summary* seen : by_scale) {
      if (seen->work_scale == s.work_scale) {
        throw std::invalid_argument("request cost: work scale " + scale_text(s.work_scale) + " given twice");
      }
    }
    by_scale.push_back(&s);
  }
  std::sort(by_scale.begin(), by_scale.end(),
            [](const experiment_summary* a, const experiment_summary* b) { return a->work_scale < b->work_scale; });

  request_cost_points out;
  out.scenario_name = summaries.front().scenario_name;
  // Plan order of the first summary, then any configuration only a later one ran.
  for (const experiment_summary& s : summaries) {
    for (const configuration_summary& row : s.rows) {
      if (row.baseline) continue;
      const bool known = std::any_of(out.series.begin(), out.series.end(), [&](const request_cost_series& series) {
        return series.configuration == row.configuration;
      });
      if (!known) out.series.push_back({row.configuration, row.noise_floor, {}});
    }
  }
  for (const experiment_summary* s : by_scale) {
    const std::optional<double> x = off_mean_latency(*s);
    out.scales.push_back({s->work_scale, x, !s->interrupted, ""});
    if (!x) continue;  // nothing to set the changes against
    for (request_cost_series& series : out.series) {
      for (const configuration_summary& row : s->rows) {
        if (row.configuration != series.configuration) continue;
        series.points.push_back({s->work_scale, *x, row.cpu_per_request.stats, row.p50_latency.stats});
      }
    }
  }
  return out;
}

nlohmann::ordered_json request_cost_document(const request_cost_points& points) {
  json scales = json::array();
  for (const request_cost_scale& s : points.scales) {
    scales.push_back({{"work_scale", s.work_scale},
                      {"off_mean_latency_ns", s.off_mean_latency_ns ? json(*s.off_mean_latency_ns) : json()},
                      {"complete", s.complete},
                      {"results_file", s.results_file}});
  }
  json series = json::array();
  for (const request_cost_series& line : points.series) {
    json plotted = json::array();
    for (const request_cost_point& p : line.points) {
      plotted.push_back({{"work_scale", p.work_scale},
                         {"off_mean_latency_ns", p.off_mean_latency_ns},
                         {"cpu_per_request_change", change_document(p.cpu_per_request)},
                         {"p50_latency_change", change_document(p.p50_latency)}});
    }
    series.push_back(
        {{"configuration", line.configuration}, {"noise_floor", line.noise_floor}, {"points", std::move(plotted)}});
  }
  return {{"schema", kRequestCostSchema},
          {"scenario", points.scenario_name},
          {"scales", std::move(scales)},
          {"series", std::move(series)}};
}

}  // namespace tracebench::harness
