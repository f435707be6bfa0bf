// The scenario loader: what a valid file becomes, and every kind of validation error, one at
// a time, with its exact one-line message.

#include "tracebench/services/scenario_loader.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace ts = tracebench::services;
using json = nlohmann::ordered_json;
using errors = std::vector<std::string>;

namespace {

// gateway -> payments -> {ledger, then bank-api}: small, valid, and deep enough to break.
json base() {
  return json::parse(R"({
    "name": "t",
    "entry": "gateway",
    "services": {
      "gateway": {"calls": [{"to": "payments"}]},
      "payments": {"calls": [{"to": "ledger"}, {"to": "bank-api"}]},
      "ledger": {"wait_us": 100},
      "bank-api": {"wait_us": 1000}
    }
  })");
}

errors errors_of(const std::string& text) { return ts::parse_scenario(text).errors; }
errors errors_of(const char* text) { return errors_of(std::string(text)); }
errors errors_of(const json& doc) { return errors_of(doc.dump()); }

json& service(json& doc, const char* name) { return doc["services"][name]; }
json& first_call(json& doc) { return doc["services"]["gateway"]["calls"][0]; }

}  // namespace

// ---- what a valid file becomes ----------------------------------------------------------

TEST(ScenarioLoader, BaseIsValidWithDefaults) {
  const ts::load_result r = ts::parse_scenario(base().dump());
  ASSERT_TRUE(r.ok()) << r.errors.front();
  const ts::scenario& s = *r.value;
  EXPECT_EQ(s.name, "t");
  EXPECT_EQ(s.description, "");
  EXPECT_EQ(s.entry, "gateway");
  EXPECT_EQ(s.entry_service().name, "gateway");
  EXPECT_EQ(s.load.rate, ts::load_profile::kDefaultRate);
  EXPECT_EQ(s.load.duration_s, ts::load_profile::kDefaultDurationSeconds);
  EXPECT_FALSE(s.production.has_value());
  ASSERT_EQ(s.services.size(), 4u);
  EXPECT_EQ(s.services[1].name, "payments");  // file order is kept
  const ts::service& payments = s.services[1];
  EXPECT_EQ(payments.operation, "payments");  // defaults to the service name
  EXPECT_EQ(payments.kind, ts::span_kind::server);
  EXPECT_EQ(payments.cpu_us, ts::distribution::constant(0));
  EXPECT_TRUE(payments.propagates_context);
  ASSERT_EQ(payments.steps.size(), 2u);
  const ts::call& c = payments.steps[1].calls.at(0);
  EXPECT_EQ(c.to, "bank-api");
  EXPECT_EQ(c.target, 3u);
  EXPECT_EQ(c.probability, 1.0);
  EXPECT_EQ(c.repeat, 1u);
  EXPECT_EQ(c.via, ts::call_via::rpc);
  EXPECT_EQ(c.on_error, ts::error_policy::propagate);
  EXPECT_EQ(s.find("bank-api"), &s.services[3]);
  EXPECT_EQ(s.find("bank"), nullptr);
}

