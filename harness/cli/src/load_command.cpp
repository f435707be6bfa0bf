// tracebench load: drives any HTTP endpoint with the open-loop (constant arrivals, latency from
// the intended send time) or closed-loop (fixed concurrency) generator, doing wrk2's job, and
// prints what it measured.

#include <algorithm>
#include <cctype>
#include <chrono>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "optional_flag.hpp"
#include "stop_signals.hpp"
#include "tracebench/cli/command.hpp"
#include "tracebench/common/flag_values.hpp"
#include "tracebench/load/http_target.hpp"
#include "tracebench/load/load_report.hpp"
#include "tracebench/net/http_url.hpp"

namespace tracebench::harness {

namespace {

namespace po = boost::program_options;

constexpr std::string_view kWhere = "tracebench load";
constexpr std::uint64_t kMaxConnections = 10'000;  // each is a file descriptor
constexpr std::uint64_t kMaxThreads = 256;
constexpr std::uint64_t kMaxBodyBytes = 64 * 1024 * 1024;
// Replies may still come this long after a request's own timeout before the generator gives
// up on them, so a timed-out request is counted as a timeout error, not as lost.
constexpr auto kReplyGrace = std::chrono::milliseconds(500);

struct load_plan {
  net::http_url url;
  std::string method = "GET";
  std::vector<http_header> headers;
  std::size_t body_bytes = 0;
  std::optional<double> rate;  // open loop when set
  unsigned concurrency = 0;    // closed loop: 0 means one per connection
  unsigned connections = 16;
  unsigned threads = 2;
  std::chrono::nanoseconds duration = std::chrono::seconds(10);
  std::chrono::nanoseconds warmup{0};
  std::chrono::nanoseconds timeout = std::chrono::seconds(2);
  std::optional<std::chrono::nanoseconds> lag_bound;
  bool json = false;
};

bool is_token(std::string_view text) {
  // RFC 9110 tchar: what a method or a header name may be made of.
  constexpr std::string_view kSymbols = "!#$%&'*+-.^_`|~";
  return !text.empty() && std::all_of(text.begin(), text.end(), [&](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || kSymbols.find(c) != std::string_view::npos;
  });
}

http_header parse_header(std::string_view text) {
  const std::size_t colon = text.find(':');
  const std::string name(text.substr(0, colon));
  if (colon == std::string_view::npos || !is_token(name)) {
    throw flag_error("--header", "expected 'Name: value', not \"" + std::string(text) + "\"");
  }
  std::string_view value = text.substr(colon + 1);
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  if (value.find_first_of("\r\n") != std::string_view::npos) {
    throw flag_error("--header", "line breaks in the value of \"" + name + "\"");
  }
  std::string lower = name;
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); });
  if (lower == "host" || lower == "content-length" || lower == "transfer-encoding") {
    throw flag_error("--header", name + " is set from the URL and --body-bytes, not by --header");
  }
  return {name, std::string(value)};
}

