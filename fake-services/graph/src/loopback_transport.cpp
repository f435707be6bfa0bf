#include "tracebench/services/loopback_transport.hpp"

#include <boost/asio/io_context.hpp>
#include <stdexcept>

#include "loopback_server.hpp"
#include "tracebench/services/loopback_client.hpp"

namespace tracebench::services {

asio::ip::tcp::endpoint resolve_external(const service& svc) {
  const tracer::http_endpoint& at = svc.external->endpoint;
  boost::system::error_code ec;
  const asio::ip::address address = asio::ip::make_address(at.host, ec);
  if (!ec) return {address, at.port};
  asio::io_context io;
  asio::ip::tcp::resolver resolver(io);
  const auto answers = resolver.resolve(at.host, std::to_string(at.port), ec);
  if (ec || answers.empty()) {
    throw std::invalid_argument("service \"" + svc.name + "\" is external at " + svc.external->url +
                                ": cannot resolve " + at.host + ": " + (ec ? ec.message() : std::string("no address")));
  }
  for (const auto& answer : answers) {
    if (answer.endpoint().address().is_v4()) return answer.endpoint();
  }
  return answers.begin()->endpoint();
}

std::string_view delivery_name(delivery via) noexcept {
  switch (via) {
    case delivery::rpc:
      return "rpc";
    case delivery::queue:
      return "queue";
    case delivery::batch:
      return "batch";
  }
  return "rpc";
}

std::optional<delivery> parse_delivery(std::string_view name) noexcept {
  if (name == "rpc") return delivery::rpc;
  if (name == "queue") return delivery::queue;
  if (name == "batch") return delivery::batch;
  return std::nullopt;
}

std::vector<std::uint16_t> loopback_monitor::ports() const {
  const std::lock_guard<std::mutex> lock(mutex_);
  return ports_;
}

std::shared_ptr<const server_counters> loopback_monitor::server(std::size_t service) const {
  const std::lock_guard<std::mutex> lock(mutex_);
  return service < servers_.size() ? servers_[service] : nullptr;
}

std::shared_ptr<const client_counters> loopback_monitor::client() const {
  const std::lock_guard<std::mutex> lock(mutex_);
  return client_;
}

void loopback_monitor::attach(std::vector<std::uint16_t> ports,
                              std::vector<std::shared_ptr<const server_counters>> servers,
                              std::shared_ptr<const client_counters> client) {
  const std::lock_guard<std::mutex> lock(mutex_);
  ports_ = std::move(ports);
  servers_ = std::move(servers);
  client_ = std::move(client);
}

loopback_transport::loopback_transport(service_host& host, const scenario& spec, asio::any_io_executor executor,
                                       loopback_options options) {
  // Every server binds before any starts, so a failed bind leaves nothing running.
  for (std::size_t i = 0; i < spec.services.size(); ++i) {
    if (spec.services[i].external) {  // served elsewhere: resolved first, bound never
      servers_.push_back(nullptr);
      peers_.push_back(resolve_external(spec.services[i]));
      ports_.push_back(peers_.back().port());
      paths_.push_back(spec.services[i].external->endpoint.target);
      continue;
    }
    std::string path = std::string(kCallPathPrefix) + spec.services[i].name;
    servers_.push_back(loopback_server::bind(host, i, path, executor, options));
    peers_.push_back(servers_.back()->endpoint());
    ports_.push_back(peers_.back().port());
    paths_.push_back(std::move(path));
  }
  client_ = loopback_client::create(executor, options);
  for (const std::shared_ptr<loopback_server>& server : servers_) {
    if (server) server->start();
  }
}

loopback_transport::~loopback_transport() {
  for (const std::shared_ptr<loopback_server>& server : servers_) {
    if (server) server->close();
  }
  client_->close();
}

asio::awaitable<call_response> loopback_transport::call(std::size_t target, call_request request) {
  return client_->call(peers_[target], paths_[target], std::move(request));
}

std::shared_ptr<const server_counters> loopback_transport::server_counts(std::size_t service) const {
  return service < servers_.size() && servers_[service] ? servers_[service]->counters() : nullptr;
}

std::shared_ptr<const client_counters> loopback_transport::client_counts() const { return client_->counters(); }

transport_factory make_loopback_transport_factory(loopback_options options, std::shared_ptr<loopback_monitor> monitor) {
  return [opts = std::move(options), sink = std::move(monitor)](
             service_host& host, const scenario& spec, asio::any_io_executor executor) -> std::unique_ptr<transport> {
    auto wire = std::make_unique<loopback_transport>(host, spec, std::move(executor), opts);
    if (sink) {
      std::vector<std::shared_ptr<const server_counters>> servers;
      for (std::size_t i = 0; i < spec.services.size(); ++i) servers.push_back(wire->server_counts(i));
      sink->attach(wire->ports(), std::move(servers), wire->client_counts());
    }
    return wire;
  };
}

}  // namespace tracebench::services
