#pragma once
// Runs a shipped scenario in-process for a few requests, exports every span to an OTLP/JSON
// file and reads it back through trace_analysis: what the service tests assert on.

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <memory>
#include <string>

#include "tracebench/results/trace_analysis.hpp"
#include "tracebench/services/scenario_loader.hpp"
#include "tracebench/services/service_graph.hpp"
#include "tracebench/services/tracing_config.hpp"
#include "tracebench/tracer/otlp_json_file_exporter.hpp"
#include "tracebench/tracer/simple_processor.hpp"

namespace tracebench::test {

struct scenario_run {
  services::scenario spec;
  harness::trace_report report;
  tracer::span_counts counts;
  std::size_t completed = 0;
  std::size_t errors = 0;
};

inline services::scenario load_shipped(const std::string& name) {
  services::load_result loaded = services::load_scenario_file(TRACEBENCH_SOURCE_DIR "/scenarios/" + name + ".json");
  EXPECT_TRUE(loaded.ok()) << name;
  return std::move(*loaded.value);
}

// Submits `requests` requests at once (their waits overlap, so a checkout batch takes about one
// request's latency) and waits until they and their queue and batch follow-ups are done.
inline scenario_run run_scenario(const services::scenario& spec, std::size_t requests,
                                 const std::string& config = "1/1", unsigned threads = 2) {
  const std::filesystem::path file = std::filesystem::temp_directory_path() /
                                     ("tracebench_services_" + std::to_string(::getpid()) + "_" + spec.name + ".jsonl");
  auto processor =
      std::make_shared<tracer::simple_processor>(std::make_shared<tracer::otlp_json_file_exporter>(file.string()));
  scenario_run run;
  run.spec = spec;
  std::atomic<std::size_t> completed{0};
  std::atomic<std::size_t> errors{0};
  {
    services::graph_options options;
    options.threads = threads;
    options.seed = 42;
    options.instrument = services::make_instrumentation_factory(services::tracing_config::parse(config), processor);
    services::service_graph graph(spec, std::move(options));
    for (std::size_t i = 0; i < requests; ++i) {
      graph.submit(i, [&](const services::request_result& r) {
        if (r.error) errors.fetch_add(1);
        completed.fetch_add(1);
      });
    }
    EXPECT_TRUE(graph.wait_idle(std::chrono::seconds(20))) << spec.name;
    graph.stop();
  }
  processor->shutdown();
  run.counts = processor->counts();
  run.completed = completed.load();
  run.errors = errors.load();
  run.report = harness::analyze_otlp_file(file);
  std::filesystem::remove(file);
  return run;
}

}  // namespace tracebench::test
