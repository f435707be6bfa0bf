#include "w3c_test_endpoint.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/system/system_error.hpp>
#include <chrono>
#include <limits>
#include <memory>
#include <optional>
#include <ostream>
#include <stdexcept>
#include <string>
#include <system_error>

#include "optional_flag.hpp"
#include "stop_signals.hpp"
#include "tracebench/cli/command.hpp"
#include "tracebench/common/atomic_file.hpp"
#include "tracebench/common/flag_values.hpp"
#include "tracebench/net/beast_names.hpp"
#include "tracebench/net/http_url.hpp"
#include "tracebench/services/w3c_test_service.hpp"
#include "tracebench/tracer/null_exporter.hpp"
#include "tracebench/tracer/simple_processor.hpp"

namespace tracebench::harness {

namespace {

constexpr std::string_view kWhere = "tracebench serve";

}  // namespace

int serve_w3c_test_endpoint(const boost::program_options::variables_map& values, std::ostream& out, std::ostream& err) {
  if (values.count("scenario") != 0) {
    return usage_error(
        kWhere,
        "--w3c-test-endpoint serves no scenario, but \"" + values["scenario"].as<std::string>() + "\" was given", err);
  }
  tcp::endpoint listen;
  std::optional<std::chrono::nanoseconds> duration;
  services::w3c_test_options options;
  try {
    try {
      listen = net::parse_listen_address(optional_flag(values, "listen").value_or("127.0.0.1:0"));
    } catch (const std::invalid_argument& e) {
      throw flag_error("--listen", e.what());
    }
    if (const auto v = optional_flag(values, "duration")) duration = parse_duration("--duration", *v, false);
    if (const auto v = optional_flag(values, "max-requests")) {
      options.max_requests = parse_count("--max-requests", *v, 1, std::numeric_limits<std::uint64_t>::max());
    }
  } catch (const std::invalid_argument& e) {
    return usage_error(kWhere, e.what(), err);
  }

  asio::io_context io(1);
  // The spans are real (sampled, recorded, ended) and encoded as for shipping, then dropped.
  auto processor = std::make_shared<tracer::simple_processor>(std::make_shared<tracer::null_exporter>());
  std::shared_ptr<services::w3c_test_service> service;
  try {
    service = services::w3c_test_service::bind(io, listen, processor, err, options);
  } catch (const boost::system::system_error& e) {
    err << kWhere << ": cannot listen on " << net::endpoint_text(listen) << ": " << e.code().message() << '\n';
    return kExitFailed;
  }
  stop_signals signals(true);  // before the line: a signal right after it stops us cleanly
  const std::string listening = net::endpoint_text(service->endpoint());
  err << "listening on " << listening << std::endl;  // the first line: scripts learn the port
  if (const auto file = optional_flag(values, "port-file")) {
    try {
      write_file_atomically(*file, std::to_string(service->endpoint().port()) + '\n');
    } catch (const std::system_error& e) {
      err << kWhere << ": --port-file: " << e.what() << '\n';
      return kExitFailed;
    }
  }
  asio::steady_timer deadline(io);
  std::string reason;
  service->on_stop([&] {
    signals.cancel_wait();
    deadline.cancel();
    err << "stopping: " << (reason.empty() ? "--max-requests reached" : reason) << std::endl;
  });
  signals.async_wait(io, [&] {
    reason = stop_signals::received_name();
    service->stop();
  });
  if (duration) {
    deadline.expires_after(std::chrono::duration_cast<std::chrono::steady_clock::duration>(*duration));
    deadline.async_wait([&](const error_code& ec) {
      if (ec) return;
      reason = "--duration reached";
      service->stop();
    });
  }
  service->start();
  io.run();
  processor->shutdown();

  const services::w3c_test_counters& c = service->counters();
  out << "served the W3C trace context test endpoint on " << listening << ": requests " << c.requests << ", completed "
      << c.completed << ", bad requests " << c.rejected << ", timeouts " << c.timeouts << "; calls " << c.calls
      << ", failed " << c.call_failures << "; spans exported " << processor->counts().exported << '\n'
      << std::flush;
  return kExitOk;
}

}  // namespace tracebench::harness
