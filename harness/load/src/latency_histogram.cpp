#include "tracebench/load/latency_histogram.hpp"

#include <boost/histogram/make_histogram.hpp>
#include <boost/histogram/weight.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace tracebench::harness {

namespace {

// HdrHistogram's layout for 3 significant digits: 2 * 10^3 rounded up to a power of two.
constexpr int kSubBucketHalfCountMagnitude = 10;
constexpr int kSubBucketHalfCount = 1 << kSubBucketHalfCountMagnitude;
constexpr std::uint64_t kSubBucketMask = (std::uint64_t{1} << (kSubBucketHalfCountMagnitude + 1)) - 1;

// Index in the unoffset HDR layout; v >= 0.
constexpr int hdr_index(std::int64_t v) noexcept {
  const auto u = static_cast<std::uint64_t>(v);
  const int bucket = static_cast<int>(std::bit_width(u | kSubBucketMask)) - (kSubBucketHalfCountMagnitude + 1);
  const auto sub_bucket = static_cast<int>(u >> bucket);
  return (bucket << kSubBucketHalfCountMagnitude) + sub_bucket;
}

constexpr int hdr_bucket(int index) noexcept { return std::max((index >> kSubBucketHalfCountMagnitude) - 1, 0); }

constexpr std::int64_t hdr_lowest_value(int index) noexcept {
  const int bucket = hdr_bucket(index);
  const int sub_bucket =
      index < 2 * kSubBucketHalfCount ? index : (index & (kSubBucketHalfCount - 1)) + kSubBucketHalfCount;
  return std::int64_t{sub_bucket} << bucket;
}

constexpr std::int64_t hdr_highest_value(int index) noexcept {
  return hdr_lowest_value(index) + (std::int64_t{1} << hdr_bucket(index)) - 1;
}

constexpr int kFirstIndex = hdr_index(latency_histogram::kLowestTrackable);
constexpr int kLastIndex = hdr_index(latency_histogram::kHighestTrackable);
constexpr int kBinCount = kLastIndex - kFirstIndex + 1;

static_assert(hdr_lowest_value(hdr_index(latency_histogram::kLowestTrackable)) == latency_histogram::kLowestTrackable);
static_assert(hdr_index(2047) == 2047 && hdr_index(2048) == 2048 && hdr_lowest_value(2048) == 2048);
static_assert(hdr_highest_value(hdr_index(4096)) == 4099);

constexpr std::int64_t clamp_to_range(std::int64_t nanos) noexcept {
  return std::clamp(nanos, latency_histogram::kLowestTrackable, latency_histogram::kHighestTrackable);
}

}  // namespace

namespace detail {

boost::histogram::axis::index_type hdr_axis::index(std::int64_t nanos) const noexcept {
  if (nanos > latency_histogram::kHighestTrackable) return kBinCount;
  return hdr_index(std::max(nanos, latency_histogram::kLowestTrackable)) - kFirstIndex;
}

boost::histogram::axis::index_type hdr_axis::size() const noexcept { return kBinCount; }

double hdr_axis::value(double i) const noexcept {
  if (i >= kBinCount) return static_cast<double>(hdr_highest_value(kLastIndex) + 1);
  return static_cast<double>(hdr_lowest_value(static_cast<int>(i) + kFirstIndex));
}

}  // namespace detail

latency_histogram::latency_histogram()
    : histogram_(
          boost::histogram::make_histogram_with(boost::histogram::dense_storage<std::uint64_t>(), detail::hdr_axis{})),
      min_(std::numeric_limits<std::int64_t>::max()),
      max_(std::numeric_limits<std::int64_t>::min()) {}

void latency_histogram::record(std::int64_t nanos) noexcept {
  histogram_(nanos);
  ++count_;
  min_ = std::min(min_, nanos);
  max_ = std::max(max_, nanos);
  sum_ += nanos;
}

void latency_histogram::record(std::int64_t nanos, std::int64_t count) noexcept {
  if (count <= 0) return;
  histogram_(nanos, boost::histogram::weight(static_cast<std::uint64_t>(count)));
  count_ += static_cast<std::uint64_t>(count);
  min_ = std::min(min_, nanos);
  max_ = std::max(max_, nanos);
  sum_ += nanos * count;
}

void latency_histogram::merge(const latency_histogram& other) noexcept {
  histogram_ += other.histogram_;  // same stateless axis, so this cannot throw
  count_ += other.count_;
  min_ = std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
  sum_ += other.sum_;
}

void latency_histogram::reset() noexcept {
  histogram_.reset();
  count_ = 0;
  min_ = std::numeric_limits<std::int64_t>::max();
  max_ = std::numeric_limits<std::int64_t>::min();
  sum_ = 0;
}

std::uint64_t latency_histogram::overflow_count() const noexcept { return histogram_.at(kBinCount); }

double latency_histogram::mean() const noexcept {
  return count_ == 0 ? 0.0 : static_cast<double>(sum_) / static_cast<double>(count_);
}

std::int64_t latency_histogram::lowest_equivalent_value(std::int64_t nanos) noexcept {
  return hdr_lowest_value(hdr_index(clamp_to_range(nanos)));
}

std::int64_t latency_histogram::highest_equivalent_value(std::int64_t nanos) noexcept {
  return hdr_highest_value(hdr_index(clamp_to_range(nanos)));
}

