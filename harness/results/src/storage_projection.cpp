#include "tracebench/results/storage_projection.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "tracebench/results/span_volume.hpp"

namespace tracebench::harness {
namespace {

// "1/16" for the rates people write that way, "6.3%" otherwise.
std::string rate_text(double rate) {
  const double inverse = 1 / rate;
  char buffer[32];
  if (std::abs(inverse - std::round(inverse)) < 1e-9) {
    std::snprintf(buffer, sizeof buffer, "1/%.0f", inverse);
  } else {
    std::snprintf(buffer, sizeof buffer, "%.3g%%", rate * 100);
  }
  return buffer;
}

projection_row row(const projection_input& in, std::string name, double kept) {
  projection_row r;
  r.pipeline = std::move(name);
  r.kept_fraction = kept;
  r.spans_per_second = in.requests_per_second * in.spans_per_request * kept;
  r.spans_per_day = r.spans_per_second * kSecondsPerDay;
  r.bytes_per_day = r.spans_per_day * in.bytes_per_span;
  if (in.measured_bytes_per_span) r.measured_bytes_per_day = r.spans_per_day * *in.measured_bytes_per_span;
  if (in.measured_zstd_bytes_per_span)
    r.measured_zstd_bytes_per_day = r.spans_per_day * *in.measured_zstd_bytes_per_span;
  return r;
}

}  // namespace

std::vector<projection_row> project_storage(const projection_input& in) {
  std::vector<projection_row> rows;
  for (double rate : in.head_rates) {
    rows.push_back(row(in, rate >= 1 ? "every span (1/1)" : "head " + rate_text(rate), rate));
  }
  // Errors and slow traces taken as disjoint: at 0.1% each their overlap is noise.
  const double wanted = std::min(1.0, in.error_fraction + in.slow_fraction);
  const std::string tail_name = "errors + slow + " + rate_text(in.tail_baseline) + " of the rest";
  rows.push_back(row(in, "tail: " + tail_name, wanted + (1 - wanted) * in.tail_baseline));
  rows.push_back(row(in, "head " + rate_text(in.two_tier_head) + ", then tail: " + tail_name,
                     wanted * in.two_tier_head + (1 - wanted) * std::min(in.two_tier_head, in.tail_baseline)));
  for (const auto& measured : in.measured_pipelines)
    rows.push_back(row(in, "measured " + measured.name, measured.kept_fraction));
  return rows;
}

}  // namespace tracebench::harness
