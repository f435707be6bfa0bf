#include "tracebench/services/peer_transport.hpp"

#include <algorithm>
#include <exception>
#include <stdexcept>
#include <string_view>

#include "loopback_server.hpp"
#include "tracebench/services/loopback_client.hpp"
#include "tracebench/services/split_mix.hpp"

namespace tracebench::services {

namespace {

// Appended rather than "\"" + std::string: GCC 12 warns (-Wrestrict) on that form.
std::string quoted(std::string_view name) {
  std::string out(1, '"');
  out.append(name).push_back('"');
  return out;
}

std::optional<std::size_t> index_of(const scenario& spec, std::string_view name) {
  for (std::size_t i = 0; i < spec.services.size(); ++i) {
    if (spec.services[i].name == name) return i;
  }
  return std::nullopt;
}

}  // namespace

// Counts the requests the local service is working on, so its process can wait for them
// before it stops. The counters are reached through a shared_ptr copied into the coroutine
// frame: an abandoned frame destroyed with the execution context, after the transport, touches
// only what it owns.
class peer_transport::counting_host final : public service_host {
 public:
  counting_host(service_host& inner, std::shared_ptr<served_counters> counters, std::uint64_t seed) noexcept
      : inner_(inner), counters_(std::move(counters)), seed_(seed) {}

  asio::awaitable<call_response> handle(std::size_t target, call_request request) override {
    const std::shared_ptr<served_counters> counts = counters_;
    counts->in_flight.fetch_add(1, std::memory_order_relaxed);
    // A request from outside the graph (a load tool, curl) has none of the x-tracebench
    // fields: it is numbered here as service_graph::submit numbers the requests it starts.
    // Without it every such request would draw from seed 0: the same work, the same branches.
    if (request.request_id == kNoRequest && request.seed == 0 && request.via == delivery::rpc) {
      request.request_id = counts->external.fetch_add(1, std::memory_order_relaxed);
      request.seed = mix_seed(seed_, request.request_id);
    }
    struct leave_guard {
      served_counters& counters;
      ~leave_guard() { counters.in_flight.fetch_sub(1, std::memory_order_release); }
    } leave{*counts};
    call_response reply{true, 0};
    try {
      reply = co_await inner_.handle(target, std::move(request));
    } catch (const std::exception&) {
      reply = call_response{true, 0};  // the server answers 500 for it either way
    }
    counts->answered.fetch_add(1, std::memory_order_relaxed);
    if (reply.error) counts->errors.fetch_add(1, std::memory_order_relaxed);
    co_return reply;
  }

