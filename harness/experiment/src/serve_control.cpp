#include "tracebench/experiment/serve_control.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <utility>

#include "tracebench/common/machine_load.hpp"
#include "tracebench/tracer/http_post.hpp"
#include "tracebench/tracer/null_exporter.hpp"

namespace tracebench::harness {

namespace asio = boost::asio;
namespace svc = tracebench::services;
using json = nlohmann::json;

namespace {

// Requests the service is working on when a configure or settle comes get this long to finish.
constexpr auto kUnbusyTimeout = std::chrono::seconds(5);
constexpr auto kFlushTimeout = std::chrono::milliseconds(10'000);
// A peer passes the request on to its own peers, each of which may wait out the timeouts
// above: the bound grows with the graph's depth, so it is generous.
constexpr auto kPeerTimeout = std::chrono::seconds(60);

svc::control_reply error_reply(unsigned status, const std::string& message) {
  return {status, json{{"error", message}}.dump()};
}

class shared_exporter final : public tracer::span_exporter {
 public:
  shared_exporter(std::shared_ptr<tracer::span_exporter> lasting, std::shared_ptr<std::mutex> mutex)
      : lasting_(std::move(lasting)), mutex_(std::move(mutex)) {}
  tracer::export_result export_spans(std::span<const tracer::span_data* const> batch) noexcept override {
    const std::lock_guard lock(*mutex_);
    return lasting_->export_spans(batch);
  }
  bool force_flush(std::chrono::milliseconds timeout) noexcept override {
    const std::lock_guard lock(*mutex_);
    return lasting_->force_flush(timeout);
  }

 private:
  std::shared_ptr<tracer::span_exporter> lasting_;
  std::shared_ptr<std::mutex> mutex_;
};

}  // namespace

exporter_factory share_exporter(std::shared_ptr<tracer::span_exporter> lasting) {
  auto mutex = std::make_shared<std::mutex>();
  return [lasting = std::move(lasting), mutex] { return std::make_shared<shared_exporter>(lasting, mutex); };
}

json post_control(const tracer::http_endpoint& endpoint, const std::string& body, std::chrono::seconds timeout) {
  tracer::http_post_connection connection(endpoint);
  tracer::http_response reply;
  try {
    reply = connection.post("application/json", body, std::chrono::steady_clock::now() + timeout);
  } catch (const tracer::http_error& e) {
    throw std::runtime_error(e.what());
  }
  json parsed = json::parse(reply.body, nullptr, false);
  if (reply.status != 200) {
    const bool said = parsed.is_object() && parsed.contains("error") && parsed["error"].is_string();
    throw std::runtime_error(
        "answered " + endpoint.target + " with " + std::to_string(reply.status) +
        (said ? ": " + parsed["error"].get<std::string>() : " (is it a tracebench serve process?)"));
  }
  if (!parsed.is_object() || !parsed.contains("services") || !parsed["services"].is_object()) {
    throw std::runtime_error("sent a reply that is not a tracebench serve control reply");
  }
  return std::move(parsed["services"]);
}

asio::awaitable<svc::control_reply> run_control(serve_control* self, std::string target, std::string body) {
  co_return self->handle(target, body);
}

json work_document(svc::work_model model, const std::optional<svc::work_rate>& rate) {
  json doc{{"model", std::string(svc::to_string(model))}};
  if (model == svc::work_model::compute && rate) {
    doc["iterations_per_us"] = rate->iterations_per_us;
    doc["repetitions"] = rate->repetitions;
    doc["run_us"] = rate->run_us;
    doc["min_iterations_per_us"] = rate->min_iterations_per_us;
    doc["max_iterations_per_us"] = rate->max_iterations_per_us;
  }
  return doc;
}

reported_work parse_work_document(const json& work) {
  if (!work.is_object() || !work.contains("model") || !work["model"].is_string()) {
    throw std::runtime_error("its work is not {\"model\": ...}");
  }
  reported_work out;
  const std::string model = work["model"].get<std::string>();
  if (model == svc::to_string(svc::work_model::spin)) {
    out.model = svc::work_model::spin;
    return out;
  }
  if (model != svc::to_string(svc::work_model::compute))
    throw std::runtime_error("unknown work model \"" + model + "\"");
  const auto number = [&](const char* key) {
    if (!work.contains(key) || !work[key].is_number() || !(work[key].get<double>() >= 0)) {
      throw std::runtime_error(std::string("its compute work has no calibration ") + key);
    }
    return work[key].get<double>();
  };
  svc::work_rate rate;
  rate.iterations_per_us = number("iterations_per_us");
  rate.repetitions = static_cast<unsigned>(number("repetitions"));
  rate.run_us = number("run_us");
  rate.min_iterations_per_us = number("min_iterations_per_us");
  rate.max_iterations_per_us = number("max_iterations_per_us");
  if (!(rate.iterations_per_us > 0)) throw std::runtime_error("its calibration has no iterations per us");
  out.rate = rate;
  return out;
}

serve_control::serve_control(std::string service, std::vector<svc::remote_peer> peers, svc::tracing_config tracing,
                             exporter_factory make_exporter, reported_work work)
    : service_(std::move(service)),
      peers_(std::move(peers)),
      make_exporter_(std::move(make_exporter)),
      work_report_(work_document(work.model, work.rate)),
      work_(asio::make_work_guard(io_)),
      tracing_(std::move(tracing)) {
  exporter_ = make_exporter_();
  processor_ = std::make_shared<tracer::batch_processor>(exporter_);
  thread_ = std::thread([this] { io_.run(); });
}

serve_control::~serve_control() {
  work_.reset();
  io_.stop();
  thread_.join();
}

svc::control_handler serve_control::handler() {
  return [this](std::string target, std::string body) {
    return asio::co_spawn(io_, run_control(this, std::move(target), std::move(body)), asio::use_awaitable);
  };
}

svc::instrumentation_factory serve_control::instrumentation() const {
  const std::lock_guard lock(mutex_);
  return svc::make_instrumentation_factory(tracing_, processor_);
}

void serve_control::attach(svc::service_graph& graph, std::shared_ptr<const svc::served_counters> served) {
  const std::lock_guard lock(mutex_);
  graph_ = &graph;
  served_ = std::move(served);
}

void serve_control::detach() {
  const std::lock_guard lock(mutex_);
  graph_ = nullptr;
}

std::shared_ptr<tracer::batch_processor> serve_control::processor() const {
  const std::lock_guard lock(mutex_);
  return processor_;
}

svc::control_reply serve_control::handle(const std::string& target, const std::string& body) {
  std::optional<svc::tracing_config> config;
  if (target == kConfigurePath) {
    const json request = json::parse(body, nullptr, false);
    if (!request.is_object() || !request.contains("tracing") || !request["tracing"].is_string()) {
      return error_reply(400, "configure: expected {\"tracing\": \"off|never|RATIO\"}");
    }
    try {
      config = svc::tracing_config::parse(request["tracing"].get<std::string>());
    } catch (const std::invalid_argument& e) {
      return error_reply(400, std::string("configure: ") + e.what());
    }
  } else if (target != kSettlePath && target != kStatsPath) {
    return error_reply(404, "no control path " + target + " (there are " + std::string(kConfigurePath) + ", " +
                                std::string(kSettlePath) + " and " + std::string(kStatsPath) + ")");
  }
  {
    const std::lock_guard lock(mutex_);
    if (graph_ == nullptr) return error_reply(503, "the service is starting or stopping");
  }
  // Callees first: a caller settled before its callees could still be waiting on them.
  json services;
  try {
    services = forward(target, body);
  } catch (const std::runtime_error& e) {
    return error_reply(502, e.what());
  }
  if (config) configure(*config);
  if (target == kSettlePath) {
    wait_unbusy();
    (void)processor()->force_flush(kFlushTimeout);
  }
  services[service_] = own_stats();
  return {200, json{{"services", services}}.dump()};
}

json serve_control::forward(const std::string& target, const std::string& body) const {
  json merged = json::object();
  for (const svc::remote_peer& peer : peers_) {
    const std::string host = peer.endpoint.address().to_string();
    const std::string authority = host + ":" + std::to_string(peer.endpoint.port());
    try {
      merged.update(
          post_control(tracer::http_endpoint{host, peer.endpoint.port(), target, authority}, body, kPeerTimeout));
    } catch (const std::runtime_error& e) {
      throw std::runtime_error("peer " + peer.service + " at " + authority + ": " + e.what());
    }
  }
  return merged;
}

void serve_control::configure(const svc::tracing_config& config) {
  wait_unbusy();
  svc::tracing_config next = config;
  std::shared_ptr<tracer::batch_processor> old;
  {
    const std::lock_guard lock(mutex_);
    if (graph_ == nullptr) return;            // stopping
    next.propagators = tracing_.propagators;  // the wire between processes stays as started
    tracing_ = next;
    exporter_ = make_exporter_();
    old = std::exchange(processor_, std::make_shared<tracer::batch_processor>(exporter_));
    graph_->reinstrument(svc::make_instrumentation_factory(tracing_, processor_));
    requests_before_ = served_->answered.load(std::memory_order_relaxed);
    errors_before_ = served_->errors.load(std::memory_order_relaxed);
  }
  // The old tracers stay installed (a request that read one may still end a span there); what
  // they hand over after this is dropped and counted by the old processor, which nobody reads.
  (void)old->force_flush(kFlushTimeout);
  old->shutdown();
}

void serve_control::wait_unbusy() const {
  std::shared_ptr<const svc::served_counters> served;
  {
    const std::lock_guard lock(mutex_);
    served = served_;
  }
  const auto until = std::chrono::steady_clock::now() + kUnbusyTimeout;
  while (served->in_flight.load(std::memory_order_acquire) > 0 && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

json serve_control::own_stats() const {
  const std::lock_guard lock(mutex_);
  const tracer::span_counts spans = processor_->counts();
  json stats{{"tracing", tracing_.name()},
             {"requests", served_->answered.load(std::memory_order_relaxed) - requests_before_},
             {"errors", served_->errors.load(std::memory_order_relaxed) - errors_before_},
             {"cpu_ns", static_cast<std::uint64_t>(process_cpu_time().count())},
             {"spans",
              {{"started", spans.started},
               {"sampled", spans.sampled},
               {"exported", spans.exported},
               {"dropped", spans.dropped}}}};
  if (const auto* counting = dynamic_cast<const tracer::null_exporter*>(exporter_.get())) {
    stats["bytes_encoded"] = counting->bytes_encoded();
  }
  stats["work"] = work_report_;
  return stats;
}

}  // namespace tracebench::harness
