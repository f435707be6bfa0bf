#include "tracebench/services/scenario.hpp"

#include <cmath>
#include <cstdio>
#include <numbers>
#include <numeric>
#include <utility>

namespace tracebench::services {

namespace {

// 53 random bits scaled into [0, 1): exact doubles, the same on every platform.
template <typename Bits>
double uniform01(Bits& rng) noexcept {
  return static_cast<double>(rng() >> 11) * 0x1.0p-53;
}

double sigma_of(double median, double p99) noexcept { return std::log(p99 / median) / distribution::kZ99; }

std::string number(double v) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%g", v);
  return buffer;
}

}  // namespace

distribution distribution::constant(double value) noexcept {
  distribution d;
  d.a_ = value;
  return d;
}

distribution distribution::uniform(double low, double high) noexcept {
  distribution d;
  d.shape_ = shape::uniform;
  d.a_ = low;
  d.b_ = high;
  return d;
}

distribution distribution::exponential(double mean) noexcept {
  distribution d;
  d.shape_ = shape::exponential;
  d.a_ = mean;
  return d;
}

distribution distribution::lognormal(double median, double p99) noexcept {
  distribution d;
  d.shape_ = shape::lognormal;
  d.a_ = median;
  d.b_ = p99;
  return d;
}

distribution distribution::empirical(std::vector<double> values) {
  distribution d;
  d.shape_ = shape::empirical;
  d.values_ = std::move(values);
  return d;
}

double distribution::mean() const noexcept {
  switch (shape_) {
    case shape::constant:
    case shape::exponential:
      return a_;
    case shape::uniform:
      return (a_ + b_) / 2;
    case shape::lognormal: {
      const double sigma = sigma_of(a_, b_);
      return a_ * std::exp(sigma * sigma / 2);
    }
    case shape::empirical:
      return values_.empty()
                 ? 0
                 : std::accumulate(values_.begin(), values_.end(), 0.0) / static_cast<double>(values_.size());
  }
  return 0;
}

double distribution::sample(std::mt19937_64& rng) const noexcept { return sample_with(rng); }

double distribution::sample(split_mix& rng) const noexcept { return sample_with(rng); }

template <typename Bits>
double distribution::sample_with(Bits& rng) const noexcept {
  switch (shape_) {
    case shape::constant:
      return a_;
    case shape::uniform:
      return a_ + (b_ - a_) * uniform01(rng);
    case shape::exponential:
      return -a_ * std::log1p(-uniform01(rng));
    case shape::lognormal: {
      // Box-Muller; 1 - u keeps the logarithm's argument in (0, 1].
      const double radius = std::sqrt(-2 * std::log(1 - uniform01(rng)));
      const double z = radius * std::cos(2 * std::numbers::pi * uniform01(rng));
      return a_ * std::exp(sigma_of(a_, b_) * z);
    }
    case shape::empirical: {
      if (values_.empty()) return 0;
      const auto i = static_cast<std::size_t>(uniform01(rng) * static_cast<double>(values_.size()));
      return values_[i < values_.size() ? i : values_.size() - 1];
    }
  }
  return 0;
}

std::string distribution::describe() const {
  switch (shape_) {
    case shape::constant:
      return "constant " + number(a_);
    case shape::uniform:
      return "uniform " + number(a_) + ".." + number(b_);
    case shape::exponential:
      return "exponential mean " + number(a_);
    case shape::lognormal:
      return "lognormal median " + number(a_) + " p99 " + number(b_);
    case shape::empirical:
      return "empirical of " + std::to_string(values_.size()) + " (mean " + number(mean()) + ")";
  }
  return {};
}

tracer::attribute_value to_tracer_value(const attribute_value& value) noexcept {
  return std::visit([](const auto& v) { return tracer::attribute_value(v); }, value);
}

const service* scenario::find(std::string_view service_name) const noexcept {
  for (const service& s : services) {
    if (s.name == service_name) return &s;
  }
  return nullptr;
}

const service* scenario::first_external() const noexcept {
  for (const service& s : services) {
    if (s.external) return &s;
  }
  return nullptr;
}

std::string_view to_string(call_via via) noexcept {
  switch (via) {
    case call_via::rpc:
      return "rpc";
    case call_via::queue:
      return "queue";
    case call_via::batch:
      return "batch";
  }
  return "?";
}

std::string_view to_string(work_model work) noexcept {
  switch (work) {
    case work_model::compute:
      return "compute";
    case work_model::spin:
      return "spin";
  }
  return "?";
}

std::string_view to_string(error_policy policy) noexcept {
  switch (policy) {
    case error_policy::propagate:
      return "propagate";
    case error_policy::ignore:
      return "ignore";
  }
  return "?";
}

}  // namespace tracebench::services
