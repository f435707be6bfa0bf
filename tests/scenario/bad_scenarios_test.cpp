// A table of broken scenarios, each the kind of mistake a person writing one makes, with
// the exact errors the loader must give: every one found, one line each, in file order.

#include <gtest/gtest.h>

#include <ostream>
#include <string>
#include <vector>

#include "tracebench/services/scenario_loader.hpp"

namespace ts = tracebench::services;

namespace {

struct bad_scenario {
  const char* name;
  const char* text;
  std::vector<std::string> expected;
};

// Names the case in test listings instead of dumping the struct's bytes.
void PrintTo(const bad_scenario& s, std::ostream* out) { *out << s.name; }

const bad_scenario kBadScenarios[] = {
    {"typo_in_call_target",
     R"({"name": "checkout", "entry": "gateway", "services": {
          "gateway": {"calls": [{"to": "payments"}]},
          "payments": {"calls": [{"to": "ledger"}, {"to": "bank"}]},
          "ledger": {}, "bank-api": {"wait_us": 87000}}})",
     {R"(services.payments.calls[1].to: unknown service "bank")"}},

    {"trailing_comma",
     "{\"name\": \"checkout\",\n \"entry\": \"gateway\",\n \"services\": {\"gateway\": {},}\n}",
     {"line 3, column 29: invalid JSON: syntax error while parsing object key - unexpected '}'; expected string "
      "literal"}},

    {"missing_entry", R"({"name": "x", "services": {"a": {}}})", {R"(top level: missing required key "entry")"}},

    {"entry_names_no_service",
     R"({"name": "x", "entry": "frontend", "services": {"gateway": {}}})",
     {R"(entry: unknown service "frontend")"}},

    {"two_service_cycle",
     R"({"name": "x", "entry": "gateway", "services": {
          "gateway": {"calls": [{"to": "checkout"}]},
          "checkout": {"calls": [{"to": "gateway"}]}}})",
     {"services: call cycle gateway -> checkout -> gateway"}},

    {"cycle_through_a_queue",
     R"({"name": "x", "entry": "api", "services": {
          "api": {"calls": [{"to": "orders"}]},
          "orders": {"calls": [{"to": "worker", "via": "queue"}]},
          "worker": {"calls": [{"to": "orders"}]}}})",
     {"services: call cycle orders -> worker -> orders"}},

    {"duration_as_a_string_with_units",
     R"({"name": "x", "entry": "a", "services": {"a": {"cpu_us": "5ms"}}})",
     {"services.a.cpu_us: expected a duration in microseconds (a number or a distribution object), got string"}},

    {"milliseconds_key",
     R"({"name": "x", "entry": "a", "services": {"a": {"wait_ms": 5}}})",
     {R"(services.a: unknown key "wait_ms" (did you mean "wait_us"?))"}},

    {"probability_as_a_percentage",
     R"({"name": "x", "entry": "a", "services": {"a": {"calls": [{"to": "b", "probability": 90}]}, "b": {}}})",
     {"services.a.calls[0].probability: probability must be between 0 and 1, got 90"}},

    {"error_probability_as_a_percentage",
     R"({"name": "x", "entry": "a", "services": {"a": {"error_probability": 5}}})",
     {"services.a.error_probability: probability must be between 0 and 1, got 5"}},

    {"repeat_zero",
     R"({"name": "x", "entry": "a", "services": {"a": {"calls": [{"to": "b", "repeat": 0}]}, "b": {}}})",
     {"services.a.calls[0].repeat: must be an integer from 1 to 10000, got 0"}},

    {"negative_wait",
     R"({"name": "x", "entry": "a", "services": {"a": {"wait_us": -300}}})",
     {"services.a.wait_us: negative duration -300"}},

    {"uniform_bounds_reversed",
     R"({"name": "x", "entry": "a", "services": {"a": {"cpu_us": {"uniform": [90, 10]}}}})",
     {"services.a.cpu_us.uniform: low 90 is above high 10"}},

    {"lognormal_p99_below_median",
     R"({"name": "x", "entry": "a", "services": {"a": {"wait_us": {"lognormal": {"median": 2000, "p99": 200}}}}})",
     {"services.a.wait_us.lognormal: p99 200 is below the median 2000"}},

    {"lognormal_zero_median",
     R"({"name": "x", "entry": "a", "services": {"a": {"wait_us": {"lognormal": {"median": 0, "p99": 200}}}}})",
     {"services.a.wait_us.lognormal.median: must be > 0, got 0"}},

    {"empty_empirical_list",
     R"({"name": "x", "entry": "a", "services": {"a": {"wait_us": {"empirical": []}}}})",
     {"services.a.wait_us.empirical: empty list"}},

    {"batch_without_batch_size",
     R"({"name": "x", "entry": "a", "services": {"a": {"calls": [{"to": "b", "via": "batch"}]}, "b": {}}})",
     {R"(services.a.calls[0]: missing required key "batch_size" ("via": "batch" needs it))"}},

    {"queue_delay_on_an_rpc",
     R"({"name": "x", "entry": "a", "services": {"a": {"calls": [{"to": "b", "queue_delay_us": 500}]}, "b": {}}})",
     {R"(services.a.calls[0].queue_delay_us: only valid with "via": "queue")"}},

    {"on_error_on_a_batch",
     R"({"name": "x", "entry": "a", "services": {
          "a": {"calls": [{"to": "b", "via": "batch", "batch_size": 4, "on_error": "ignore"}]}, "b": {}}})",
     {R"(services.a.calls[0].on_error: only valid with "via": "rpc" (an asynchronous caller never sees the error))"}},

    {"database_as_a_span_kind",
     R"({"name": "x", "entry": "a", "services": {"a": {"internal_spans": [{"name": "SELECT", "kind": "database"}]}}})",
     {R"(services.a.internal_spans[0].kind: unknown span kind "database" (expected server, client, producer, )"
      "consumer or internal)"}},

    {"empty_parallel_step",
     R"({"name": "x", "entry": "a", "services": {"a": {"calls": [{"to": "b"}, []]}, "b": {}}})",
     {"services.a.calls[1]: empty parallel step"}},

    {"call_written_as_a_bare_name",
     R"({"name": "x", "entry": "a", "services": {"a": {"calls": ["b"]}, "b": {}}})",
     {"services.a.calls[0]: expected a call object or an array of calls run in parallel, got string"}},

    {"services_as_an_array",
     R"({"name": "x", "entry": "a", "services": [{"a": {}}]})",
     {"services: expected an object, got an array"}},

    {"service_written_twice",
     R"({"name": "x", "entry": "a", "services": {"a": {"calls": [{"to": "b"}]}, "b": {}, "b": {"cpu_us": 5}}})",
     {R"(services: duplicate key "b")"}},

    {"orphan_service",
     R"({"name": "x", "entry": "a", "services": {"a": {}, "b": {}}})",
     {R"(services.b: not reachable from entry "a")"}},

    {"nested_attribute_value",
     R"({"name": "x", "entry": "a", "services": {"a": {"attributes": {"http": {"route": "/x"}}}}})",
     {"services.a.attributes.http: expected a string, number or boolean, got an object"}},

    {"unknown_call_mode",
     R"({"name": "x", "entry": "a", "services": {"a": {"calls": [{"to": "b", "via": "http"}]}, "b": {}}})",
     {R"(services.a.calls[0].via: unknown call mode "http" (expected rpc, queue or batch))"}},

    {"external_service_with_its_own_work",
     R"({"name": "x", "entry": "a", "services": {
          "a": {"calls": [{"to": "b"}]}, "b": {"external": "http://127.0.0.1:9000", "cpu_us": 50}}})",
     {R"(services.b.cpu_us: not allowed with "external" (an external service's work happens in its own process))"}},

    {"external_url_without_scheme",
     R"({"name": "x", "entry": "a", "services": {"a": {"calls": [{"to": "b"}]}, "b": {"external": "127.0.0.1:9000"}}})",
     {"services.b.external: bad URL '127.0.0.1:9000': expected http://HOST:PORT/PATH"}},

    {"external_url_with_a_bad_port",
     R"({"name": "x", "entry": "a", "services": {
          "a": {"calls": [{"to": "b"}]}, "b": {"external": "http://127.0.0.1:70000/call/b"}}})",
     {"services.b.external: bad URL 'http://127.0.0.1:70000/call/b': port '70000' is not a number from 1 to 65535"}},

    {"queue_to_an_external_service",
     R"({"name": "x", "entry": "a", "services": {
          "a": {"calls": [{"to": "b", "via": "queue"}]}, "b": {"external": "http://127.0.0.1:9000"}}})",
     {R"(services.a.calls[0].via: service "b" is external: it is called by rpc only)"}},

    {"several_mistakes_at_once",
     R"({"name": "x", "entry": "a", "load": {"rate": 0}, "services": {
          "a": {"cpu_us": {"uniform": [1]}, "calls": [{"to": "c", "repeat": -1}]},
          "b": {"propagates_context": "false"}}})",
     {"load.rate: must be > 0, got 0", "services.a.cpu_us.uniform: expected [low, high], got 1 value",
      R"(services.a.calls[0].to: unknown service "c")",
      "services.a.calls[0].repeat: must be an integer from 1 to 10000, got -1",
      "services.b.propagates_context: expected true or false, got string"}},
};

class BadScenario : public testing::TestWithParam<bad_scenario> {};

TEST_P(BadScenario, GivesExactlyTheExpectedErrors) {
  const ts::load_result r = ts::parse_scenario(GetParam().text);
  EXPECT_FALSE(r.value.has_value());
  EXPECT_FALSE(r.unreadable);
  EXPECT_EQ(r.errors, GetParam().expected);
}

INSTANTIATE_TEST_SUITE_P(Table, BadScenario, testing::ValuesIn(kBadScenarios),
                         [](const testing::TestParamInfo<bad_scenario>& entry) {
                           return std::string(entry.param.name);
                         });

TEST(BadScenarioTable, HasAtLeastTwentyEntries) { EXPECT_GE(std::size(kBadScenarios), 20u); }

}  // namespace