TEST(ScenarioLoader, ReadsEveryField) {
  const ts::load_result r = ts::parse_scenario(R"({
    "name": "full", "description": "all of it", "entry": "api",
    "resource": {"deployment.environment": "bench", "replicas": 3, "ratio": 0.5, "canary": false},
    "load": {"rate": 250, "duration_s": 30},
    "production": {"requests_per_second": 10000, "services": 20},
    "services": {
      "api": {
        "operation": "GET /x", "kind": "server",
        "cpu_us": {"uniform": [10, 90]},
        "wait_us": {"lognormal": {"median": 200, "p99": 2000}},
        "response_bytes": 512, "error_probability": 0.001,
        "attributes": {"http.route": "/x"}, "events": ["cart.validated"],
        "propagates_context": false, "clock_skew_ms": -2.5,
        "internal_spans": [{"name": "SELECT", "kind": "client", "attributes": {"db.system": "postgresql"},
                            "events": ["rows"], "cpu_us": 5, "wait_us": {"exponential": 300}}],
        "calls": [
          {"to": "db"},
          [{"to": "db", "probability": 0.9, "repeat": 2, "on_error": "ignore"}, {"to": "worker", "via": "queue",
            "queue_delay_us": {"empirical": [10, 20, 30]}}],
          {"to": "loader", "via": "batch", "batch_size": 8}
        ]
      },
      "db": {"cpu_us": {"constant": 7}},
      "worker": {},
      "loader": {"kind": "internal"}
    }
  })");
  ASSERT_TRUE(r.ok()) << r.errors.front();
  const ts::scenario& s = *r.value;
  EXPECT_EQ(s.description, "all of it");
  ASSERT_EQ(s.resource.size(), 4u);
  EXPECT_EQ(s.resource[0], (ts::attribute{"deployment.environment", std::string("bench")}));
  EXPECT_EQ(s.resource[1], (ts::attribute{"replicas", std::int64_t{3}}));
  EXPECT_EQ(s.resource[2], (ts::attribute{"ratio", 0.5}));
  EXPECT_EQ(s.resource[3], (ts::attribute{"canary", false}));
  EXPECT_EQ(s.load.rate, 250);
  EXPECT_EQ(s.load.duration_s, 30);
  ASSERT_TRUE(s.production.has_value());
  EXPECT_EQ(s.production->requests_per_second, 10000);
  EXPECT_EQ(s.production->services, 20u);

  const ts::service& api = s.services[0];
  EXPECT_EQ(api.operation, "GET /x");
  EXPECT_EQ(api.cpu_us, ts::distribution::uniform(10, 90));
  EXPECT_EQ(api.wait_us, ts::distribution::lognormal(200, 2000));
  EXPECT_EQ(api.response_bytes, 512u);
  EXPECT_EQ(api.error_probability, 0.001);
  EXPECT_EQ(api.attributes, (std::vector<ts::attribute>{{"http.route", std::string("/x")}}));
  EXPECT_EQ(api.events, (std::vector<std::string>{"cart.validated"}));
  EXPECT_FALSE(api.propagates_context);
  EXPECT_EQ(api.clock_skew_ms, -2.5);
  ASSERT_EQ(api.internal_spans.size(), 1u);
  const ts::internal_span& span = api.internal_spans[0];
  EXPECT_EQ(span.name, "SELECT");
  EXPECT_EQ(span.kind, ts::span_kind::client);
  EXPECT_EQ(span.events, (std::vector<std::string>{"rows"}));
  EXPECT_EQ(span.cpu_us, ts::distribution::constant(5));
  EXPECT_EQ(span.wait_us, ts::distribution::exponential(300));

  ASSERT_EQ(api.steps.size(), 3u);
  ASSERT_EQ(api.steps[1].calls.size(), 2u);
  const ts::call& parallel_db = api.steps[1].calls[0];
  EXPECT_EQ(parallel_db.probability, 0.9);
  EXPECT_EQ(parallel_db.repeat, 2u);
  EXPECT_EQ(parallel_db.on_error, ts::error_policy::ignore);
  const ts::call& queued = api.steps[1].calls[1];
  EXPECT_EQ(queued.via, ts::call_via::queue);
  EXPECT_EQ(queued.queue_delay_us, ts::distribution::empirical({10, 20, 30}));
  const ts::call& batched = api.steps[2].calls.at(0);
  EXPECT_EQ(batched.via, ts::call_via::batch);
  EXPECT_EQ(batched.batch_size, 8u);
  EXPECT_EQ(s.services[1].cpu_us, ts::distribution::constant(7));
}

TEST(ScenarioLoader, KindDefaultsFollowHowAServiceIsReached) {
  const ts::load_result r = ts::parse_scenario(R"({"name": "k", "entry": "a", "services": {
    "a": {"calls": [{"to": "b"}, {"to": "c", "via": "queue"}, {"to": "d", "via": "batch", "batch_size": 2},
                    {"to": "e", "via": "queue"}]},
    "b": {}, "c": {}, "d": {"calls": [{"to": "e"}]}, "e": {}}})");
  ASSERT_TRUE(r.ok()) << r.errors.front();
  const auto kind = [&](const char* name) { return r.value->find(name)->kind; };
  EXPECT_EQ(kind("a"), ts::span_kind::server);
  EXPECT_EQ(kind("b"), ts::span_kind::server);
  EXPECT_EQ(kind("c"), ts::span_kind::consumer);
  EXPECT_EQ(kind("d"), ts::span_kind::consumer);
  EXPECT_EQ(kind("e"), ts::span_kind::server);  // reached by rpc too
}

TEST(ScenarioLoader, ReadsAnExternalService) {
  const ts::load_result r = ts::parse_scenario(R"({"name": "ext", "entry": "front", "services": {
    "front": {"calls": [{"to": "middle"}, {"to": "edge"}]},
    "middle": {"external": "http://127.0.0.1:9100", "operation": "POST /checkout", "calls": [{"to": "back"}]},
    "edge": {"external": "http://localhost:9200/api/call?v=2"},
    "back": {"wait_us": 100}}})");
  ASSERT_TRUE(r.ok()) << r.errors.front();
  const ts::scenario& s = *r.value;
  EXPECT_FALSE(s.find("front")->external.has_value());
  ASSERT_EQ(s.first_external(), s.find("middle"));
  const ts::service& middle = *s.find("middle");
  ASSERT_TRUE(middle.external.has_value());
  EXPECT_EQ(middle.external->url, "http://127.0.0.1:9100");
  EXPECT_EQ(middle.external->endpoint.host, "127.0.0.1");
  EXPECT_EQ(middle.external->endpoint.port, 9100);
  EXPECT_EQ(middle.external->endpoint.target, "/call/middle");  // no path: the wire's own
  EXPECT_EQ(middle.operation, "POST /checkout");
  ASSERT_EQ(middle.steps.size(), 1u);
  EXPECT_EQ(middle.steps[0].calls.at(0).to, "back");
  const ts::service& edge = *s.find("edge");
  ASSERT_TRUE(edge.external.has_value());
  EXPECT_EQ(edge.external->endpoint.host, "localhost");
  EXPECT_EQ(edge.external->endpoint.target, "/api/call?v=2");  // a path is kept as written
  EXPECT_EQ(edge.operation, "edge");
}

