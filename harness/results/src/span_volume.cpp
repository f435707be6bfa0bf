#include "tracebench/results/span_volume.hpp"

#include <zstd.h>

#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace tracebench::harness {
namespace {

struct cctx_deleter {
  void operator()(ZSTD_CCtx* c) const noexcept { ZSTD_freeCCtx(c); }
};

}  // namespace

compression_figures compress_samples(std::span<const tracer::encoded_batch> samples, int level) {
  compression_figures out;
  const std::unique_ptr<ZSTD_CCtx, cctx_deleter> context(ZSTD_createCCtx());
  if (!context) throw std::runtime_error("zstd: cannot create a compression context");
  std::vector<char> compressed;
  for (const tracer::encoded_batch& sample : samples) {
    compressed.resize(ZSTD_compressBound(sample.payload.size()));
    // One frame per payload from a reused context: the same output as a fresh ZSTD_compress.
    const std::size_t size = ZSTD_compressCCtx(context.get(), compressed.data(), compressed.size(),
                                               sample.payload.data(), sample.payload.size(), level);
    if (ZSTD_isError(size) != 0) throw std::runtime_error(std::string("zstd: ") + ZSTD_getErrorName(size));
    ++out.payloads;
    out.spans += sample.spans;
    out.raw_bytes += sample.payload.size();
    out.compressed_bytes += size;
  }
  if (out.raw_bytes > 0) out.ratio = static_cast<double>(out.compressed_bytes) / static_cast<double>(out.raw_bytes);
  if (out.spans > 0) {
    out.zstd_bytes_per_span = static_cast<double>(out.compressed_bytes) / static_cast<double>(out.spans);
  }
  return out;
}

volume_projection project_volume(double spans_per_second, double sampled_fraction,
                                 std::optional<double> otlp_json_bytes_per_span,
                                 std::optional<double> zstd_bytes_per_span) {
  const auto weigh = [&](double spans) {
    daily_volume v;
    v.spans = spans;
    if (otlp_json_bytes_per_span) v.otlp_json_bytes = spans * *otlp_json_bytes_per_span;
    if (zstd_bytes_per_span) v.zstd_bytes = spans * *zstd_bytes_per_span;
    if (spans == 0) {
      v.otlp_json_bytes = 0;
      v.zstd_bytes = 0;
    }
    return v;
  };
  volume_projection p;
  p.spans_per_second = spans_per_second;
  p.sampled_fraction = sampled_fraction;
  const double spans_per_day = spans_per_second * kSecondsPerDay;
  p.raw = weigh(spans_per_day);
  p.sampled = weigh(spans_per_day * sampled_fraction);
  return p;
}

span_volume make_span_volume(const span_volume_input& in, const services::scenario_summary& summary) {
  span_volume v;
  v.started = in.counts.started;
  v.sampled = in.counts.sampled;
  v.exported = in.counts.exported;
  v.dropped = in.counts.dropped;
  if (in.measured_seconds > 0) v.spans_per_second = static_cast<double>(v.exported) / in.measured_seconds;
  if (v.started > 0) v.measured_sampled_fraction = static_cast<double>(v.sampled) / static_cast<double>(v.started);
  if (v.exported > 0) {
    v.otlp_json_bytes_per_span = static_cast<double>(in.otlp_json_bytes) / static_cast<double>(v.exported);
  }
  if (in.compression && in.compression->raw_bytes > 0) {
    v.compression_ratio = in.compression->ratio;
    if (v.otlp_json_bytes_per_span) v.zstd_bytes_per_span = *v.otlp_json_bytes_per_span * in.compression->ratio;
  }
  if (summary.projected_spans_per_second) {
    v.projection = project_volume(*summary.projected_spans_per_second, in.sampled_fraction, v.otlp_json_bytes_per_span,
                                  v.zstd_bytes_per_span);
  }
  return v;
}

}  // namespace tracebench::harness
