#include "tracebench/services/work_scale.hpp"

#include <utility>
#include <vector>

namespace tracebench::services {
namespace {

distribution scaled(const distribution& d, double factor) {
  switch (d.kind()) {
    case distribution::shape::constant:
      return distribution::constant(d.first() * factor);
    case distribution::shape::uniform:
      return distribution::uniform(d.first() * factor, d.second() * factor);
    case distribution::shape::exponential:
      return distribution::exponential(d.first() * factor);
    case distribution::shape::lognormal:
      // Both ends scale, so sigma (their log ratio) and the shape stay.
      return distribution::lognormal(d.first() * factor, d.second() * factor);
    case distribution::shape::empirical: {
      std::vector<double> values = d.values();
      for (double& v : values) v *= factor;
      return distribution::empirical(std::move(values));
    }
  }
  return d;
}

}  // namespace

scenario scale_work(scenario s, double factor) {
  for (service& svc : s.services) {
    svc.cpu_us = scaled(svc.cpu_us, factor);
    svc.wait_us = scaled(svc.wait_us, factor);
    for (internal_span& span : svc.internal_spans) {
      span.cpu_us = scaled(span.cpu_us, factor);
      span.wait_us = scaled(span.wait_us, factor);
    }
  }
  return s;
}

}  // namespace tracebench::services
