#include "tracebench/services/scenario_summary.hpp"

#include <algorithm>

namespace tracebench::services {

namespace {

double self_cpu(const service& svc) {
  double us = svc.cpu_us.mean();
  for (const internal_span& span : svc.internal_spans) us += span.cpu_us.mean();
  return us;
}

double self_wait(const service& svc) {
  double us = svc.wait_us.mean();
  for (const internal_span& span : svc.internal_spans) us += span.wait_us.mean();
  return us;
}

// How many times a call's callee runs per run of its caller.
double fan(const call& c) {
  const double n = c.probability * c.repeat;
  return c.via == call_via::batch ? n / c.batch_size : n;
}

// Callers before callees: reverse post-order of a depth-first walk from the entry.
std::vector<std::size_t> callers_first(const scenario& s) {
  std::vector<bool> seen(s.services.size(), false);
  std::vector<std::size_t> post;
  const auto visit = [&](auto&& self, std::size_t u) -> void {
    seen[u] = true;
    for (const step& st : s.services[u].steps) {
      for (const call& c : st.calls) {
        if (!seen[c.target]) self(self, c.target);
      }
    }
    post.push_back(u);
  };
  visit(visit, s.entry_index);
  std::reverse(post.begin(), post.end());
  return post;
}

}  // namespace

const service_figures& scenario_summary::largest_latency_contributor() const noexcept {
  return *std::max_element(
      per_service.begin(), per_service.end(),
      [](const service_figures& a, const service_figures& b) { return a.critical_path_us < b.critical_path_us; });
}

scenario_summary summarize(const scenario& s) {
  const std::size_t n = s.services.size();
  scenario_summary out;
  out.services = n;
  out.per_service.resize(n);
  for (std::size_t i = 0; i < n; ++i) out.per_service[i].name = s.services[i].name;

  const std::vector<std::size_t> order = callers_first(s);
  double extra_traces = 0;
  out.per_service[s.entry_index].invocations = 1;
  for (std::size_t u : order) {
    const service& svc = s.services[u];
    service_figures& f = out.per_service[u];
    f.spans += f.invocations * static_cast<double>(1 + svc.internal_spans.size());
    f.cpu_us = f.invocations * self_cpu(svc);
    f.wait_us = f.invocations * self_wait(svc);
    for (const step& st : svc.steps) {
      for (const call& c : st.calls) {
        const double calls = f.invocations * c.probability * c.repeat;
        f.spans += calls;  // the client or producer span
        out.per_service[c.target].invocations += f.invocations * fan(c);
        if (c.via == call_via::batch) {
          extra_traces += calls / c.batch_size;
        } else if (!svc.propagates_context) {
          extra_traces += calls;
        }
      }
    }
  }
  out.traces_per_request = 1 + extra_traces;

  // Callees before callers for depth and latency.
  std::vector<std::size_t> depth(n, 1);
  std::vector<double> latency(n, 0);
  for (auto it = order.rbegin(); it != order.rend(); ++it) {
    const service& svc = s.services[*it];
    latency[*it] = self_cpu(svc) + self_wait(svc);
    for (const step& st : svc.steps) {
      double slowest = 0;
      for (const call& c : st.calls) {
        depth[*it] = std::max(depth[*it], 1 + depth[c.target]);
        if (c.via == call_via::rpc) slowest = std::max(slowest, c.probability * c.repeat * latency[c.target]);
      }
      latency[*it] += slowest;
    }
  }
  out.depth = depth[s.entry_index];
  out.critical_path_us = latency[s.entry_index];

  // Charge each invocation on the critical path its own time, weighted by how often it runs there.
  const auto charge = [&](auto&& self, std::size_t u, double weight) -> void {
    const service& svc = s.services[u];
    out.per_service[u].critical_path_us += weight * (self_cpu(svc) + self_wait(svc));
    for (const step& st : svc.steps) {
      const call* slowest = nullptr;
      double slowest_us = 0;
      for (const call& c : st.calls) {
        const double us = c.probability * c.repeat * latency[c.target];
        if (c.via == call_via::rpc && (slowest == nullptr || us > slowest_us)) {
          slowest = &c;
          slowest_us = us;
        }
      }
      if (slowest != nullptr) self(self, slowest->target, weight * slowest->probability * slowest->repeat);
    }
  };
  charge(charge, s.entry_index, 1);

  for (const service_figures& f : out.per_service) {
    out.spans_per_request += f.spans;
    out.cpu_us_per_request += f.cpu_us;
    out.wait_us_per_request += f.wait_us;
  }
  if (s.production) {
    out.projected_spans_per_second =
        s.production->requests_per_second * out.spans_per_request * s.production->services / static_cast<double>(n);
  }
  return out;
}

}  // namespace tracebench::services
