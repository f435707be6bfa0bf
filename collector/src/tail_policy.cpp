#include "tracebench/collector/tail_policy.hpp"

#include <algorithm>
#include <limits>
#include <stdexcept>

#include "tracebench/tracer/sampler.hpp"

namespace tracebench::collector {

tail_policy tail_policy::always() { return {}; }

tail_policy tail_policy::status_error() {
  tail_policy p;
  p.kind_ = kind::status_error;
  return p;
}

tail_policy tail_policy::latency(std::chrono::nanoseconds threshold) {
  tail_policy p;
  p.kind_ = kind::latency;
  p.threshold_ns_ = threshold.count();
  return p;
}

tail_policy tail_policy::probabilistic(double probability) {
  if (!(probability > 0.0 && probability <= 1.0)) {
    throw std::invalid_argument("tail_policy::probabilistic: probability must be in (0, 1]");
  }
  tail_policy p;
  p.kind_ = kind::probabilistic;
  p.probability_ = probability;
  p.randomness_bound_ = tracer::threshold_for_probability(probability);
  return p;
}

tail_policy tail_policy::span_count(std::size_t minimum) {
  tail_policy p;
  p.kind_ = kind::span_count;
  p.minimum_spans_ = minimum;
  return p;
}

tail_policy tail_policy::attribute(std::string key, std::vector<std::string> values) {
  tail_policy p;
  p.kind_ = kind::attribute;
  p.key_ = std::move(key);
  p.values_ = std::move(values);
  return p;
}

tail_policy tail_policy::all_of(std::vector<tail_policy> policies) {
  tail_policy p;
  p.kind_ = kind::all_of;
  p.children_ = std::make_shared<const std::vector<tail_policy>>(std::move(policies));
  return p;
}

tail_policy tail_policy::any_of(std::vector<tail_policy> policies) {
  tail_policy p;
  p.kind_ = kind::any_of;
  p.children_ = std::make_shared<const std::vector<tail_policy>>(std::move(policies));
  return p;
}

bool tail_policy::keeps(std::span<const tracer::span_data* const> spans) const noexcept {
  switch (kind_) {
    case kind::always:
      return true;
    case kind::status_error:
      return std::any_of(spans.begin(), spans.end(),
                         [](const tracer::span_data* s) { return s->status == tracer::status_code::error; });
    case kind::latency: {
      std::int64_t first = std::numeric_limits<std::int64_t>::max();
      std::int64_t last = std::numeric_limits<std::int64_t>::min();
      for (const tracer::span_data* s : spans) {
        first = std::min(first, s->start_unix_nanos);
        last = std::max(last, s->end_unix_nanos);
      }
      return !spans.empty() && last - first >= threshold_ns_;
    }
    case kind::probabilistic:
      // Every span of a trace carries its randomness; the first one's is the trace's.
      return !spans.empty() && tracer::randomness_of(spans.front()->context) >= randomness_bound_;
    case kind::span_count:
      return spans.size() >= minimum_spans_;
    case kind::attribute:
      return std::any_of(spans.begin(), spans.end(), [this](const tracer::span_data* s) {
        const tracer::attribute* a = s->attributes.find(key_);
        return a != nullptr && a->type == tracer::attribute_type::string &&
               std::find(values_.begin(), values_.end(), a->str) != values_.end();
      });
    case kind::all_of:
      return std::all_of(children_->begin(), children_->end(), [&](const tail_policy& p) { return p.keeps(spans); });
    case kind::any_of:
      return std::any_of(children_->begin(), children_->end(), [&](const tail_policy& p) { return p.keeps(spans); });
  }
  return false;
}

double tail_policy::inclusion_probability(std::span<const tracer::span_data* const> spans) const noexcept {
  switch (kind_) {
    case kind::probabilistic:
      return probability_;
    case kind::all_of:
    case kind::any_of: {
      double p = kind_ == kind::all_of ? 1.0 : 0.0;
      for (const tail_policy& child : *children_) {
        const double c = child.inclusion_probability(spans);
        p = kind_ == kind::all_of ? std::min(p, c) : std::max(p, c);
      }
      return p;
    }
    default:
      return keeps(spans) ? 1.0 : 0.0;
  }
}

std::string tail_policy::description() const {
  switch (kind_) {
    case kind::always:
      return "always";
    case kind::status_error:
      return "status_error";
    case kind::latency:
      return "latency >= " + std::to_string(threshold_ns_ / 1'000'000) + " ms";
    case kind::probabilistic:
      return "probabilistic " + std::to_string(probability_);
    case kind::span_count:
      return "span_count >= " + std::to_string(minimum_spans_);
    case kind::attribute:
      return "attribute " + key_;
    case kind::all_of:
    case kind::any_of: {
      std::string out = kind_ == kind::all_of ? "all_of(" : "any_of(";
      for (std::size_t i = 0; i < children_->size(); ++i) out += (i == 0 ? "" : ", ") + (*children_)[i].description();
      return out + ")";
    }
  }
  return "?";
}

}  // namespace tracebench::collector