TEST(ScenarioLoader, ExternalServiceErrors) {
  json doc = base();
  service(doc, "ledger") = json::parse(R"({"external": "https://ledger.example/call", "wait_us": 100,
                                            "propagates_context": false})");
  service(doc, "bank-api") = json::parse(R"({"external": 8080})");
  EXPECT_EQ(errors_of(doc),
            (errors{R"(services.ledger.wait_us: not allowed with "external" (an external service's work happens )"
                    "in its own process)",
                    R"(services.ledger.propagates_context: not allowed with "external" (an external service's work )"
                    "happens in its own process)",
                    "services.ledger.external: bad URL 'https://ledger.example/call': https is not supported (no "
                    "TLS): use http://",
                    "services.bank-api.external: expected a string, got number"}));
}

TEST(ScenarioLoader, ExternalServicesAreCalledAndCallByRpcOnly) {
  json doc = base();
  service(doc, "payments")["calls"][0]["via"] = "queue";
  service(doc, "ledger") = json::parse(R"({"external": "http://127.0.0.1:9000"})");
  EXPECT_EQ(errors_of(doc), (errors{R"(services.payments.calls[0].via: service "ledger" is external: it is )"
                                    "called by rpc only"}));
  doc = base();
  service(doc, "payments") = json::parse(R"({"external": "http://127.0.0.1:9000",
      "calls": [{"to": "ledger", "via": "batch", "batch_size": 4}, {"to": "bank-api"}]})");
  EXPECT_EQ(errors_of(doc), (errors{"services.payments.calls[0].via: an external service's calls are rpc only "
                                    "(HTTP requests it makes)"}));
}

TEST(ScenarioLoader, AcceptsComments) {
  EXPECT_TRUE(ts::parse_scenario(R"({
    // a line comment
    "name": "c", /* a block comment */ "entry": "a", "services": {"a": {}}
  })")
                  .ok());
}

// ---- invalid JSON ------------------------------------------------------------------------

TEST(ScenarioLoader, InvalidJsonGivesLineAndColumn) {
  EXPECT_EQ(errors_of("{\n  \"name\": \"x\",\n  \"entry\": }\n"),
            errors{"line 3, column 12: invalid JSON: syntax error while parsing value - unexpected '}'; "
                   "expected '[', '{', or a literal"});
  EXPECT_EQ(errors_of(R"({"name": "x",})"),
            errors{"line 1, column 14: invalid JSON: syntax error while parsing object key - unexpected '}'; "
                   "expected string literal"});
}

TEST(ScenarioLoader, EmptyInputIsInvalidJson) {
  EXPECT_EQ(errors_of(""), errors{"line 1, column 1: invalid JSON: syntax error while parsing value - unexpected "
                                  "end of input; expected '[', '{', or a literal"});
}

TEST(ScenarioLoader, InvalidUtf8IsShownEscaped) {
  EXPECT_EQ(errors_of("{\"name\": \"x\xff\"}"),
            errors{"line 1, column 12: invalid JSON: syntax error while parsing value - invalid string: ill-formed "
                   "UTF-8 byte; last read: '\"x\\xff'"});
}

TEST(ScenarioLoader, NumberOverflowIsInvalidJson) {
  EXPECT_EQ(errors_of(R"({"load": {"rate": 1e400}})"), errors{"invalid JSON: number overflow parsing '1e400'"});
}

// ---- structure ---------------------------------------------------------------------------

TEST(ScenarioLoader, TopLevelMustBeAnObject) {
  EXPECT_EQ(errors_of("[]"), errors{"top level: expected an object, got an array"});
  EXPECT_EQ(errors_of("42"), errors{"top level: expected an object, got number"});
}

TEST(ScenarioLoader, MissingRequiredTopLevelKeys) {
  EXPECT_EQ(errors_of("{}"),
            (errors{"top level: missing required key \"name\"", "top level: missing required key \"entry\"",
                    "top level: missing required key \"services\""}));
}

TEST(ScenarioLoader, MissingCallTarget) {
  json doc = base();
  first_call(doc).erase("to");
  EXPECT_EQ(errors_of(doc), errors{"services.gateway.calls[0]: missing required key \"to\""});
}

TEST(ScenarioLoader, MissingInternalSpanName) {
  json doc = base();
  service(doc, "ledger")["internal_spans"] = json::parse(R"([{"wait_us": 5}])");
  EXPECT_EQ(errors_of(doc), errors{"services.ledger.internal_spans[0]: missing required key \"name\""});
}

