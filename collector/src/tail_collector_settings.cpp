#include "tracebench/collector/tail_collector_settings.hpp"

#include <utility>
#include <vector>

namespace tracebench::collector {

tail_policy tail_collector_settings::policy() const {
  std::vector<tail_policy> any;
  if (keep_errors) any.push_back(tail_policy::status_error());
  if (slow.count() > 0) any.push_back(tail_policy::latency(slow));
  if (baseline > 0) any.push_back(tail_policy::probabilistic(baseline));
  return tail_policy::any_of(std::move(any));
}

}  // namespace tracebench::collector
