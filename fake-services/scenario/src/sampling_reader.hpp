#pragma once
// Reads a scenario's "sampling" block into `out`, reporting every problem through `check` with
// its JSON path (sampling.configurations[1], sampling.tail.baseline, ...).

#include "json_checker.hpp"
#include "tracebench/services/scenario.hpp"

namespace tracebench::services::detail {

void read_sampling(json_checker& check, const json& v, sampling_profile& out);

}  // namespace tracebench::services::detail