TEST(ScenarioLoader, UnknownKeysAreNamedWithTheirPath) {
  json doc = base();
  doc["owner"] = "me";
  service(doc, "payments")["timeout_ms"] = 5;
  first_call(doc)["retries"] = 3;
  EXPECT_EQ(errors_of(doc),
            (errors{"top level: unknown key \"owner\"", "services.gateway.calls[0]: unknown key \"retries\"",
                    "services.payments: unknown key \"timeout_ms\""}));
}

TEST(ScenarioLoader, UnknownKeySuggestsANearMiss) {
  json doc = base();
  service(doc, "ledger")["cpu_ms"] = 5;
  first_call(doc)["probabilty"] = 0.5;
  EXPECT_EQ(errors_of(doc), (errors{"services.gateway.calls[0]: unknown key \"probabilty\" (did you mean "
                                    "\"probability\"?)",
                                    "services.ledger: unknown key \"cpu_ms\" (did you mean \"cpu_us\"?)"}));
}

TEST(ScenarioLoader, DuplicateKeys) {
  EXPECT_EQ(errors_of(R"({"name": "a", "name": "b", "entry": "x", "services": {"x": {}, "x": {}}})"),
            (errors{"top level: duplicate key \"name\"", "services: duplicate key \"x\""}));
  EXPECT_EQ(errors_of(R"({"name": "a", "entry": "x", "services": {"x": {"calls": [{"to": "x", "to": "x"}]}}})"),
            (errors{"services.x.calls[0]: duplicate key \"to\"", "services: call cycle x -> x"}));
}

TEST(ScenarioLoader, WrongTypes) {
  json doc = base();
  doc["name"] = 7;
  doc["load"] = "fast";
  service(doc, "gateway")["cpu_us"] = "50us";
  service(doc, "gateway")["propagates_context"] = "no";
  service(doc, "gateway")["events"] = json::array({"ok", 3});
  service(doc, "gateway")["attributes"] = json::parse(R"({"tags": ["a"]})");
  service(doc, "ledger")["response_bytes"] = 1.5;
  service(doc, "ledger")["internal_spans"] = json::object();
  EXPECT_EQ(errors_of(doc),
            (errors{"name: expected a string, got number", "load: expected an object, got string",
                    "services.gateway.cpu_us: expected a duration in microseconds (a number or a distribution "
                    "object), got string",
                    "services.gateway.attributes.tags: expected a string, number or boolean, got an array",
                    "services.gateway.events[1]: expected a string, got number",
                    "services.gateway.propagates_context: expected true or false, got string",
                    "services.ledger.response_bytes: must be an integer from 0 to 4294967295, got 1.5",
                    "services.ledger.internal_spans: expected an array, got an object"}));
}

TEST(ScenarioLoader, WrongTypesInTheCallGraph) {
  json doc = base();
  doc["services"]["ledger"] = "a service";
  service(doc, "payments")["calls"] = json::parse(R"(["bank-api", []])");
  EXPECT_EQ(errors_of(doc), (errors{"services.payments.calls[0]: expected a call object or an array of calls run "
                                    "in parallel, got string",
                                    "services.payments.calls[1]: empty parallel step",
                                    "services.ledger: expected an object, got string"}));
  doc = base();
  service(doc, "gateway")["calls"] = json::parse(R"({"to": "payments"})");
  EXPECT_EQ(errors_of(doc), errors{"services.gateway.calls: expected an array of steps, got an object"});
  doc = base();
  service(doc, "gateway")["calls"] = json::parse(R"([[{"to": "payments"}, "ledger"]])");
  EXPECT_EQ(errors_of(doc), errors{"services.gateway.calls[0][1]: expected a call object, got string"});
}

TEST(ScenarioLoader, EmptyStrings) {
  json doc = base();
  doc["name"] = "";
  service(doc, "ledger")["operation"] = "";
  EXPECT_EQ(errors_of(doc), (errors{"name: must not be empty", "services.ledger.operation: must not be empty"}));
  EXPECT_EQ(errors_of(R"({"name": "e", "entry": "", "services": {"": {}}})"),
            (errors{"services[\"\"]: service names must not be empty", "entry: must not be empty"}));
}

TEST(ScenarioLoader, NoServices) {
  EXPECT_EQ(errors_of(R"({"name": "e", "entry": "a", "services": {}})"), errors{"services: no services"});
}

// ---- the graph ---------------------------------------------------------------------------

TEST(ScenarioLoader, UnknownCallTarget) {
  json doc = base();
  service(doc, "payments")["calls"][1]["to"] = "bank";
  EXPECT_EQ(errors_of(doc), errors{"services.payments.calls[1].to: unknown service \"bank\""});
}

TEST(ScenarioLoader, UnknownTargetSuggestsANearMiss) {
  json doc = base();
  service(doc, "payments")["calls"][1]["to"] = "bank_ap";
  EXPECT_EQ(errors_of(doc), errors{"services.payments.calls[1].to: unknown service \"bank_ap\" (did you mean "
                                   "\"bank-api\"?)"});
}

TEST(ScenarioLoader, UnknownEntry) {
  json doc = base();
  doc["entry"] = "gatewy";
  EXPECT_EQ(errors_of(doc), errors{"entry: unknown service \"gatewy\" (did you mean \"gateway\"?)"});
}