std::int64_t latency_histogram::value_at_percentile(double percent) const noexcept {
  if (count_ == 0) return 0;
  // Like HdrHistogram: one ulp down so that e.g. 99.9% of 1000 does not round up to 1000.
  const double requested = std::clamp(std::nextafter(percent, -std::numeric_limits<double>::infinity()), 0.0, 100.0);
  const auto wanted = std::clamp(static_cast<std::uint64_t>(std::ceil(requested / 100.0 * static_cast<double>(count_))),
                                 std::uint64_t{1}, count_);
  std::uint64_t cumulative = 0;
  for (int i = 0; i < kBinCount; ++i) {
    cumulative += histogram_.at(i);
    if (cumulative >= wanted) {
      return percent <= 0.0 ? hdr_lowest_value(i + kFirstIndex) : hdr_highest_value(i + kFirstIndex);
    }
  }
  return max_;  // the overflow holds it
}

std::uint64_t latency_histogram::count_at_or_below(std::int64_t nanos) const noexcept {
  // Bins below the one holding nanos end below it; that bin counts only if it ends at nanos.
  if (nanos < hdr_highest_value(kFirstIndex)) return 0;
  const int holding = hdr_index(std::min(nanos, kHighestTrackable)) - kFirstIndex;
  const int end = hdr_highest_value(holding + kFirstIndex) <= nanos ? holding + 1 : holding;
  std::uint64_t total = 0;
  for (int i = 0; i < end; ++i) total += histogram_.at(i);
  return total;
}

std::vector<percentile_row> latency_histogram::percentile_spectrum(int ticks_per_half_distance) const {
  std::vector<percentile_row> rows;
  if (count_ == 0) return rows;
  const auto ticks = static_cast<double>(std::max(ticks_per_half_distance, 1));
  const auto total = static_cast<double>(count_);
  auto add_row = [&](std::int64_t value, double level, std::uint64_t cumulative) {
    const double p = level / 100.0;
    rows.push_back({value, p, cumulative, p >= 1.0 ? std::numeric_limits<double>::infinity() : 1.0 / (1.0 - p)});
  };

  // HdrHistogram's PercentileIterator: a bucket yields a row for every level it reaches, the
  // last bucket only one, followed by the 100% row.
  double level = 0.0;
  std::uint64_t cumulative = 0;
  for (int i = 0; i <= kBinCount; ++i) {
    const std::uint64_t in_bin = histogram_.at(i);
    if (in_bin == 0) continue;
    cumulative += in_bin;
    const std::int64_t value = i == kBinCount ? max_ : hdr_highest_value(i + kFirstIndex);
    while (100.0 * static_cast<double>(cumulative) / total >= level) {
      add_row(value, level, cumulative);
      const double halvings = std::floor(std::log2(100.0 / (100.0 - level)));
      level += 100.0 / (ticks * std::exp2(halvings + 1.0));
      if (cumulative == count_ || level >= 100.0) break;
    }
    if (cumulative == count_) {
      add_row(value, 100.0, cumulative);
      break;
    }
  }
  return rows;
}

std::string latency_histogram::to_json() const {
  nlohmann::json buckets = nlohmann::json::array();
  for (int i = 0; i < kBinCount; ++i) {
    if (const std::uint64_t n = histogram_.at(i); n != 0) {
      buckets.push_back(nlohmann::json::array({hdr_lowest_value(i + kFirstIndex), n}));
    }
  }
  const nlohmann::json j = {{"unit", "ns"},
                            {"count", count_},
                            {"min", min()},
                            {"max", max()},
                            {"sum", sum_},
                            {"overflow", overflow_count()},
                            {"buckets", std::move(buckets)}};
  return j.dump();
}

latency_histogram latency_histogram::from_json(std::string_view json) {
  latency_histogram h;
  try {
    const auto j = nlohmann::json::parse(json);
    if (j.at("unit").get<std::string>() != "ns") throw std::invalid_argument("latency histogram: unit is not ns");
    std::uint64_t in_buckets = 0;
    for (const auto& bucket : j.at("buckets")) {
      const auto value = bucket.at(0).get<std::int64_t>();
      const auto n = bucket.at(1).get<std::uint64_t>();
      if (value < kLowestTrackable || value > kHighestTrackable) {
        throw std::invalid_argument("latency histogram: bucket value out of range");
      }
      h.histogram_(value, boost::histogram::weight(n));
      in_buckets += n;
    }
    const auto overflow = j.at("overflow").get<std::uint64_t>();
    if (overflow != 0) h.histogram_(kHighestTrackable + 1, boost::histogram::weight(overflow));
    h.count_ = j.at("count").get<std::uint64_t>();
    if (h.count_ != in_buckets + overflow) throw std::invalid_argument("latency histogram: counts do not add up");
    if (h.count_ != 0) {
      h.min_ = j.at("min").get<std::int64_t>();
      h.max_ = j.at("max").get<std::int64_t>();
    }
    h.sum_ = j.at("sum").get<std::int64_t>();
  } catch (const nlohmann::json::exception& e) {
    throw std::invalid_argument(std::string("latency histogram: ") + e.what());
  }
  return h;
}

bool operator==(const latency_histogram& a, const latency_histogram& b) noexcept {
  return a.count_ == b.count_ && a.min() == b.min() && a.max() == b.max() && a.sum_ == b.sum_ &&
         a.histogram_ == b.histogram_;
}

}  // namespace tracebench::harness
