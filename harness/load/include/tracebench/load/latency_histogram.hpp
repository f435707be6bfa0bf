#pragma once
// A latency histogram with HdrHistogram's log-linear bucketing on top of Boost.Histogram: one per
// load-generator thread, merged after the run, exported in results files.
//
// Values are nanoseconds. The tracked range is 1 us to 100 s at 3 significant decimal digits:
// every bucket in range is at most 1/1024 (< 0.1%) of its values wide. Values below 1 us
// (negative ones included) are counted in the 1 us bucket; values above 100 s go to an overflow
// count that is reported, never dropped. count, min, max and sum are tracked exactly, whatever
// the bucketing, and include overflowed values.

#include <boost/histogram/axis/option.hpp>
#include <boost/histogram/fwd.hpp>
#include <boost/histogram/histogram.hpp>
#include <boost/histogram/storage_adaptor.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

namespace tracebench::harness {

namespace detail {

// HdrHistogram's index layout with unit magnitude 0 and 2048 sub-buckets: values below 2048 ns
// get their own bin; above, each power of two is split linearly into 1024 bins. Bins are offset
// so that bin 0 holds 1 us. Bin size() is the overflow bin.
class hdr_axis {
 public:
  static constexpr unsigned options() noexcept { return boost::histogram::axis::option::overflow_t::value; }

  [[nodiscard]] boost::histogram::axis::index_type index(std::int64_t nanos) const noexcept;
  [[nodiscard]] boost::histogram::axis::index_type size() const noexcept;
  // Lowest value of bin i (Boost's bin-edge convention); size() maps past the highest value.
  [[nodiscard]] double value(double i) const noexcept;

  bool operator==(const hdr_axis&) const noexcept = default;
};

}  // namespace detail

// One row of the percentile spectrum, as HdrHistogram's outputPercentileDistribution (and wrk2)
// prints it.
struct percentile_row {
  std::int64_t value = 0;         // nanoseconds, the highest value equivalent to the bucket
  double percentile = 0.0;        // 0..1
  std::uint64_t total_count = 0;  // values recorded at or below this bucket
  double inverse_tail = 0.0;      // 1/(1-percentile); +inf on the final row
};

class latency_histogram {
 public:
  static constexpr std::int64_t kLowestTrackable = 1'000;             // 1 us in ns
  static constexpr std::int64_t kHighestTrackable = 100'000'000'000;  // 100 s in ns
  static constexpr int kSignificantDigits = 3;

  latency_histogram();

  // O(1), no allocation.
  void record(std::int64_t nanos) noexcept;
  // Records `count` equal values; count <= 0 records nothing.
  void record(std::int64_t nanos, std::int64_t count) noexcept;
  void merge(const latency_histogram& other) noexcept;
  void reset() noexcept;

  [[nodiscard]] std::uint64_t count() const noexcept { return count_; }
  [[nodiscard]] std::uint64_t overflow_count() const noexcept;
  // Exact; 0 when empty.
  [[nodiscard]] std::int64_t min() const noexcept { return count_ == 0 ? 0 : min_; }
  [[nodiscard]] std::int64_t max() const noexcept { return count_ == 0 ? 0 : max_; }
  [[nodiscard]] std::int64_t sum() const noexcept { return sum_; }
  [[nodiscard]] double mean() const noexcept;

  // HdrHistogram semantics: the highest value equivalent to the first bucket whose cumulative
  // count reaches ceil(p% of count) (p clamped to [0, 100]). When that is the overflow, max().
  // 0 when empty.
  [[nodiscard]] std::int64_t value_at_percentile(double percent) const noexcept;

  // Values recorded whose bucket's highest equivalent value is <= nanos, for cumulative
  // histogram buckets at fixed bounds. Bucket granularity: values in the bucket that straddles
  // nanos are left out although some are <= nanos (an undercount of values within 0.1% below
  // nanos). Overflowed values never count.
  [[nodiscard]] std::uint64_t count_at_or_below(std::int64_t nanos) const noexcept;

  // Rows at 0%, then ticks_per_half_distance rows per halving of the distance to 100%, then a
  // final row at 100%. Empty when nothing was recorded.
  [[nodiscard]] std::vector<percentile_row> percentile_spectrum(int ticks_per_half_distance = 5) const;

  // The range of values sharing nanos's bucket (after clamping into the tracked range).
  [[nodiscard]] static std::int64_t lowest_equivalent_value(std::int64_t nanos) noexcept;
  [[nodiscard]] static std::int64_t highest_equivalent_value(std::int64_t nanos) noexcept;

  // {"unit":"ns","count","min","max","sum","overflow","buckets":[[lowest value, count], ...]},
  // non-zero buckets only. from_json throws std::invalid_argument on anything else.
  [[nodiscard]] std::string to_json() const;
  [[nodiscard]] static latency_histogram from_json(std::string_view json);

  // Same buckets and same exact statistics.
  friend bool operator==(const latency_histogram& a, const latency_histogram& b) noexcept;

 private:
  using histogram_type =
      boost::histogram::histogram<std::tuple<detail::hdr_axis>, boost::histogram::dense_storage<std::uint64_t>>;

  histogram_type histogram_;
  std::uint64_t count_ = 0;
  std::int64_t min_ = 0;
  std::int64_t max_ = 0;
  std::int64_t sum_ = 0;  // exact until 292 years of total latency
};

}  // namespace tracebench::harness