TEST(ScenarioLoader, CyclesAreNamed) {
  json doc = base();
  service(doc, "bank-api")["calls"] = json::parse(R"([{"to": "gateway"}])");
  EXPECT_EQ(errors_of(doc), errors{"services: call cycle gateway -> payments -> bank-api -> gateway"});
  doc = base();
  service(doc, "ledger")["calls"] = json::parse(R"([{"to": "ledger", "via": "queue"}])");
  EXPECT_EQ(errors_of(doc), errors{"services: call cycle ledger -> ledger"});
}

TEST(ScenarioLoader, UnreachableService) {
  json doc = base();
  service(doc, "audit") = json::object();
  EXPECT_EQ(errors_of(doc), errors{"services.audit: not reachable from entry \"gateway\""});
}

// ---- numbers and distributions -----------------------------------------------------------

TEST(ScenarioLoader, ProbabilitiesOutsideZeroToOne) {
  json doc = base();
  first_call(doc)["probability"] = 1.5;
  service(doc, "ledger")["error_probability"] = -0.1;
  EXPECT_EQ(errors_of(doc), (errors{"services.gateway.calls[0].probability: probability must be between 0 and 1, "
                                    "got 1.5",
                                    "services.ledger.error_probability: probability must be between 0 and 1, got "
                                    "-0.1"}));
}

TEST(ScenarioLoader, RepeatMustBeAPositiveInteger) {
  json doc = base();
  first_call(doc)["repeat"] = 0;
  EXPECT_EQ(errors_of(doc), errors{"services.gateway.calls[0].repeat: must be an integer from 1 to 10000, got 0"});
  first_call(doc)["repeat"] = 2.5;
  EXPECT_EQ(errors_of(doc), errors{"services.gateway.calls[0].repeat: must be an integer from 1 to 10000, got 2.5"});
  first_call(doc)["repeat"] = 1000000;
  EXPECT_EQ(errors_of(doc),
            errors{"services.gateway.calls[0].repeat: must be an integer from 1 to 10000, got 1000000"});
  first_call(doc)["repeat"] = "2";
  EXPECT_EQ(errors_of(doc),
            errors{"services.gateway.calls[0].repeat: expected an integer from 1 to 10000, got string"});
}

TEST(ScenarioLoader, NegativeDurations) {
  json doc = base();
  service(doc, "gateway")["cpu_us"] = -5;
  service(doc, "gateway")["wait_us"] = json::parse(R"({"constant": -1})");
  service(doc, "ledger")["cpu_us"] = json::parse(R"({"exponential": -40})");
  service(doc, "ledger")["wait_us"] = json::parse(R"({"empirical": [10, -2]})");
  EXPECT_EQ(errors_of(doc), (errors{"services.gateway.cpu_us: negative duration -5",
                                    "services.gateway.wait_us.constant: negative duration -1",
                                    "services.ledger.cpu_us.exponential: negative duration -40",
                                    "services.ledger.wait_us.empirical[1]: negative duration -2"}));
}

TEST(ScenarioLoader, UniformBounds) {
  json doc = base();
  service(doc, "ledger")["cpu_us"] = json::parse(R"({"uniform": [90, 10]})");
  service(doc, "ledger")["wait_us"] = json::parse(R"({"uniform": [10]})");
  EXPECT_EQ(errors_of(doc), (errors{"services.ledger.cpu_us.uniform: low 90 is above high 10",
                                    "services.ledger.wait_us.uniform: expected [low, high], got 1 value"}));
}

TEST(ScenarioLoader, LognormalNeedsAPositiveMedianAndAP99AboveIt) {
  json doc = base();
  service(doc, "ledger")["cpu_us"] = json::parse(R"({"lognormal": {"median": 200, "p99": 100}})");
  service(doc, "ledger")["wait_us"] = json::parse(R"({"lognormal": {"median": 0, "p99": 100}})");
  service(doc, "bank-api")["wait_us"] = json::parse(R"({"lognormal": {"median": 5, "p90": 9}})");
  EXPECT_EQ(errors_of(doc), (errors{"services.ledger.cpu_us.lognormal: p99 100 is below the median 200",
                                    "services.ledger.wait_us.lognormal.median: must be > 0, got 0",
                                    "services.bank-api.wait_us.lognormal: unknown key \"p90\" (did you mean \"p99\"?)",
                                    "services.bank-api.wait_us.lognormal: missing required key \"p99\""}));
}

TEST(ScenarioLoader, EmpiricalListMustNotBeEmpty) {
  json doc = base();
  service(doc, "ledger")["wait_us"] = json::parse(R"({"empirical": []})");
  EXPECT_EQ(errors_of(doc), errors{"services.ledger.wait_us.empirical: empty list"});
}

