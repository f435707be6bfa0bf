#include "tracebench/services/w3c_test_service.hpp"

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/system/system_error.hpp>
#include <nlohmann/json.hpp>
#include <optional>
#include <ostream>
#include <stdexcept>
#include <system_error>

#include "tracebench/net/beast_names.hpp"
#include "tracebench/net/http_url.hpp"
#include "tracebench/net/untrusted_text.hpp"
#include "tracebench/tracer/composite_propagator.hpp"
#include "tracebench/tracer/header_carrier.hpp"
#include "tracebench/tracer/null_exporter.hpp"
#include "tracebench/tracer/resource.hpp"
#include "tracebench/tracer/simple_processor.hpp"

namespace tracebench::services {

namespace {

using ordered_json = nlohmann::ordered_json;

constexpr std::string_view kWhere = "tracebench serve";
constexpr std::size_t kMaxResponseBody = 1024 * 1024;  // of a called URL; more is a failed call

}  // namespace

struct w3c_test_service::call_item {
  std::string url_text;
  net::http_url url;
  std::string body;  // `arguments` as compact JSON; [] when absent or null, as the suite does
};

// An answer: its status, and its body (one line: a reason, or the calls' results as JSON).
struct w3c_test_service::verdict {
  unsigned status = 200;
  std::string body;
};

std::shared_ptr<w3c_test_service> w3c_test_service::bind(asio::io_context& io, const tcp::endpoint& listen,
                                                         std::shared_ptr<tracer::span_processor> processor,
                                                         std::ostream& log, w3c_test_options options) {
  std::shared_ptr<w3c_test_service> service(new w3c_test_service(io, std::move(processor), log, options));
  service->listen(listen);
  return service;
}

w3c_test_service::w3c_test_service(asio::io_context& io, std::shared_ptr<tracer::span_processor> processor,
                                   std::ostream& log, w3c_test_options options)
    : net::http_server(io, net::limits_of(options)),
      tracer_(std::make_shared<const tracer::resource>("w3c-test-service"),
              tracer::sampler::parent_based(tracer::sampler::always_on()), std::move(processor)),
      propagator_(tracer::make_propagator("tracecontext")),
      log_(log),
      options_(options) {}

asio::awaitable<net::http_server::http_response> w3c_test_service::handle(const http_request& request) {
  const std::string_view target = to_std(request.target());
  verdict v;
  if (target.substr(0, target.find('?')) != kPath) {
    v = {404, "no such path '" + std::string(target) + "': the test service answers POST /test"};
  } else if (request.method() != http::verb::post) {
    v = {405, "method " + std::string(to_std(request.method_string())) + " is not allowed: send POST"};
  } else {
    std::vector<call_item> items;
    try {
      items = parse_items(request.body());
    } catch (const std::invalid_argument& e) {
      v = {400, e.what()};
    }
    if (v.status == 200) {
      // Every header as it came, repeats included: the propagator must see a duplicate.
      tracer::header_list incoming;
      for (const auto& field : request) incoming.add(to_std(field.name_string()), to_std(field.value()));
      v = co_await run_calls(incoming, std::move(items));
    }
  }
  http_response r = answer(v);
  if (v.status >= 400) r.keep_alive(false);  // a bad request: the connection ends with it
  co_return r;
}

std::vector<w3c_test_service::call_item> w3c_test_service::parse_items(std::string_view body) const {
  constexpr std::string_view kShape = R"(: send a JSON list of {"url": "http://...", "arguments": ...} objects)";
  if (net::nested_deeper_than(body, net::kMaxJsonDepth)) {
    throw std::invalid_argument("body nested deeper than " + std::to_string(net::kMaxJsonDepth) + " levels");
  }
  ordered_json list;
  try {
    list = ordered_json::parse(body);
  } catch (const ordered_json::exception& e) {
    throw std::invalid_argument("body is not JSON (" + net::one_line(e.what()) + ")" + std::string(kShape));
  }
  if (!list.is_array())
    throw std::invalid_argument("body is a JSON " + std::string(list.type_name()) + std::string(kShape));
  if (list.size() > options_.max_items) {
    throw std::invalid_argument("body lists " + std::to_string(list.size()) + " items, more than " +
                                std::to_string(options_.max_items));
  }
  std::vector<call_item> items;
  for (std::size_t i = 0; i < list.size(); ++i) {
    const ordered_json& entry = list[i];
    const std::string where = "item " + std::to_string(i);
    if (!entry.is_object())
      throw std::invalid_argument(where + " is a JSON " + entry.type_name() + std::string(kShape));
    const auto url = entry.find("url");
    if (url == entry.end() || !url->is_string()) {
      throw std::invalid_argument(where + " has no string \"url\"" + std::string(kShape));
    }
    call_item item;
    item.url_text = url->get<std::string>();
    try {
      item.url = net::parse_http_url(item.url_text);
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument(where + ": url: " + e.what());
    }
    const auto arguments = entry.find("arguments");
    item.body = arguments == entry.end() || arguments->is_null()
                    ? std::string("[]")
                    : arguments->dump(-1, ' ', false, ordered_json::error_handler_t::replace);
    items.push_back(std::move(item));
  }
  return items;
}

asio::awaitable<w3c_test_service::verdict> w3c_test_service::run_calls(const tracer::header_carrier& incoming,
                                                                       std::vector<call_item> items) {
  // An absent, repeated or invalid traceparent leaves the context invalid: a new trace, and the
  // incoming tracestate dropped with it.
  tracer::propagation_context received;
  propagator_->extract(incoming, received);
  tracer::span server = tracer_.start_span("POST /test", tracer::span_kind::server, received.span);
  const tracer::span_context parent = server.context();
  ordered_json results = ordered_json::array();
  std::size_t failed = 0;
  std::string first_failure;
  for (const call_item& item : items) {
    std::string problem = "not called: the service is stopping";
    int status = 0;
    if (!stopping()) {
      tracer::span client = tracer_.start_span("POST", tracer::span_kind::client, parent);
      client.set_attribute("url.full", item.url_text);
      tracer::header_list outgoing;
      propagator_->inject({client.context(), received.baggage}, outgoing);
      ++counters_.calls;
      problem = co_await post(item, outgoing, status);
      if (problem.empty()) {
        client.set_attribute("http.response.status_code", status);
      } else {
        ++counters_.call_failures;
        client.set_status(tracer::status_code::error, problem);
      }
    }
    if (problem.empty()) {
      results.push_back({{"url", item.url_text}, {"status", status}});
      continue;
    }
    log_line("call to " + item.url_text + " failed: " + problem);
    results.push_back({{"url", item.url_text}, {"error", problem}});
    if (failed++ == 0) first_failure = item.url_text + ": " + problem;
  }
  if (failed != 0) server.set_status(tracer::status_code::error, first_failure);
  // 502 when a URL gave no response: the calls that could be made were, in order.
  co_return verdict{failed == 0 ? 200U : 502U, results.dump(-1, ' ', false, ordered_json::error_handler_t::replace)};
}

asio::awaitable<std::string> w3c_test_service::post(const call_item& item, const tracer::header_list& headers,
                                                    int& status) {
  const std::string& host = item.url.host;
  beast::tcp_stream stream(io());
  stream.expires_after(options_.call_timeout);
  error_code ec;
  const asio::ip::address address = asio::ip::make_address(host, ec);
  if (!ec) {
    co_await stream.async_connect(tcp::endpoint(address, item.url.port), asio::redirect_error(asio::use_awaitable, ec));
  } else {
    // getaddrinfo cannot be bounded, but it runs off this thread: the server keeps serving.
    tcp::resolver resolver(io());
    const auto found = co_await resolver.async_resolve(host, std::to_string(item.url.port),
                                                       asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return "cannot resolve " + host + ": " + ec.message();
    stream.expires_after(options_.call_timeout);
    co_await stream.async_connect(found, asio::redirect_error(asio::use_awaitable, ec));
  }
  if (ec) co_return "cannot connect: " + (ec == beast::error::timeout ? "timed out" : ec.message());

  http::request<http::string_body> request{http::verb::post, item.url.target, 11};
  request.set(http::field::host, item.url.authority);
  request.set(http::field::content_type, "application/json");
  request.set(http::field::user_agent, "tracebench-w3c-test-service");
  for (const auto& [name, value] : headers.fields()) {
    request.set(name, value);
  }
  request.keep_alive(false);
  request.body() = item.body;
  request.prepare_payload();
  co_await http::async_write(stream, request, asio::redirect_error(asio::use_awaitable, ec));
  if (ec) co_return "cannot send: " + (ec == beast::error::timeout ? "timed out" : ec.message());
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> response;
  response.body_limit(kMaxResponseBody);
  co_await http::async_read(stream, buffer, response, asio::redirect_error(asio::use_awaitable, ec));
  if (ec) {
    co_return "no response: " + (ec == beast::error::timeout
                                     ? "timed out after " + std::to_string(options_.call_timeout.count()) + " s"
                                     : ec.message());
  }
  status = static_cast<int>(response.get().result_int());
  stream.socket().shutdown(tcp::socket::shutdown_both, ec);
  co_return std::string();
}

net::http_server::http_response w3c_test_service::refuse(unsigned status, std::string reason) {
  return answer({status, std::move(reason)});
}

net::http_server::http_response w3c_test_service::answer(const verdict& v) {
  ++counters_.requests;
  if (v.status == 200) {
    ++counters_.completed;
  } else if (v.status < 500) {
    ++counters_.rejected;
    log_line("answered " + std::to_string(v.status) + ": " + v.body);
  }
  if (options_.max_requests != 0 && counters_.requests >= options_.max_requests) stop();

  http_response r{static_cast<http::status>(v.status), 11};
  const bool called = v.status == 200 || v.status == 502;  // the calls' results, as JSON
  r.set(http::field::content_type, called ? "application/json" : "text/plain; charset=utf-8");
  if (v.status == 405) r.set(http::field::allow, "POST");
  r.body() = called ? v.body : net::one_line(v.body) + '\n';
  return r;
}

void w3c_test_service::log_line(const std::string& line) {
  if (++logged_ > options_.max_logged) return;
  log_ << kWhere << ": " << net::one_line(line)
       << (logged_ == options_.max_logged ? " (further ones are only counted)" : "") << '\n'
       << std::flush;
}

}  // namespace tracebench::services
