// tracebench serve: runs one service of a scenario as its own process, its HTTP server on a
// chosen address and its callees at URLs given for them, so a graph can span processes and
// hosts. Traced as in a run; the spans go to an exporter of this process.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include <boost/system/system_error.hpp>

#include "optional_flag.hpp"
#include "scenario_directory.hpp"
#include "stop_signals.hpp"
#include "tracebench/cli/command.hpp"
#include "tracebench/common/atomic_file.hpp"
#include "tracebench/common/flag_values.hpp"
#include "tracebench/experiment/serve_control.hpp"
#include "tracebench/net/http_url.hpp"
#include "tracebench/services/peer_transport.hpp"
#include "tracebench/services/scenario_loader.hpp"
#include "tracebench/services/service_graph.hpp"
#include "tracebench/services/tracing_config.hpp"
#include "tracebench/services/work_kernel.hpp"
#include "tracebench/tracer/batch_processor.hpp"
#include "tracebench/tracer/composite_propagator.hpp"
#include "tracebench/tracer/null_exporter.hpp"
#include "tracebench/tracer/otlp_http_exporter.hpp"
#include "tracebench/tracer/otlp_json_file_exporter.hpp"
#include "w3c_test_endpoint.hpp"

namespace tracebench::harness {

namespace {

namespace po = boost::program_options;
namespace svc = tracebench::services;

constexpr std::string_view kWhere = "tracebench serve";
constexpr std::string_view kDefaultListen = "127.0.0.1:0";
constexpr auto kPoll = std::chrono::milliseconds(10);
// On stopping: how long requests the service is working on may take to finish, then how long
// their replies get to be written (the count drops as the service answers, just before the
// write). Past these the process stops anyway.
constexpr auto kDrainTimeout = std::chrono::seconds(2);
constexpr auto kWriteGrace = std::chrono::milliseconds(50);
constexpr auto kFlushTimeout = std::chrono::seconds(10);

struct serve_plan {
  svc::peer_transport_options transport;
  svc::tracing_config tracing;
  unsigned threads = svc::default_threads();
  std::optional<std::chrono::nanoseconds> duration;
  std::optional<std::uint64_t> max_requests;
  std::optional<std::string> export_file;
  std::optional<std::string> otlp_endpoint;
  std::optional<std::string> port_file;
};

std::uint64_t get(const std::atomic<std::uint64_t>& counter) { return counter.load(std::memory_order_relaxed); }

std::string service_names(const svc::scenario& spec) {
  std::string names;
  for (const svc::service& s : spec.services) names += (names.empty() ? "" : ", ") + s.name;
  return names;
}

// NAME=http://HOST:PORT; the call path is always /call/NAME, so the URL names no other.
svc::remote_peer parse_peer(const std::string& text) {
  const std::size_t eq = text.find('=');
  if (eq == std::string::npos || eq == 0) {
    throw flag_error("--peer", "expected NAME=http://HOST:PORT, not \"" + text + "\"");
  }
  const std::string name = text.substr(0, eq);
  try {
    const net::http_url url = net::parse_http_url(text.substr(eq + 1));
    if (url.target != "/") {
      throw std::invalid_argument("a peer URL has no path (calls go to /call/" + name + "), not \"" +
                                  text.substr(eq + 1) + "\"");
    }
    return {name, net::resolve_endpoint(url)};
  } catch (const flag_error&) {
    throw;
  } catch (const std::invalid_argument& e) {
    throw flag_error("--peer", name + ": " + e.what());
  }
}

serve_plan build_plan(const po::variables_map& values, const svc::scenario& spec) {
  serve_plan plan;
  const std::optional<std::string> service = optional_flag(values, "service");
  if (!service) {
    throw flag_error("--service", "which service of \"" + spec.name + "\" to serve? (" + service_names(spec) + ")");
  }
  if (spec.find(*service) == nullptr) {
    throw flag_error("--service", "scenario \"" + spec.name + "\" has no service \"" + *service + "\" (it has " +
                                      service_names(spec) + ")");
  }
  if (const svc::service* local = spec.find(*service); local->external) {
    throw flag_error("--service", "\"" + *service + "\" is external (" + local->external->url +
                                      "): it runs in its own process, not here");
  }
  plan.transport.local = *service;
  try {
    plan.transport.listen =
        net::parse_listen_address(optional_flag(values, "listen").value_or(std::string(kDefaultListen)));
  } catch (const std::invalid_argument& e) {
    throw flag_error("--listen", e.what());
  }
  if (values.count("peer") != 0) {
    for (const std::string& p : values["peer"].as<std::vector<std::string>>()) {
      plan.transport.peers.push_back(parse_peer(p));
    }
  }
  if (const std::string problem = svc::check_peers(spec, plan.transport); !problem.empty()) {
    throw flag_error("--peer", problem + " (give each callee as --peer NAME=http://HOST:PORT)");
  }
  // Servers of a graph spread over processes: anything may drive them, wrk's GET included.
  plan.transport.wire.accept_get = true;
  try {
    plan.tracing = svc::tracing_config::parse(optional_flag(values, "tracing").value_or("1/1"));
  } catch (const std::invalid_argument& e) {
    throw flag_error("--tracing", e.what());
  }
  if (const auto v = optional_flag(values, "propagators")) {
    try {
      (void)tracer::make_propagator(*v);
    } catch (const std::invalid_argument& e) {
      throw flag_error("--propagators", e.what());
    }
    plan.tracing.propagators = *v;
  }
  if (const auto v = optional_flag(values, "threads")) {
    plan.threads = static_cast<unsigned>(parse_count("--threads", *v, 1, 1024));
  }
  if (const auto v = optional_flag(values, "duration")) plan.duration = parse_duration("--duration", *v, false);
  if (const auto v = optional_flag(values, "max-requests")) {
    plan.max_requests = parse_count("--max-requests", *v, 1, std::numeric_limits<std::uint64_t>::max());
  }
  if (const auto v = optional_flag(values, "seed")) {
    plan.transport.seed = parse_count("--seed", *v, 0, std::numeric_limits<std::uint64_t>::max());
  }
  plan.export_file = optional_flag(values, "export");
  plan.otlp_endpoint = optional_flag(values, "otlp-endpoint");
  if (plan.export_file && plan.otlp_endpoint)
    throw flag_error("--otlp-endpoint", "give --export or --otlp-endpoint, not both");
  if (plan.otlp_endpoint) {
    try {
      (void)tracer::parse_http_url(*plan.otlp_endpoint);
    } catch (const std::invalid_argument& e) {
      throw flag_error("--otlp-endpoint", e.what());
    }
  }
  plan.port_file = optional_flag(values, "port-file");
  return plan;
}

// Where the spans go. The seam for exporters: one flag, one branch each. Without one, spans are
// encoded as for shipping and dropped, so tracing costs what it would with an exporter; each
// configuration then gets its own, so its byte count starts from 0. Throws
// std::runtime_error when a file cannot be opened.
exporter_factory make_exporters(const serve_plan& plan) {
  if (plan.export_file) return share_exporter(std::make_shared<tracer::otlp_json_file_exporter>(*plan.export_file));
  if (plan.otlp_endpoint) {
    tracer::otlp_http_options options;
    options.endpoint = *plan.otlp_endpoint;
    return share_exporter(std::make_shared<tracer::otlp_http_exporter>(options));
  }
  return [] { return std::make_shared<tracer::null_exporter>(); };
}

// Until a signal, the duration or the request count, whichever comes first; says which.
std::string wait_for_stop(const serve_plan& plan, const svc::served_counters& served) {
  const auto deadline =
      plan.duration ? std::chrono::steady_clock::now() + *plan.duration : std::chrono::steady_clock::time_point::max();
  for (;;) {
    if (stop_signals::flag().load(std::memory_order_relaxed)) return std::string(stop_signals::received_name());
    if (std::chrono::steady_clock::now() >= deadline) return "--duration reached";
    if (plan.max_requests && served.answered.load(std::memory_order_relaxed) >= *plan.max_requests) {
      return "--max-requests reached";
    }
    std::this_thread::sleep_for(kPoll);
  }
}

void drain(const svc::served_counters& served) {
  const auto until = std::chrono::steady_clock::now() + kDrainTimeout;
  while (served.in_flight.load(std::memory_order_acquire) > 0 && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  std::this_thread::sleep_for(kWriteGrace);
}

int run_serve(const command& self, std::span<const std::string> args, std::ostream& out, std::ostream& err) {
  // The flags of a scenario's service, which --w3c-test-endpoint refuses.
  po::options_description scenario_flags;
  scenario_flags.add_options()("service", po::value<std::string>(),
                               "the service of the scenario to run here (required)")(
      "peer", po::value<std::vector<std::string>>()->composing(),
      "NAME=http://HOST:PORT where callee NAME is served; one per service this one calls")(
      "tracing", po::value<std::string>(), "off, never, or a sampling ratio such as 1/16 (default 1/1)")(
      "propagators", po::value<std::string>(),
      "trace context headers: tracecontext, baggage, b3, b3multi, comma-separated (default tracecontext,baggage)")(
      "export", po::value<std::string>(), "write spans to FILE as OTLP/JSON lines (default: encode and drop)")(
      "otlp-endpoint", po::value<std::string>(),
      "POST spans as OTLP/HTTP JSON to this URL, e.g. http://127.0.0.1:4318/v1/traces")(
      "threads", po::value<std::string>(), "executor threads (default: one per core)")(
      "seed", po::value<std::string>(), "random seed for requests from outside the graph (default 1)");
  po::options_description flags;
  flags.add(scenario_flags);
  flags.add_options()("listen", po::value<std::string>(),
                      "ADDR:PORT to serve on; port 0 picks one (default 127.0.0.1:0)")(
      "duration", po::value<std::string>(), "stop after this many seconds (default: at SIGINT or SIGTERM)")(
      "max-requests", po::value<std::string>(), "stop once this many requests were answered")(
      "port-file", po::value<std::string>(), "write the port listened on to FILE, once listening")(
      "w3c-test-endpoint", "serve the W3C Trace Context test suite's POST /test instead of a scenario");
  po::options_description hidden;
  hidden.add_options()("scenario", po::value<std::string>(), "scenario file or shipped scenario name");
  po::positional_options_description positional;
  positional.add("scenario", 1);
  const parsed_flags parsed = parse_flags(self, flags, hidden, positional, args, out, err);
  if (parsed.exit_code) return *parsed.exit_code;
  if (parsed.values.count("w3c-test-endpoint") != 0) {
    for (const auto& flag : scenario_flags.options()) {
      if (parsed.values.count(flag->long_name()) != 0) {
        return usage_error(kWhere, "--" + flag->long_name() + " is for a scenario's service, not --w3c-test-endpoint",
                           err);
      }
    }
    return serve_w3c_test_endpoint(parsed.values, out, err);
  }

  if (parsed.values.count("scenario") == 0) return usage_error(kWhere, "no scenario given", err);
  const std::string file = resolve_scenario(parsed.values["scenario"].as<std::string>()).string();
  const svc::load_result loaded = svc::load_scenario_file(file);
  if (!loaded.ok()) {
    // All on one line: the first error, and how many more.
    err << (loaded.unreadable ? "tracebench: " : file + ": ") << loaded.errors.front();
    if (loaded.errors.size() > 1) err << " (and " << loaded.errors.size() - 1 << " more)";
    err << '\n';
    return kExitUsage;
  }
  serve_plan plan;
  exporter_factory exporters;
  try {
    plan = build_plan(parsed.values, *loaded.value);
    exporters = make_exporters(plan);
  } catch (const std::invalid_argument& e) {
    err << kWhere << ": " << e.what() << '\n';
    return kExitUsage;
  } catch (const std::runtime_error& e) {  // the export file
    err << kWhere << ": --export: " << e.what() << '\n';
    return kExitUsage;
  }

  const stop_signals signals(true);  // before listening: a signal right after the line stops us cleanly
  // Once, before serving, and reported through the control path: a remote experiment puts each
  // process's calibration in its results, as an in-process one puts its own.
  reported_work work{loaded.value->work, std::nullopt};
  if (work.model == svc::work_model::compute) work.rate = svc::calibrate_work();
  // Declared before the graph, whose server calls it, so it outlives the graph.
  serve_control control(plan.transport.local, plan.transport.peers, plan.tracing, exporters, work);
  plan.transport.wire.control = control.handler();
  auto monitor = std::make_shared<svc::peer_monitor>();
  svc::graph_options options;
  options.threads = plan.threads;
  options.seed = plan.transport.seed;
  if (work.rate) options.work_iterations_per_us = work.rate->iterations_per_us;
  options.instrument = control.instrumentation();
  options.make_transport = svc::make_peer_transport_factory(plan.transport, monitor);
  std::unique_ptr<svc::service_graph> graph;
  try {
    graph = std::make_unique<svc::service_graph>(*loaded.value, std::move(options));
  } catch (const boost::system::system_error& e) {
    err << kWhere << ": cannot listen on " << net::endpoint_text(plan.transport.listen) << ": " << e.code().message()
        << '\n';
    control.processor()->shutdown();
    return kExitFailed;
  } catch (const std::invalid_argument& e) {  // an external callee's host does not resolve
    err << kWhere << ": " << e.what() << '\n';
    control.processor()->shutdown();
    return kExitUsage;
  }
  control.attach(*graph, monitor->served());
  const std::string listening = net::endpoint_text(*monitor->listening());
  err << "listening on " << listening << '\n' << std::flush;
  if (plan.port_file) {
    try {
      write_file_atomically(*plan.port_file, std::to_string(monitor->listening()->port()) + '\n');
    } catch (const std::system_error& e) {
      err << kWhere << ": --port-file: " << e.what() << '\n';
      control.detach();
      graph->stop();
      control.processor()->shutdown();
      return kExitFailed;
    }
  }

  const std::shared_ptr<const svc::served_counters> served = monitor->served();
  const std::string reason = wait_for_stop(plan, *served);
  err << "stopping: " << reason << '\n';
  drain(*served);
  control.detach();
  graph->stop();  // no span ends after this
  const std::shared_ptr<tracer::batch_processor> processor = control.processor();
  // Before the graph goes: queued spans point into its tracers (their resources).
  const bool flushed = processor->force_flush(kFlushTimeout);
  processor->shutdown();
  graph.reset();  // closes the server and the pooled connections

  const svc::server_counters& server = *monitor->server();
  const svc::client_counters& client = *monitor->client();
  const std::uint64_t bad =
      get(server.bad_requests) + get(server.not_found) + get(server.headers_too_large) + get(server.bodies_too_large);
  const tracer::span_counts spans = processor->counts();
  out << "served " << plan.transport.local << " on " << listening << ": requests " << get(served->answered)
      << ", errors " << get(served->errors) << ", bad requests " << bad << ", timeouts " << get(server.timeouts)
      << "; calls to peers " << get(client.opens) + get(client.reuses) << ", failed " << get(client.failures)
      << ", error replies " << get(client.error_responses) << "; spans exported " << spans.exported << ", dropped "
      << spans.dropped << "; work " << svc::to_string(work.model)
      << (work.rate ? std::string(", ") + work.rate->describe() : "") << '\n'
      << std::flush;
  if (!flushed) err << kWhere << ": the exporter did not finish flushing within " << kFlushTimeout.count() << " s\n";
  return kExitOk;
}

}  // namespace

const command& serve_command() {
  static const command kCommand{
      "serve",
      "--service NAME [--listen ADDR:PORT] [--peer NAME=URL ...] [options] SCENARIO",
      "run one service of a scenario as its own process, its callees at other addresses",
      "Runs service NAME of SCENARIO as an HTTP/1.1 server (POST or GET /call/NAME, the loopback\n"
      "transport's wire) and sends its calls to the services it calls at the URLs given by --peer:\n"
      "other 'tracebench serve' processes, here or on other hosts, so one graph spans processes.\n"
      "Prints \"listening on ADDR:PORT\" as the first line on stderr once it serves. Traces as a\n"
      "run does, trace context in real headers; --export writes this process's spans. Stops at\n"
      "SIGINT or SIGTERM, after --duration or --max-requests: lets requests under way finish,\n"
      "flushes the spans, prints its counters on stdout and exits 0. With the compute work model it\n"
      "calibrates its work kernel once before serving (about 50 ms of CPU) and reports the rate in\n"
      "its control replies (so 'tracebench run --target' records every process's) and its counters.\n"
      "Exits 2 for bad flags, an invalid scenario or a callee without a peer, 1 when it cannot listen.\n"
      "With --w3c-test-endpoint and no scenario it is the W3C Trace Context test suite's service:\n"
      "POST /test [{\"url\", \"arguments\"}, ...] POSTs each item's arguments to its url, in a child span.",
      "  tracebench serve --service backend --listen 127.0.0.1:9002 chain.json\n"
      "  tracebench serve --service frontend --listen 0.0.0.0:9001 --peer backend=http://127.0.0.1:9002 "
      "chain.json\n"
      "  tracebench serve --service api --tracing 1/16 --export spans.otlp.jsonl --duration 60 checkout\n"
      "  tracebench serve --w3c-test-endpoint --listen 127.0.0.1:5000\n",
      run_serve};
  return kCommand;
}

}  // namespace tracebench::harness