TEST(ScenarioLoader, DistributionObjectNeedsExactlyOneKnownShape) {
  json doc = base();
  service(doc, "ledger")["cpu_us"] = json::object();
  service(doc, "ledger")["wait_us"] = json::parse(R"({"constant": 1, "uniform": [1, 2]})");
  service(doc, "bank-api")["cpu_us"] = json::parse(R"({"normal": 5})");
  service(doc, "bank-api")["wait_us"] = json::parse(R"({"lognorml": {"median": 1, "p99": 2}})");
  EXPECT_EQ(errors_of(doc),
            (errors{"services.ledger.cpu_us: expected one of constant, uniform, exponential, lognormal or empirical",
                    "services.ledger.wait_us: expected exactly one distribution, got 2 (constant, uniform)",
                    "services.bank-api.cpu_us: unknown distribution \"normal\" (expected constant, uniform, "
                    "exponential, lognormal or empirical)",
                    "services.bank-api.wait_us: unknown distribution \"lognorml\" (did you mean \"lognormal\"?)"}));
}

// ---- call modes --------------------------------------------------------------------------

TEST(ScenarioLoader, BatchNeedsABatchSizeOfAtLeastOne) {
  json doc = base();
  first_call(doc)["via"] = "batch";
  EXPECT_EQ(errors_of(doc),
            errors{"services.gateway.calls[0]: missing required key \"batch_size\" (\"via\": \"batch\" needs it)"});
  first_call(doc)["batch_size"] = 0;
  EXPECT_EQ(errors_of(doc), errors{"services.gateway.calls[0].batch_size: must be an integer from 1 to 10000, got 0"});
}

TEST(ScenarioLoader, BatchSizeOnlyWithBatch) {
  json doc = base();
  first_call(doc)["batch_size"] = 4;
  EXPECT_EQ(errors_of(doc), errors{"services.gateway.calls[0].batch_size: only valid with \"via\": \"batch\""});
}

TEST(ScenarioLoader, QueueDelayOnlyWithQueue) {
  json doc = base();
  first_call(doc)["queue_delay_us"] = 100;
  EXPECT_EQ(errors_of(doc), errors{"services.gateway.calls[0].queue_delay_us: only valid with \"via\": \"queue\""});
  first_call(doc)["via"] = "queue";
  EXPECT_TRUE(errors_of(doc).empty());
  first_call(doc)["queue_delay_us"] = json::parse(R"({"exponential": -1})");
  EXPECT_EQ(errors_of(doc), errors{"services.gateway.calls[0].queue_delay_us.exponential: negative duration -1"});
}

TEST(ScenarioLoader, OnErrorOnlyWithRpc) {
  json doc = base();
  first_call(doc)["via"] = "queue";
  first_call(doc)["on_error"] = "ignore";
  EXPECT_EQ(errors_of(doc), errors{"services.gateway.calls[0].on_error: only valid with \"via\": \"rpc\" (an "
                                   "asynchronous caller never sees the error)"});
}

TEST(ScenarioLoader, UnknownEnumValues) {
  json doc = base();
  first_call(doc)["via"] = "grpc";
  first_call(doc)["batch_size"] = 2;  // not judged: the mode itself is unknown
  service(doc, "ledger")["kind"] = "rpc";
  service(doc, "bank-api")["internal_spans"] = json::parse(R"([{"name": "q", "kind": "db"}])");
  service(doc, "payments")["calls"][0]["on_error"] = "retry";
  EXPECT_EQ(errors_of(doc),
            (errors{"services.gateway.calls[0].via: unknown call mode \"grpc\" (expected rpc, queue or batch)",
                    "services.payments.calls[0].on_error: unknown error policy \"retry\" (expected propagate or "
                    "ignore)",
                    "services.ledger.kind: unknown span kind \"rpc\" (expected server, client, producer, consumer or "
                    "internal)",
                    "services.bank-api.internal_spans[0].kind: unknown span kind \"db\" (expected server, client, "
                    "producer, consumer or internal)"}));
}

// ---- top-level sections ------------------------------------------------------------------

TEST(ScenarioLoader, LoadAndProductionFigures) {
  json doc = base();
  doc["load"] = json::parse(R"({"rate": 0, "duration_s": -1})");
  doc["production"] = json::parse(R"({"services": 0})");
  EXPECT_EQ(errors_of(doc), (errors{"load.rate: must be > 0, got 0", "load.duration_s: must be > 0, got -1",
                                    "production: missing required key \"requests_per_second\"",
                                    "production.services: must be an integer from 1 to 1000000, got 0"}));
}

