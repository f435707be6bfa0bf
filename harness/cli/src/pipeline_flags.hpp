#pragma once
// tracebench run's pipeline flags: --pipeline head,tail,two-tier and the tail collector's
// --decision-wait, --slow, --baseline and --num-traces, over a scenario's "sampling" block.

#include <boost/program_options.hpp>

#include "tracebench/results/experiment_plan.hpp"
#include "tracebench/services/scenario.hpp"

namespace tracebench::harness {

// head keeps each --rates ratio, tail adds "tail" (head 1/1, then the collector), two-tier adds each
// ratio then the collector. Without --pipeline and --rates, the scenario's "sampling" block gives
// the configurations. With any pipeline the plan tracks ground truth (plan.pipeline), the
// collector set from the scenario, then these flags. Throws flag_error.
void apply_pipelines(experiment_plan& plan, const boost::program_options::variables_map& values,
                     const services::scenario& s);

// Whether any configuration has a tail collector.
[[nodiscard]] bool has_tail(const experiment_plan& plan);

}  // namespace tracebench::harness
