#pragma once
// What a valid scenario implies per request, computed from means without running it.
//
// Counting, per invocation of a service:
//   spans  = 1 (its own server/consumer span) + its internal spans
//          + for every call: probability x repeat x (1 client or producer span + the callee's spans),
//            where a batch call adds the consumer's spans divided by batch_size (one consumer
//            invocation serves batch_size messages, each from a different request).
//   traces = for every call: probability x repeat x (1 if the caller drops context, else 0,
//            or 1/batch_size for a batch call, whose consumer always starts its own trace)
//            + the callee's traces; a request has 1 + that of its entry.
// Errors never change the shape of a request, so these hold for any error_probability.
// cpu and wait are totals of work summed over every invocation, not latency: parallel calls
// overlap in time. The latency estimate is a mean-value critical path of the response: an
// invocation's cpu + wait + internal spans, plus per step the slowest rpc (probability x repeat x
// callee latency); queue and batch consumers run after the reply and are not on it. Parallel
// maxima of variable calls exceed the maximum of their means, so fan-outs of variable leaves
// come out optimistic.

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "tracebench/services/scenario.hpp"

namespace tracebench::services {

struct service_figures {
  std::string name;
  double invocations = 0;       // per request; batch consumers amortised over batch_size
  double spans = 0;             // per request: own, internal, and outgoing client/producer spans
  double cpu_us = 0;            // per request, internal spans included
  double wait_us = 0;           // per request, internal spans included
  double critical_path_us = 0;  // its own time on the response's critical path
};

struct scenario_summary {
  std::size_t services = 0;
  std::size_t depth = 0;  // services on the longest call chain from the entry (entry alone: 1)
  double spans_per_request = 0;
  double traces_per_request = 0;
  double cpu_us_per_request = 0;
  double wait_us_per_request = 0;
  double critical_path_us = 0;
  std::vector<service_figures> per_service;  // in the scenario's order
  // production rps x spans per request x production services / scenario services: the
  // scenario's spans per service, scaled to the production system's size.
  std::optional<double> projected_spans_per_second;

  // The service that adds most to the expected response latency.
  [[nodiscard]] const service_figures& largest_latency_contributor() const noexcept;
};

// Precondition: `s` came from the loader (resolved targets, acyclic).
[[nodiscard]] scenario_summary summarize(const scenario& s);

}  // namespace tracebench::services
