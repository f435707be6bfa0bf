// tracebench collect: an OTLP/HTTP JSON trace receiver that writes OTLP/JSON lines, the backend
// for tests and for `tracebench analyze`.

#include <utility>  // before asio's awaitable.hpp (Boost 1.74)

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/system/system_error.hpp>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <exception>
#include <fstream>
#include <limits>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>

#include "stop_signals.hpp"
#include "tracebench/cli/command.hpp"
#include "tracebench/collector/otlp_collector.hpp"
#include "tracebench/common/flag_values.hpp"
#include "tracebench/net/http_url.hpp"

namespace tracebench::harness {

namespace {

namespace po = boost::program_options;
namespace asio = boost::asio;

constexpr std::string_view kWhere = "tracebench collect";
constexpr double kMaxDurationSeconds = 365.0 * 24 * 3600;

// "ADDR:PORT" or "[IPV6]:PORT"; "localhost" means 127.0.0.1. Port 0 picks a free one.
std::optional<asio::ip::tcp::endpoint> parse_listen(std::string_view text) {
  const auto colon = text.rfind(':');
  if (colon == std::string_view::npos) return std::nullopt;
  std::string host(text.substr(0, colon));
  const std::string_view port = text.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  if (host == "localhost") host = "127.0.0.1";
  unsigned value = 0;
  const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (ec != std::errc{} || end != port.data() + port.size() || port.empty() || value > 65535) return std::nullopt;
  boost::system::error_code bad;
  const asio::ip::address address = asio::ip::make_address(host, bad);
  if (bad) return std::nullopt;
  return asio::ip::tcp::endpoint(address, static_cast<unsigned short>(value));
}

std::optional<double> parse_seconds(const std::string& text) {
  try {
    std::size_t used = 0;
    const double value = std::stod(text, &used);
    if (used != text.size() || !std::isfinite(value) || value <= 0 || value > kMaxDurationSeconds) return std::nullopt;
    return value;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

int run_collect(const command& self, std::span<const std::string> args, std::ostream& out, std::ostream& err) {
  po::options_description flags;
  flags.add_options()("listen", po::value<std::string>()->default_value("127.0.0.1:4318"),
                      "ADDR:PORT to listen on; port 0 picks a free one")(
      "out", po::value<std::string>(), "OTLP/JSON lines file to write (truncated; default stdout)")(
      "append", "append to --out instead of truncating it")("max-requests", po::value<std::string>(),
                                                            "stop after answering N requests, accepted or not")(
      "duration", po::value<std::string>(), "stop after SECONDS")(
      "max-body", po::value<std::string>()->default_value("67108864"), "largest request body in bytes (413 above)");
  const po::options_description hidden;
  const po::positional_options_description positional;  // none: a stray argument is an error
  const parsed_flags parsed = parse_flags(self, flags, hidden, positional, args, out, err);
  if (parsed.exit_code) return *parsed.exit_code;
  const po::variables_map& values = parsed.values;

  const std::string listen_text = values["listen"].as<std::string>();
  const std::optional<asio::ip::tcp::endpoint> listen = parse_listen(listen_text);
  if (!listen)
    return usage_error(kWhere, "--listen: '" + listen_text + "' is not ADDR:PORT (e.g. 127.0.0.1:4318)", err);
  collector::collector_options options;
  constexpr std::uint64_t kMost = std::numeric_limits<std::uint64_t>::max();
  try {
    if (values.count("max-requests") != 0) {
      options.max_requests = parse_count("--max-requests", values["max-requests"].as<std::string>(), 1, kMost);
    }
    options.body_limit =
        static_cast<std::size_t>(parse_count("--max-body", values["max-body"].as<std::string>(), 1, kMost));
  } catch (const flag_error& e) {
    return usage_error(kWhere, e.what(), err);
  }
  std::optional<double> duration;
  if (values.count("duration") != 0) {
    const std::string& text = values["duration"].as<std::string>();
    duration = parse_seconds(text);
    if (!duration) return usage_error(kWhere, "--duration: '" + text + "' is not a number of seconds above 0", err);
  }

  std::ofstream file;
  std::string out_name = "stdout";
  if (values.count("out") != 0) {
    out_name = values["out"].as<std::string>();
    file.open(out_name, std::ios::binary | (values.count("append") != 0 ? std::ios::app : std::ios::trunc));
    if (!file) return usage_error(kWhere, "--out: cannot open '" + out_name + "' for writing", err);
  }
  std::ostream& spans_out = values.count("out") != 0 ? static_cast<std::ostream&>(file) : out;

  asio::io_context io(1);
  std::shared_ptr<collector::otlp_collector> collector;
  try {
    collector = collector::otlp_collector::bind(io, *listen, spans_out, err, options);
  } catch (const boost::system::system_error& e) {
    err << kWhere << ": cannot listen on " << listen_text << ": " << e.code().message() << '\n';
    return kExitUsage;
  }
  // SIGINT and SIGTERM end a run without limits: stop, flush, and exit 0 like the limits do.
  stop_signals signals(true);
  asio::steady_timer deadline(io);
  collector->on_stop([&] {
    signals.cancel_wait();
    deadline.cancel();
  });
  signals.async_wait(io, [&] { collector->stop(); });
  if (duration) {
    deadline.expires_after(
        std::chrono::duration_cast<std::chrono::steady_clock::duration>(std::chrono::duration<double>(*duration)));
    deadline.async_wait([&](const boost::system::error_code& ec) {
      if (!ec) collector->stop();
    });
  }
  // The first line, so a script or test that asked for port 0 learns the port.
  err << kWhere << ": listening on " << net::endpoint_text(collector->endpoint()) << std::endl;
  collector->start();
  io.run();

  spans_out.flush();
  const collector::collector_counters& c = collector->counters();
  err << kWhere << ": " << c.requests << (c.requests == 1 ? " request, " : " requests, ") << c.accepted
      << " accepted with " << c.spans << " spans (" << c.lines << (c.lines == 1 ? " line" : " lines") << " to "
      << out_name << "), " << c.rejected << " rejected";
  if (c.timeouts != 0) err << ", " << c.timeouts << " timed out";
  if (c.connections_refused != 0) err << ", " << c.connections_refused << " connections refused";
  if (c.write_errors != 0) err << ", " << c.write_errors << " write errors";
  err << '\n';
  return c.write_errors != 0 || !spans_out ? kExitFailed : kExitOk;
}

}  // namespace

const command& collect_command() {
  static const command kCommand{"collect",
                                "[--listen ADDR:PORT] [--out FILE] [--max-requests N] [--duration "
                                "SECONDS]",
                                "receive OTLP/HTTP JSON traces and write them as OTLP/JSON lines",
                                "Listens for OTLP/HTTP JSON trace exports (POST /v1/traces, Content-Type "
                                "application/json)\n"
                                "and appends each accepted ExportTraceServiceRequest holding spans as "
                                "one line of OTLP/JSON\n"
                                "to --out (default stdout), the format 'tracebench analyze' reads. Bad "
                                "requests are answered\n"
                                "4xx with a one-line JSON error and counted: 400 malformed JSON or not "
                                "an export request,\n"
                                "404 another path, 405 another method, 415 another content type or "
                                "encoding, 413 a body\n"
                                "over --max-body, 431 headers over 16 KiB. The first stderr line is the "
                                "address it listens\n"
                                "on; it stops after --max-requests answers, after --duration, or on "
                                "SIGINT/SIGTERM, then\n"
                                "prints a one-line summary on stderr.",
                                "  tracebench collect --out spans.otlp.jsonl\n"
                                "  tracebench collect --listen 127.0.0.1:0 --max-requests 10 --duration "
                                "60 --out spans.otlp.jsonl\n",
                                run_collect};
  return kCommand;
}

}  // namespace tracebench::harness