load_plan build_plan(const po::variables_map& values) {
  load_plan plan;
  const auto whole = [](std::string_view flag, const std::string& v, std::uint64_t lo, std::uint64_t hi) {
    return static_cast<unsigned>(parse_count(flag, v, lo, hi));
  };
  if (const auto v = optional_flag(values, "rate")) plan.rate = parse_rate("--rate", *v);
  const bool closed = values.count("closed") != 0 && values["closed"].as<bool>();
  if (const auto v = optional_flag(values, "concurrency")) {
    plan.concurrency = whole("--concurrency", *v, 1, kMaxConnections);
  }
  if (plan.rate && (closed || plan.concurrency > 0)) {
    throw flag_error("--rate", "is an open loop; --closed and --concurrency are for a closed loop");
  }
  if (!plan.rate && !closed && plan.concurrency == 0) {
    throw flag_error("--rate", "give --rate R for an open loop, or --closed or --concurrency N for a closed loop");
  }
  if (const auto v = optional_flag(values, "connections")) {
    plan.connections = whole("--connections", *v, 1, kMaxConnections);
  }
  if (const auto v = optional_flag(values, "threads")) plan.threads = whole("--threads", *v, 1, kMaxThreads);
  if (const auto v = optional_flag(values, "duration")) plan.duration = parse_duration("--duration", *v, false);
  if (const auto v = optional_flag(values, "warmup")) plan.warmup = parse_duration("--warmup", *v, true);
  if (plan.warmup >= plan.duration) throw flag_error("--warmup", "must be shorter than --duration, which includes it");
  if (const auto v = optional_flag(values, "timeout")) plan.timeout = parse_duration("--timeout", *v, false);
  if (const auto v = optional_flag(values, "lag-bound")) plan.lag_bound = parse_duration("--lag-bound", *v, false);
  if (const auto v = optional_flag(values, "body-bytes")) {
    plan.body_bytes = parse_count("--body-bytes", *v, 0, kMaxBodyBytes);
  }
  if (const auto v = optional_flag(values, "method")) {
    if (!is_token(*v)) throw flag_error("--method", "expected a method such as GET or POST, not \"" + *v + "\"");
    plan.method = *v;
  }
  if (plan.method == "HEAD" && plan.body_bytes > 0) throw flag_error("--body-bytes", "a HEAD request has no body");
  if (values.count("header") != 0) {
    for (const std::string& h : values["header"].as<std::vector<std::string>>())
      plan.headers.push_back(parse_header(h));
  }
  const std::string format = values["format"].as<std::string>();
  if (format != "text" && format != "json")
    throw flag_error("--format", "expected text or json, not \"" + format + "\"");
  plan.json = format == "json";
  return plan;
}

