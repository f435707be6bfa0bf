#pragma once
// Span storage at a production scale: spans per day, and bytes per day at a span size, after
// each sampling pipeline. Dapper's arithmetic (20 services, 10,000 requests/s, about 50 spans
// per request, 426 bytes a span: about 18 TB a day before sampling) is the default.

#include <optional>
#include <string>
#include <vector>

namespace tracebench::harness {

struct projection_input {
  unsigned services = 20;
  double requests_per_second = 10'000;
  double spans_per_request = 50;
  double bytes_per_span = 426;  // Dapper's average span on disk
  // Ours, measured (a results file's OTLP/JSON and zstd bytes per span); empty when not given.
  std::optional<double> measured_bytes_per_span;
  std::optional<double> measured_zstd_bytes_per_span;
  std::vector<double> head_rates{1.0, 1.0 / 16, 1.0 / 1024};
  // The tail pipeline keeps every error and slow trace and this share of the rest.
  double error_fraction = 0.001;
  double slow_fraction = 0.001;  // traces over the latency policy's threshold (p99.9)
  double tail_baseline = 0.1;
  double two_tier_head = 1.0 / 16;  // head rate before the tail in the two-tier pipeline
  // Pipelines a results file ran, with the share of requests whose trace storage kept there:
  // measured on that scenario's errors and slow requests, not modelled from the shares above.
  struct measured_pipeline {
    std::string name;
    double kept_fraction = 0;
  };
  std::vector<measured_pipeline> measured_pipelines;
};

struct projection_row {
  std::string pipeline;      // "head 1/16", "tail: errors + slow + 10%", ...
  double kept_fraction = 0;  // of all traces (and spans: a trace is kept whole)
  double spans_per_second = 0;
  double spans_per_day = 0;
  double bytes_per_day = 0;  // at input.bytes_per_span
  std::optional<double> measured_bytes_per_day;
  std::optional<double> measured_zstd_bytes_per_day;
};

// Fraction kept by each pipeline, every tier reading the same trace-id randomness (consistent
// sampling): a two-tier trace that is neither an error nor slow is kept with min(head, baseline),
// since a tail baseline above the head's rate keeps everything the head kept. Then a row for each
// measured pipeline, named "measured NAME".
[[nodiscard]] std::vector<projection_row> project_storage(const projection_input& in);

}  // namespace tracebench::harness