TEST(ScenarioLoader, ReadsASamplingProfile) {
  json doc = base();
  doc["sampling"] = json::parse(R"({
    "configurations": ["1/16", "1/1024", "tail", "1/16+tail"],
    "tail": {"decision_wait_us": 2000000, "num_traces": 1000, "errors": false, "slow_us": 100000, "baseline": 0.25}
  })");
  const ts::load_result r = ts::parse_scenario(doc.dump());
  ASSERT_TRUE(r.ok()) << r.errors.front();
  ASSERT_TRUE(r.value->sampling.has_value());
  const ts::sampling_profile& sampling = *r.value->sampling;
  EXPECT_EQ(sampling.configurations, (std::vector<std::string>{"1/16", "1/1024", "tail", "1/16+tail"}));
  EXPECT_EQ(sampling.tail.decision_wait_us, 2'000'000);
  EXPECT_EQ(sampling.tail.num_traces, 1000u);
  EXPECT_FALSE(sampling.tail.keep_errors);
  EXPECT_EQ(sampling.tail.slow_us, std::optional<std::int64_t>(100'000));
  EXPECT_EQ(sampling.tail.baseline, 0.25);
}

TEST(ScenarioLoader, SamplingIsOptionalAndTailKeysDefault) {
  json doc = base();
  ASSERT_TRUE(ts::parse_scenario(doc.dump()).ok());
  EXPECT_FALSE(ts::parse_scenario(doc.dump()).value->sampling.has_value());

  // Written as --rates takes them: kept as written, not normalised.
  doc["sampling"] = json::parse(R"({"configurations": ["0.0625", "tail"]})");
  const ts::load_result r = ts::parse_scenario(doc.dump());
  ASSERT_TRUE(r.ok()) << r.errors.front();
  ASSERT_TRUE(r.value->sampling.has_value());
  EXPECT_EQ(r.value->sampling->configurations, (std::vector<std::string>{"0.0625", "tail"}));
  const ts::tail_collector_spec defaults;
  const ts::tail_collector_spec& tail = r.value->sampling->tail;
  EXPECT_EQ(tail.decision_wait_us, defaults.decision_wait_us);
  EXPECT_EQ(tail.num_traces, defaults.num_traces);
  EXPECT_EQ(tail.keep_errors, defaults.keep_errors);
  EXPECT_FALSE(tail.slow_us.has_value());
  EXPECT_EQ(tail.baseline, defaults.baseline);

  // An empty tail object is every default too.
  doc["sampling"]["tail"] = json::object();
  const ts::load_result empty_tail = ts::parse_scenario(doc.dump());
  ASSERT_TRUE(empty_tail.ok()) << empty_tail.errors.front();
  EXPECT_EQ(empty_tail.value->sampling->tail.decision_wait_us, defaults.decision_wait_us);
  EXPECT_FALSE(empty_tail.value->sampling->tail.slow_us.has_value());
}

TEST(ScenarioLoader, SamplingErrorsNameTheirPath) {
  struct bad_case {
    const char* sampling;  // the "sampling" value
    std::string error;     // the one error expected, in full: the path first
  };
  const std::vector<bad_case> cases = {
      {R"("1/16")", "sampling: expected an object, got string"},
      {R"({})", "sampling: missing required key \"configurations\""},
      {R"({"configurations": "1/16"})",
       "sampling.configurations: expected an array of tracing configurations, got string"},
      {R"({"configurations": []})", "sampling.configurations: empty list"},
      {R"({"configurations": ["1/16", 16]})", "sampling.configurations[1]: expected a string, got number"},
      {R"({"configurations": ["1/16", ""]})", "sampling.configurations[1]: must not be empty"},
      {R"({"configurations": ["1/16", "1/1024", "1/0"]})",
       "sampling.configurations[2]: sampling ratio \"1/0\": division by zero (use 1/16, 0.0625 or 6.25%)"},
      {R"({"configurations": ["fast"]})",
       "sampling.configurations[0]: sampling ratio \"fast\": not a number (use 1/16, 0.0625 or 6.25%)"},
      {R"({"configurations": ["1/16", "off"]})", "sampling.configurations[1]: \"off\" always runs already"},
      {R"({"configurations": ["never"]})", "sampling.configurations[0]: \"never\" always runs already"},
      {R"({"configurations": ["0"]})",
       "sampling.configurations[0]: \"0\" samples nothing; \"never\" always runs already"},
      {R"({"configurations": ["1/16", "tail", "1/16"]})",
       "sampling.configurations[2]: \"1/16\" is listed twice: sampling.configurations[0] is also 1/16"},
      {R"({"configurations": ["1/16", "0.0625"]})",
       "sampling.configurations[1]: \"0.0625\" is listed twice: sampling.configurations[0] is also 1/16"},
      {R"({"configurations": ["+tail"]})",
       "sampling.configurations[0]: sampling ratio \"\": empty (use 1/16, 0.0625 or 6.25%)"},
      {R"({"configurations": ["never+tail"]})",
       "sampling.configurations[0]: tracing configuration 'never+tail': a tail sampler needs a head sampling ratio "
       "before '+tail'"},
      {R"({"configurations": ["1/16\nx"]})", "sampling.configurations[0]: unknown tracing configuration \"1/16\\nx\""},
      {R"({"configurations": ["tail"], "rates": ["1/16"]})", "sampling: unknown key \"rates\""},
      {R"({"configurations": ["tail"], "tail": 1})", "sampling.tail: expected an object, got number"},
      {R"({"configurations": ["tail"], "tail": {"baseline": 1.5}})",
       "sampling.tail.baseline: probability must be between 0 and 1, got 1.5"},
      {R"({"configurations": ["tail"], "tail": {"decision_wait_us": -1}})",
       "sampling.tail.decision_wait_us: must be an integer from 1 to 600000000, got -1"},
      {R"({"configurations": ["tail"], "tail": {"decision_wait_us": 1.5}})",
       "sampling.tail.decision_wait_us: must be an integer from 1 to 600000000, got 1.5"},
      {R"({"configurations": ["tail"], "tail": {"num_traces": 0}})",
       "sampling.tail.num_traces: must be an integer from 1 to 10000000, got 0"},
      {R"({"configurations": ["tail"], "tail": {"slow_us": 0}})",
       "sampling.tail.slow_us: must be an integer from 1 to 600000000, got 0"},
      {R"({"configurations": ["tail"], "tail": {"errors": "yes"}})",
       "sampling.tail.errors: expected true or false, got string"},
      {R"({"configurations": ["tail"], "tail": {"slow_ms": 100}})",
       "sampling.tail: unknown key \"slow_ms\" (did you mean \"slow_us\"?)"},
  };
  for (const bad_case& c : cases) {
    json doc = base();
    doc["sampling"] = json::parse(c.sampling);
    const errors got = errors_of(doc);
    EXPECT_EQ(got, errors{c.error}) << c.sampling;
  }
}

TEST(ScenarioLoader, SamplingErrorsAreAllReported) {
  json doc = base();
  doc["sampling"] = json::parse(R"({
    "configurations": ["1/16", "off", "1/16"],
    "tail": {"num_traces": 0, "baseline": -0.5}
  })");
  EXPECT_EQ(errors_of(doc),
            (errors{"sampling.configurations[1]: \"off\" always runs already",
                    "sampling.configurations[2]: \"1/16\" is listed twice: sampling.configurations[0] is also 1/16",
                    "sampling.tail.num_traces: must be an integer from 1 to 10000000, got 0",
                    "sampling.tail.baseline: probability must be between 0 and 1, got -0.5"}));
}