int run_load(const command& self, std::span<const std::string> args, std::ostream& out, std::ostream& err) {
  po::options_description flags;
  flags.add_options()("rate", po::value<std::string>(),
                      "open loop: requests per second, constant arrivals (500, 2000/s)")(
      "closed", po::bool_switch(), "closed loop: each connection sends its next request on the last one's reply")(
      "concurrency", po::value<std::string>(), "closed loop with N requests in flight (default: --connections)")(
      "duration", po::value<std::string>(), "seconds to run, warm-up included (default 10)")(
      "warmup", po::value<std::string>(), "first seconds left out of the figures (default 0)")(
      "connections", po::value<std::string>(), "keep-alive connections, one request at a time each (default 16)")(
      "threads", po::value<std::string>(), "event-loop threads for the connections (default 2)")(
      "timeout", po::value<std::string>(), "seconds a request may take, connecting included (default 2)")(
      "method", po::value<std::string>(), "request method (default GET)")("body-bytes", po::value<std::string>(),
                                                                          "request body size in bytes (default 0)")(
      "header", po::value<std::vector<std::string>>()->composing(),
      "'Name: value' added to every request; repeatable (a traceparent, say)")(
      "lag-bound", po::value<std::string>(),
      "open loop: send-lag p99 in seconds above which the generator fell "
      "behind (default 0.001)")("format", po::value<std::string>()->default_value("text"), "text or json, on stdout");
  po::options_description hidden;
  hidden.add_options()("url", po::value<std::string>(), "the endpoint");
  po::positional_options_description positional;
  positional.add("url", 1);
  const parsed_flags parsed = parse_flags(self, flags, hidden, positional, args, out, err);
  if (parsed.exit_code) return *parsed.exit_code;

  load_plan plan;
  boost::asio::ip::tcp::endpoint endpoint;
  try {
    plan = build_plan(parsed.values);
  } catch (const std::invalid_argument& e) {
    err << kWhere << ": " << e.what() << '\n';
    return kExitUsage;
  }
  if (parsed.values.count("url") == 0) return usage_error(kWhere, "no URL given", err);
  const std::string url_text = parsed.values["url"].as<std::string>();
  try {
    plan.url = net::parse_http_url(url_text);
    endpoint = net::resolve_endpoint(plan.url);
  } catch (const std::invalid_argument& e) {
    err << kWhere << ": URL: " << e.what() << '\n';
    return kExitUsage;
  }

  http_target_options target_options;
  target_options.endpoint = endpoint;
  target_options.request =
      build_http_request(plan.method, plan.url.target, plan.url.authority, plan.headers, plan.body_bytes);
  target_options.head = plan.method == "HEAD";
  target_options.connections = plan.connections;
  target_options.threads = plan.threads;
  target_options.timeout = std::chrono::ceil<std::chrono::milliseconds>(plan.timeout);
  const load_setup setup{url_text, plan.method, plan.connections, plan.threads, plan.duration, plan.warmup};

  load_report report;
  bool interrupted = false;
  try {
    const stop_signals signals(false);
    http_target target(target_options);
    target.count_from(std::chrono::steady_clock::now() + plan.warmup);
    if (plan.rate) {
      open_loop_options o;
      o.rate = *plan.rate;
      o.duration = plan.duration;
      o.warmup = plan.warmup;
      if (plan.lag_bound) o.lag_bound = *plan.lag_bound;
      o.drain_timeout = plan.timeout + kReplyGrace;
      o.stop = &stop_signals::flag();
      const open_loop_result result = run_open_loop(target, o);
      report = make_load_report(setup, *plan.rate, result, target.errors());
    } else {
      closed_loop_options o;
      o.concurrency = plan.concurrency > 0 ? plan.concurrency : plan.connections;
      o.duration = plan.duration;
      o.warmup = plan.warmup;
      o.reply_timeout = plan.timeout + kReplyGrace;
      o.stop = &stop_signals::flag();
      const closed_loop_result result = run_closed_loop(target, o);
      report = make_load_report(setup, o.concurrency, result, target.errors());
    }
    interrupted = stop_signals::flag().load();
  } catch (const std::exception& e) {
    err << kWhere << ": " << e.what() << '\n';
    return kExitFailed;
  }
  out << (plan.json ? render_load_json(report) : render_load_text(report)) << std::flush;
  if (interrupted) return kExitInterrupted;
  if (report.clean()) return kExitOk;
  // One line for a script's log; the figures are in the report.
  std::string why;
  if (const std::uint64_t failed = std::max(report.errors, report.by_category.total()); failed > 0) {
    why = std::to_string(failed) + " requests failed";
  }
  if (!report.valid) why += (why.empty() ? "" : "; ") + report.invalid_reason;
  err << kWhere << ": " << why << '\n';
  return kExitFailed;
}

}  // namespace

const command& load_command() {
  static const command kCommand{
      "load",
      "(--rate R | --closed | --concurrency N) [options] URL",
      "drive any HTTP endpoint with the open- or closed-loop generator (wrk2's job)",
      "Sends requests to URL (http:// only) over keep-alive connections and reports what came back:\n"
      "requests, achieved rate, errors by category (connect, io, timeout, status: any reply that\n"
      "is not 2xx), latency percentiles and, for the open loop, send lag and whether the generator\n"
      "kept its schedule. The open loop (--rate) sends on a fixed schedule whatever the replies do\n"
      "and takes latency from when each request was due (corrected) as well as from when it went\n"
      "out (uncorrected); a request that finds every connection busy waits for one, and that wait\n"
      "counts. The closed loop keeps N requests in flight, for maximum throughput. Exits 0 when\n"
      "every request succeeded and the generator kept up, 1 otherwise, 2 for bad flags or URL,\n"
      "130 when interrupted (the figures so far are printed).",
      "  tracebench load --rate 1000 --duration 30 --warmup 5 http://127.0.0.1:8080/\n"
      "  tracebench load --closed --connections 32 --duration 10 http://10.0.0.7:8080/call/frontend\n"
      "  tracebench load --rate 200 --method POST --body-bytes 512 --format json http://host:8080/call/api\n"
      "  tracebench load --rate 50 --header 'traceparent: 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' "
      "http://127.0.0.1:8080/\n",
      run_load};
  return kCommand;
}

}  // namespace tracebench::harness
