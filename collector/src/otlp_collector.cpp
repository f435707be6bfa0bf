#include "tracebench/collector/otlp_collector.hpp"

#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>
#include <ostream>

#include "tracebench/collector/otlp_export_request.hpp"
#include "tracebench/net/beast_names.hpp"
#include "tracebench/net/untrusted_text.hpp"
#include "tracebench/tracer/header_carrier.hpp"

namespace tracebench::collector {

namespace {

using ordered_json = nlohmann::ordered_json;

// "application/json; charset=utf-8" -> "application/json"
std::string_view media_type(std::string_view content_type) noexcept {
  content_type = content_type.substr(0, content_type.find(';'));
  const auto last = content_type.find_last_not_of(" \t");
  return last == std::string_view::npos ? std::string_view{} : content_type.substr(0, last + 1);
}

// A message is one line whatever the client sent (JSON errors quote the input).
// The google.rpc.Status code OTLP/HTTP error bodies carry, for an HTTP status.
int rpc_code(unsigned status) noexcept {
  switch (status) {
    case 404:
      return 5;  // NOT_FOUND
    case 405:
      return 12;  // UNIMPLEMENTED
    case 413:
    case 431:
      return 8;  // RESOURCE_EXHAUSTED
    case 503:
      return 14;  // UNAVAILABLE
    default:
      return 3;  // INVALID_ARGUMENT
  }
}

}  // namespace

// An answer: 200 with its spans, or an error status and its one-line reason.
struct otlp_collector::verdict {
  unsigned status = 200;
  std::string message;
  std::size_t spans = 0;
};

std::shared_ptr<otlp_collector> otlp_collector::bind(asio::io_context& io, const tcp::endpoint& listen,
                                                     std::ostream& out, std::ostream& log, collector_options options) {
  std::shared_ptr<otlp_collector> collector(new otlp_collector(io, out, log, options));
  collector->listen(listen);
  return collector;
}

otlp_collector::otlp_collector(asio::io_context& io, std::ostream& out, std::ostream& log, collector_options options)
    : net::http_server(io, net::limits_of(options)), out_(out), log_(log), options_(options) {}

std::optional<net::http_server::http_response> otlp_collector::check_header(const http_request_header& header) {
  const std::string_view target = to_std(header.target());
  const std::string_view content_type = to_std(header[http::field::content_type]);
  const std::string_view encoding = to_std(header[http::field::content_encoding]);
  verdict early{0, {}, 0};
  if (target.substr(0, target.find('?')) != kPath) {
    early = {404, "no such path '" + std::string(target) + "': OTLP/HTTP traces go to POST /v1/traces", 0};
  } else if (header.method() != http::verb::post) {
    early = {405, "method " + std::string(to_std(header.method_string())) + " is not allowed: send POST", 0};
  } else if (!tracer::iequals(media_type(content_type), "application/json")) {
    early = {415,
             content_type.empty() ? std::string("no Content-Type: send application/json (OTLP/HTTP JSON)")
                                  : "Content-Type '" + std::string(content_type) +
                                        "' is not supported: send application/json (OTLP/HTTP JSON)",
             0};
  } else if (!encoding.empty() && !tracer::iequals(encoding, "identity")) {
    early = {415, "Content-Encoding '" + std::string(encoding) + "' is not supported: send the body uncompressed", 0};
  }
  if (early.status == 0) return std::nullopt;
  return answer(early);
}

asio::awaitable<net::http_server::http_response> otlp_collector::handle(const http_request& request) {
  co_return answer(ingest(request.body()));
}

net::http_server::http_response otlp_collector::refuse(unsigned status, std::string reason) {
  return answer({status, std::move(reason), 0});
}

otlp_collector::verdict otlp_collector::ingest(std::string_view body) {
  if (net::nested_deeper_than(body, net::kMaxJsonDepth)) {
    return {400, "invalid JSON: nested deeper than " + std::to_string(net::kMaxJsonDepth) + " levels", 0};
  }
  ordered_json request;
  try {
    request = ordered_json::parse(body);
  } catch (const ordered_json::exception& e) {
    return {400, "invalid JSON: " + std::string(e.what()), 0};
  }
  std::size_t spans = 0;
  try {
    spans = check_export_request(request);
  } catch (const export_request_error& e) {
    return {400, "not an OTLP ExportTraceServiceRequest: " + std::string(e.what()), 0};
  }
  if (spans == 0) return {200, {}, 0};  // valid, and nothing to write: analyze wants spans per line
  try {
    line_ = request.dump();
  } catch (const ordered_json::exception& e) {
    return {400, "invalid JSON: " + std::string(e.what()), 0};
  }
  line_.push_back('\n');
  out_.write(line_.data(), static_cast<std::streamsize>(line_.size()));
  out_.flush();  // per request: what was answered 200 is on disk even if we are killed next
  if (!out_) {
    ++counters_.write_errors;
    return {503,
            "cannot write the collector's output: the spans were not stored, "
            "send them again later",
            0};
  }
  ++counters_.lines;
  return {200, {}, spans};
}

net::http_server::http_response otlp_collector::answer(const verdict& v) {
  ++counters_.requests;
  if (v.status == 200) {
    ++counters_.accepted;
    counters_.spans += v.spans;
  } else if (++counters_.rejected <= options_.max_logged_rejections) {
    log_ << "tracebench collect: answered " << v.status << ": " << net::one_line(v.message)
         << (counters_.rejected == options_.max_logged_rejections ? " (further rejections are only counted)" : "")
         << '\n';
  }
  if (options_.max_requests != 0 && counters_.requests >= options_.max_requests) stop();

  http_response r{static_cast<http::status>(v.status), 11};
  r.set(http::field::content_type, "application/json");
  if (v.status == 405) r.set(http::field::allow, "POST");
  if (v.status == 503) r.set(http::field::retry_after, "1");
  if (v.status == 200) {
    r.body() = "{}";  // an ExportTraceServiceResponse without partial success
  } else {
    const ordered_json status = {{"code", rpc_code(v.status)}, {"message", net::one_line(v.message)}};
    r.body() = status.dump(-1, ' ', false, ordered_json::error_handler_t::replace);
  }
  return r;
}

}  // namespace tracebench::collector
