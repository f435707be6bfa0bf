#pragma once
// A graph already running as `tracebench serve` processes, as what each run of an experiment
// measures (`tracebench run --target URL`): before a run every service is reconfigured through
// the entry service's control path (serve_control.hpp), the load goes to the entry over HTTP,
// and the spans and CPU come from what the services report. The services must have been
// started with a tracing configuration's propagators as wanted; their exporters are theirs.

#include <string>
#include <vector>

#include "tracebench/experiment/run_graph.hpp"
#include "tracebench/net/http_url.hpp"
#include "tracebench/results/experiment_plan.hpp"
#include "tracebench/results/run_record.hpp"
#include "tracebench/services/scenario.hpp"

namespace tracebench::harness {

// `entry`: the entry service's URL, http://HOST:PORT (its path, when not "/", is where the load
// goes; /call/<entry> otherwise). Runs keep plan.concurrency connections open.
[[nodiscard]] graph_launcher remote_launcher(const services::scenario& s, const experiment_plan& plan,
                                             const net::http_url& entry);

// Asks the graph for its counters: "" when it answers and runs every service of `s` tracebench
// runs (every one not external), else one line saying what is wrong.
[[nodiscard]] std::string check_remote_graph(const services::scenario& s, const net::http_url& entry);

// Every serve process's work model and calibration, as the graph at `entry` reports them, by
// service name; a process too old to report its work is left out. Throws std::runtime_error (one
// line naming the graph, and the service when its report is malformed).
[[nodiscard]] std::vector<serve_process_work> read_remote_work(const net::http_url& entry);

}  // namespace tracebench::harness