 private:
  service_host& inner_;
  std::shared_ptr<served_counters> counters_;
  std::uint64_t seed_;
};

std::vector<std::size_t> callees_of(const scenario& spec, std::size_t service) {
  std::vector<std::size_t> out;
  if (service >= spec.services.size()) return out;
  for (const step& st : spec.services[service].steps) {
    for (const call& c : st.calls) {
      if (std::find(out.begin(), out.end(), c.target) == out.end()) out.push_back(c.target);
    }
  }
  return out;
}

std::string check_peers(const scenario& spec, const peer_transport_options& options) {
  const std::optional<std::size_t> local = index_of(spec, options.local);
  if (!local) return "scenario " + quoted(spec.name) + " has no service " + quoted(options.local);
  if (const service& here = spec.services[*local]; here.external) {
    return quoted(here.name) + " is external (" + here.external->url + "): it runs in its own process, not here";
  }
  std::vector<bool> given(spec.services.size(), false);
  for (const remote_peer& peer : options.peers) {
    const std::optional<std::size_t> at = index_of(spec, peer.service);
    if (!at) return "scenario " + quoted(spec.name) + " has no service " + quoted(peer.service);
    if (*at == *local) return quoted(peer.service) + " is the service served here, not a peer";
    if (given[*at]) return "service " + quoted(peer.service) + " is given twice";
    if (const service& there = spec.services[*at]; there.external) {
      return quoted(peer.service) + " is external: the scenario gives its URL (" + there.external->url + ")";
    }
    given[*at] = true;
  }
  for (const std::size_t callee : callees_of(spec, *local)) {
    if (!given[callee] && !spec.services[callee].external) {
      return quoted(options.local) + " calls " + quoted(spec.services[callee].name) + ", which has no peer";
    }
  }
  return {};
}

std::optional<asio::ip::tcp::endpoint> peer_monitor::listening() const {
  const std::lock_guard<std::mutex> lock(mutex_);
  return listening_;
}

std::shared_ptr<const server_counters> peer_monitor::server() const {
  const std::lock_guard<std::mutex> lock(mutex_);
  return server_;
}

std::shared_ptr<const client_counters> peer_monitor::client() const {
  const std::lock_guard<std::mutex> lock(mutex_);
  return client_;
}

std::shared_ptr<const served_counters> peer_monitor::served() const {
  const std::lock_guard<std::mutex> lock(mutex_);
  return served_;
}

void peer_monitor::attach(asio::ip::tcp::endpoint listening, std::shared_ptr<const server_counters> server,
                          std::shared_ptr<const client_counters> client,
                          std::shared_ptr<const served_counters> served) {
  const std::lock_guard<std::mutex> lock(mutex_);
  listening_ = listening;
  server_ = std::move(server);
  client_ = std::move(client);
  served_ = std::move(served);
}

peer_transport::peer_transport(service_host& host, const scenario& spec, asio::any_io_executor executor,
                               peer_transport_options options) {
  if (std::string problem = check_peers(spec, options); !problem.empty()) throw std::invalid_argument(problem);
  peers_.resize(spec.services.size());
  for (const service& svc : spec.services) {
    paths_.push_back(svc.external ? svc.external->endpoint.target : std::string(kCallPathPrefix) + svc.name);
  }
  for (const remote_peer& peer : options.peers) peers_[*index_of(spec, peer.service)] = peer.endpoint;
  // The external callees of the local service are reached at their URLs; resolved before binding.
  const std::size_t local = *index_of(spec, options.local);
  for (const std::size_t callee : callees_of(spec, local)) {
    if (spec.services[callee].external) peers_[callee] = resolve_external(spec.services[callee]);
  }

  counting_ = std::make_unique<counting_host>(host, served_, options.seed);
  loopback_options wire = options.wire;
  wire.bind_address = options.listen.address().to_string();
  server_ = loopback_server::bind(*counting_, local, paths_[local], executor, wire, options.listen.port());
  client_ = loopback_client::create(executor, wire);
  server_->start();
}

peer_transport::~peer_transport() {
  server_->close();
  client_->close();
}

asio::awaitable<call_response> peer_transport::call(std::size_t target, call_request request) {
  if (target >= peers_.size() || !peers_[target]) {
    return []() -> asio::awaitable<call_response> { co_return call_response{true, 0}; }();
  }
  return client_->call(*peers_[target], paths_[target], std::move(request));
}

asio::ip::tcp::endpoint peer_transport::listening() const { return server_->endpoint(); }

std::shared_ptr<const server_counters> peer_transport::server_counts() const { return server_->counters(); }

std::shared_ptr<const client_counters> peer_transport::client_counts() const { return client_->counters(); }

transport_factory make_peer_transport_factory(peer_transport_options options, std::shared_ptr<peer_monitor> monitor) {
  return [opts = std::move(options), sink = std::move(monitor)](
             service_host& host, const scenario& spec, asio::any_io_executor executor) -> std::unique_ptr<transport> {
    auto wire = std::make_unique<peer_transport>(host, spec, std::move(executor), opts);
    if (sink) sink->attach(wire->listening(), wire->server_counts(), wire->client_counts(), wire->served_counts());
    return wire;
  };
}

}  // namespace tracebench::services