TEST(ScenarioLoader, ResourceValuesAndReservedKeys) {
  json doc = base();
  doc["resource"] = json::parse(R"({"deployment.environment": ["a"], "service.name": "x", "": 1})");
  EXPECT_EQ(errors_of(doc), (errors{"resource[\"deployment.environment\"]: expected a string, number or boolean, "
                                    "got an array",
                                    "resource[\"\"]: attribute keys must not be empty",
                                    "resource[\"service.name\"]: reserved: each service's name is its service.name"}));
}

// ---- all at once -------------------------------------------------------------------------

TEST(ScenarioLoader, CollectsEveryErrorInFileOrder) {
  json doc = base();
  doc["load"] = json::parse(R"({"rate": -1})");
  service(doc, "gateway")["cpu_us"] = json::parse(R"({"uniform": [5, 1]})");
  first_call(doc)["repeat"] = 0;
  service(doc, "payments")["calls"][1]["to"] = "bank";
  service(doc, "ledger")["wait_us"] = json::parse(R"({"empirical": []})");
  EXPECT_EQ(errors_of(doc),
            (errors{"load.rate: must be > 0, got -1", "services.gateway.cpu_us.uniform: low 5 is above high 1",
                    "services.gateway.calls[0].repeat: must be an integer from 1 to 10000, got 0",
                    "services.payments.calls[1].to: unknown service \"bank\"",
                    "services.ledger.wait_us.empirical: empty list"}));
}

TEST(ScenarioLoader, ErrorsNeverSpanLines) {
  json doc = base();
  doc["services"]["bad\nname"] = json::object();
  for (const std::string& e : errors_of(doc)) EXPECT_EQ(e.find('\n'), std::string::npos) << e;
  EXPECT_EQ(errors_of(doc), errors{"services[\"bad\\nname\"]: not reachable from entry \"gateway\""});
}

// ---- files -------------------------------------------------------------------------------

TEST(ScenarioLoader, MissingFile) {
  const ts::load_result r = ts::load_scenario_file("/nonexistent/dir/x.json");
  EXPECT_TRUE(r.unreadable);
  EXPECT_EQ(r.errors, errors{"cannot read /nonexistent/dir/x.json: No such file or directory"});
}

TEST(ScenarioLoader, DirectoryIsNotAFile) {
  const ts::load_result r = ts::load_scenario_file(TRACEBENCH_SOURCE_DIR "/scenarios");
  EXPECT_TRUE(r.unreadable);
  EXPECT_EQ(r.errors, errors{"cannot read " TRACEBENCH_SOURCE_DIR "/scenarios: Is a directory"});
}

TEST(ScenarioLoader, ReadsAFile) {
  const std::filesystem::path file = std::filesystem::temp_directory_path() / "tracebench_loader_test.json";
  std::ofstream(file) << base().dump(2);
  const ts::load_result r = ts::load_scenario_file(file);
  std::filesystem::remove(file);
  EXPECT_TRUE(r.ok());
  EXPECT_FALSE(r.unreadable);
}
