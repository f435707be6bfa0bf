#pragma once
// How much a configuration's spans weigh: counts, OTLP/JSON and zstd bytes per span, and
// what that comes to per day at the scenario's production rate, traced 1/1 ("raw") against
// this configuration's sampled fraction. Pure functions of figures a run collected.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "tracebench/services/scenario_summary.hpp"
#include "tracebench/tracer/null_exporter.hpp"
#include "tracebench/tracer/span_counters.hpp"

namespace tracebench::harness {

// zstd's own default level (ZSTD_CLEVEL_DEFAULT), and what OTel collectors' zstd compression
// gives by default (klauspost's SpeedDefault, equivalent to level 3): what a real OTLP
// exporter would send, not the best ratio zstd can reach.
inline constexpr int kDefaultZstdLevel = 3;
inline constexpr double kSecondsPerDay = 86'400;

struct compression_figures {
  std::size_t payloads = 0;
  std::uint64_t spans = 0;
  std::uint64_t raw_bytes = 0;
  std::uint64_t compressed_bytes = 0;
  double ratio = 0;                // compressed_bytes / raw_bytes; 0 when raw_bytes is 0
  double zstd_bytes_per_span = 0;  // compressed_bytes / spans; 0 when spans is 0
};

// Compresses each payload on its own, as an exporter compresses each export request.
// Throws std::runtime_error when zstd fails (out of memory, or a level it rejects).
[[nodiscard]] compression_figures compress_samples(std::span<const tracer::encoded_batch> samples,
                                                   int level = kDefaultZstdLevel);

struct daily_volume {
  double spans = 0;
  std::optional<double> otlp_json_bytes;  // absent when bytes per span are unknown
  std::optional<double> zstd_bytes;
};

struct volume_projection {
  double spans_per_second = 0;  // every span at the production rate (scenario_summary's projection)
  double sampled_fraction = 0;
  daily_volume raw;      // every span exported (1/1)
  daily_volume sampled;  // spans_per_day x sampled_fraction
};

// Per day from spans per second; bytes per span may be unknown (a run that exported nothing).
// A sampled volume of 0 spans weighs 0 bytes whether or not the bytes per span are known.
[[nodiscard]] volume_projection project_volume(double spans_per_second, double sampled_fraction,
                                               std::optional<double> otlp_json_bytes_per_span,
                                               std::optional<double> zstd_bytes_per_span);

// What one configuration's run measured. counts, bytes and seconds must cover the same span.
struct span_volume_input {
  tracer::span_counts counts;         // the processor's counts()
  std::uint64_t otlp_json_bytes = 0;  // null_exporter::bytes_encoded()
  double measured_seconds = 0;
  // The configuration's nominal fraction (tracing_config::probability; 0 for never and off):
  // exact, where the measured sampled / started of a short run is noisy.
  double sampled_fraction = 0;
  std::optional<compression_figures> compression;  // compress_samples() of the exporter's samples
};

struct span_volume {
  std::uint64_t started = 0;
  std::uint64_t sampled = 0;
  std::uint64_t exported = 0;
  std::uint64_t dropped = 0;
  double spans_per_second = 0;                     // exported / measured_seconds; 0 without measured time
  double measured_sampled_fraction = 0;            // sampled / started; 0 when nothing started
  std::optional<double> otlp_json_bytes_per_span;  // absent when nothing was exported
  std::optional<double> compression_ratio;         // absent without compressed samples
  // otlp_json_bytes_per_span x the samples' ratio: the run's bytes, compressed as the samples were.
  std::optional<double> zstd_bytes_per_span;
  std::optional<volume_projection> projection;  // absent when the scenario has no production profile
};

[[nodiscard]] span_volume make_span_volume(const span_volume_input& in, const services::scenario_summary& summary);

}  // namespace tracebench::harness
