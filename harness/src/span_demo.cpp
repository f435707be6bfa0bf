// Traces one simulated checkout request across a few services and prints its spans as a
// tree with their W3C context, so a fresh checkout shows the tracer working end to end.

#include <chrono>
#include <cstdio>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "tracebench/tracer/composite_propagator.hpp"
#include "tracebench/tracer/instrumentation.hpp"
#include "tracebench/tracer/simple_processor.hpp"
#include "tracebench/tracer/w3c_trace_context.hpp"

namespace tt = tracebench::tracer;

namespace {

struct printed_span {
  std::string service, name, trace, id, parent, kind, status;
  std::int64_t start = 0, end = 0;
};

// Keeps copies of what it is given so the tree can be printed after the request.
class collecting_exporter final : public tt::span_exporter {
 public:
  tt::export_result export_spans(std::span<const tt::span_data* const> batch) noexcept override {
    std::lock_guard lock(mutex_);
    for (const tt::span_data* s : batch) {
      spans_.push_back({std::string(s->owner->service_name()), s->name, s->context.trace.hex(), s->context.span.hex(),
                        s->parent.valid() ? s->parent.hex() : "", std::string(tt::to_string(s->kind)),
                        std::string(tt::to_string(s->status)), s->start_unix_nanos, s->end_unix_nanos});
    }
    return tt::export_result::success;
  }
  std::vector<printed_span> spans() {
    std::lock_guard lock(mutex_);
    return spans_;
  }

 private:
  std::mutex mutex_;
  std::vector<printed_span> spans_;
};

struct service {
  std::shared_ptr<tt::tracer_instrumentation> tracing;
  std::chrono::microseconds work;
};

// A server span for the hop, the work, then one client span and a real header round trip per callee.
void handle(std::map<std::string, service>& services, const std::string& name, const tt::header_carrier& incoming,
            const std::map<std::string, std::vector<std::string>>& calls) {
  service& self = services.at(name);
  const tt::propagation_context parent = self.tracing->extract(incoming);
  tt::span_token server = self.tracing->start_span(name + " handle", tt::span_kind::server, parent.span);
  self.tracing->set_attribute(server, "service.work_us", static_cast<std::int64_t>(self.work.count()));
  std::this_thread::sleep_for(self.work);
  if (auto it = calls.find(name); it != calls.end()) {
    for (const std::string& callee : it->second) {
      tt::span_token client =
          self.tracing->start_span("call " + callee, tt::span_kind::client, self.tracing->context_of(server));
      tt::header_list headers;
      self.tracing->inject(client, parent.baggage, headers);
      handle(services, callee, headers, calls);
      self.tracing->end(client);
    }
  }
  if (name == "payments") self.tracing->set_status(server, tt::status_code::error, "card declined (simulated)");
  self.tracing->end(server);
}

void print_tree(const std::vector<printed_span>& spans, const std::string& parent, int depth, std::int64_t origin) {
  for (const printed_span& s : spans) {
    if (s.parent != parent) continue;
    std::printf("%*s%-*s %-9s %-8s %8.2f ms +%7.2f ms  span %s%s\n", depth * 2, "", 38 - depth * 2,
                (s.service + ": " + s.name).c_str(), s.kind.c_str(), s.status.c_str(),
                static_cast<double>(s.end - s.start) / 1e6, static_cast<double>(s.start - origin) / 1e6, s.id.c_str(),
                s.status == "error" ? "  <- error" : "");
    print_tree(spans, s.id, depth + 1, origin);
  }
}

}  // namespace

int main() {
  auto exporter = std::make_shared<collecting_exporter>();
  auto processor = std::make_shared<tt::simple_processor>(exporter);
  std::shared_ptr<const tt::propagator> w3c = tt::make_propagator("tracecontext,baggage");
  const std::map<std::string, std::chrono::microseconds> work = {
      {"gateway", std::chrono::microseconds(300)}, {"checkout", std::chrono::microseconds(800)},
      {"pricing", std::chrono::microseconds(400)}, {"inventory", std::chrono::microseconds(600)},
      {"payments", std::chrono::microseconds(500)}, {"bank-api", std::chrono::microseconds(4000)}};
  std::map<std::string, service> services;
  for (const auto& [name, us] : work) {
    auto t = std::make_shared<tt::tracer>(std::make_shared<tt::resource>(name),
                                          tt::sampler::parent_based(tt::sampler::always_on()), processor);
    services[name] = {std::make_shared<tt::tracer_instrumentation>(t, w3c), us};
  }
  const std::map<std::string, std::vector<std::string>> calls = {
      {"gateway", {"checkout"}}, {"checkout", {"pricing", "inventory", "payments"}}, {"payments", {"bank-api"}}};

  // The client's request arrives with a W3C traceparent, as a browser or upstream proxy would send it.
  tt::header_list request{{"traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"},
                          {"baggage", "tenant=acme,plan=gold"}};
  handle(services, "gateway", request, calls);
  processor->force_flush(std::chrono::seconds(5));

  const std::vector<printed_span> spans = exporter->spans();
  std::int64_t origin = spans.empty() ? 0 : spans.front().start;
  for (const printed_span& s : spans) origin = std::min(origin, s.start);
  std::printf("trace %s, %zu spans, parent from the incoming traceparent 00f067aa0ba902b7\n\n",
              spans.empty() ? "-" : spans.front().trace.c_str(), spans.size());
  print_tree(spans, "00f067aa0ba902b7", 0, origin);
  const tt::span_counts counts = processor->counts();
  std::printf("\nspans started %llu, sampled %llu, exported %llu, dropped %llu\n",
              static_cast<unsigned long long>(counts.started), static_cast<unsigned long long>(counts.sampled),
              static_cast<unsigned long long>(counts.exported), static_cast<unsigned long long>(counts.dropped));
  return spans.size() == 11 ? 0 : 1;
}
