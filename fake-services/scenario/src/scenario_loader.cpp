#include "tracebench/services/scenario_loader.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <limits>
#include <stdexcept>

#include "json_checker.hpp"
#include "sampling_reader.hpp"

namespace tracebench::services {

namespace {

using detail::child;
using detail::element;
using detail::json;
using detail::key_list;
using detail::quote;

constexpr std::size_t kNone = std::numeric_limits<std::size_t>::max();

constexpr std::string_view kTopKeys[] = {"name",       "description", "entry",    "resource", "load",
                                         "production", "sampling",    "services", "work"};
constexpr std::array<std::pair<std::string_view, work_model>, 2> kWorkModels = {
    {{"compute", work_model::compute}, {"spin", work_model::spin}}};
constexpr std::string_view kRequiredTopKeys[] = {"name", "entry", "services"};
constexpr std::string_view kLoadKeys[] = {"rate", "duration_s"};
constexpr std::string_view kProductionKeys[] = {"requests_per_second", "services"};
constexpr std::string_view kServiceKeys[] = {"operation",     "kind",           "cpu_us",
                                             "wait_us",       "response_bytes", "error_probability",
                                             "attributes",    "events",         "propagates_context",
                                             "clock_skew_ms", "internal_spans", "calls",
                                             "external"};
// An external service's work happens in its own process: only what its callers and the
// summary need may be written.
constexpr std::string_view kExternalKeys[] = {"external", "operation", "calls"};
// The loopback wire's path, used when an external URL names none.
constexpr std::string_view kCallPath = "/call/";
constexpr std::string_view kInternalSpanKeys[] = {"name", "kind", "attributes", "events", "cpu_us", "wait_us"};
constexpr std::string_view kCallKeys[] = {"to",       "probability",    "repeat",    "via",
                                          "on_error", "queue_delay_us", "batch_size"};
constexpr std::array<std::pair<std::string_view, call_via>, 3> kVias = {
    {{"rpc", call_via::rpc}, {"queue", call_via::queue}, {"batch", call_via::batch}}};
constexpr std::array<std::pair<std::string_view, error_policy>, 2> kPolicies = {
    {{"propagate", error_policy::propagate}, {"ignore", error_policy::ignore}}};

// Reads one scenario document. Structure first, in file order; the graph checks need every
// service and come last.
class scenario_reader {
 public:
  explicit scenario_reader(detail::json_checker& check) : check_(check) {}

  scenario read(const json& doc);

 private:
  void read_top(const json& doc, scenario& s);
  void read_services(const json& v, scenario& s);
  void read_service(const json& v, const std::string& path, service& out);
  void read_external(const json& v, const std::string& path, service& out);
  void read_internal_span(const json& v, const std::string& path, internal_span& out);
  void read_steps(const json& v, const std::string& path, std::vector<step>& out);
  std::optional<call> read_call(const json& v, const std::string& path);
  void resolve_entry(const json& doc, scenario& s);
  void check_graph(scenario& s);

  std::size_t index_of(std::string_view name) const {
    const auto it = std::find(names_.begin(), names_.end(), name);
    return it == names_.end() ? kNone : static_cast<std::size_t>(it - names_.begin());
  }

  detail::json_checker& check_;
  std::vector<std::string> names_;  // service names, file order
  std::vector<bool> kind_given_;    // per service: "kind" was written
  std::vector<bool> external_;      // per service: "external" was written
  bool in_external_ = false;        // the service being read is external
  bool unresolved_ = false;         // a call or the entry names no known service
};

scenario scenario_reader::read(const json& doc) {
  scenario s;
  read_top(doc, s);
  if (const auto it = doc.find("services"); it != doc.end() && check_.is_object(*it, "services")) {
    read_services(*it, s);
  }
  resolve_entry(doc, s);
  if (!s.services.empty()) check_graph(s);
  return s;
}

void scenario_reader::read_top(const json& doc, scenario& s) {
  check_.known_keys(doc, "", kTopKeys);
  for (std::string_view key : kRequiredTopKeys) check_.required_key(doc, "", key);
  if (doc.contains("name")) s.name = check_.text(doc["name"], "name").value_or("");
  if (doc.contains("description")) s.description = check_.text(doc["description"], "description", true).value_or("");
  if (doc.contains("resource")) {
    s.resource = check_.attributes(doc["resource"], "resource");
    for (const attribute& a : s.resource) {
      if (a.key == "service.name") {
        check_.fail(child("resource", a.key), "reserved: each service's name is its service.name");
      }
    }
  }
  if (const auto it = doc.find("load"); it != doc.end() && check_.is_object(*it, "load")) {
    check_.known_keys(*it, "load", kLoadKeys);
    if (it->contains("rate")) s.load.rate = check_.positive((*it)["rate"], "load.rate").value_or(0);
    if (it->contains("duration_s")) {
      s.load.duration_s = check_.positive((*it)["duration_s"], "load.duration_s").value_or(0);
    }
  }
  if (const auto it = doc.find("production"); it != doc.end() && check_.is_object(*it, "production")) {
    check_.known_keys(*it, "production", kProductionKeys);
    for (std::string_view key : kProductionKeys) check_.required_key(*it, "production", key);
    production_profile& p = s.production.emplace();
    if (it->contains("requests_per_second")) {
      p.requests_per_second =
          check_.positive((*it)["requests_per_second"], "production.requests_per_second").value_or(0);
    }
    if (it->contains("services")) {
      p.services = static_cast<std::uint32_t>(
          check_.integer((*it)["services"], "production.services", 1, 1'000'000).value_or(0));
    }
  }
  if (const auto it = doc.find("sampling"); it != doc.end() && check_.is_object(*it, "sampling")) {
    detail::read_sampling(check_, *it, s.sampling.emplace());
  }
  if (doc.contains("work")) {
    s.work = check_.choice(doc["work"], "work", "work model", kWorkModels).value_or(work_model::compute);
  }
}

void scenario_reader::read_services(const json& v, scenario& s) {
  if (v.empty()) check_.fail("services", "no services");
  // Every name first: a call may name a service written after its caller.
  for (auto it = v.begin(); it != v.end(); ++it) {
    names_.push_back(it.key());
    external_.push_back(it.value().is_object() && it.value().contains("external"));
  }
  for (auto it = v.begin(); it != v.end(); ++it) {
    const std::string path = child("services", it.key());
    if (it.key().empty()) check_.fail(path, "service names must not be empty");
    service& svc = s.services.emplace_back();
    svc.name = it.key();
    svc.operation = it.key();
    kind_given_.push_back(it.value().is_object() && it.value().contains("kind"));
    read_service(it.value(), path, svc);
  }
}

void scenario_reader::read_service(const json& v, const std::string& path, service& out) {
  if (!check_.is_object(v, path)) {
    unresolved_ = true;  // its calls are unknown, so reachability cannot be judged
    return;
  }
  check_.known_keys(v, path, kServiceKeys);
  const auto at = [&](std::string_view key) { return child(path, key); };
  in_external_ = v.contains("external");
  if (in_external_) read_external(v, path, out);
  if (v.contains("operation")) out.operation = check_.text(v["operation"], at("operation")).value_or(out.operation);
  if (v.contains("kind")) out.kind = check_.kind(v["kind"], at("kind")).value_or(span_kind::server);
  if (v.contains("cpu_us"))
    out.cpu_us = check_.duration_distribution(v["cpu_us"], at("cpu_us")).value_or(distribution{});
  if (v.contains("wait_us")) {
    out.wait_us = check_.duration_distribution(v["wait_us"], at("wait_us")).value_or(distribution{});
  }
  if (v.contains("response_bytes")) {
    constexpr std::int64_t kMaxBytes = std::numeric_limits<std::uint32_t>::max();
    out.response_bytes =
        static_cast<std::uint32_t>(check_.integer(v["response_bytes"], at("response_bytes"), 0, kMaxBytes).value_or(0));
  }
  if (v.contains("error_probability")) {
    out.error_probability = check_.probability(v["error_probability"], at("error_probability")).value_or(0);
  }
  if (v.contains("attributes")) out.attributes = check_.attributes(v["attributes"], at("attributes"));
  if (v.contains("events")) out.events = check_.names(v["events"], at("events"));
  if (v.contains("propagates_context")) {
    out.propagates_context = check_.boolean(v["propagates_context"], at("propagates_context")).value_or(true);
  }
  if (v.contains("clock_skew_ms"))
    out.clock_skew_ms = check_.number(v["clock_skew_ms"], at("clock_skew_ms")).value_or(0);
  if (const auto it = v.find("internal_spans"); it != v.end()) {
    if (!it->is_array()) {
      check_.wrong_type(at("internal_spans"), "an array", *it);
    } else {
      for (std::size_t i = 0; i < it->size(); ++i) {
        read_internal_span((*it)[i], element(at("internal_spans"), i), out.internal_spans.emplace_back());
      }
    }
  }
  if (v.contains("calls")) read_steps(v["calls"], at("calls"), out.steps);
}

void scenario_reader::read_external(const json& v, const std::string& path, service& out) {
  const auto listed = [](key_list keys, std::string_view key) {
    return std::find(keys.begin(), keys.end(), key) != keys.end();
  };
  for (auto it = v.begin(); it != v.end(); ++it) {
    // Unknown keys were reported already.
    if (listed(kServiceKeys, it.key()) && !listed(kExternalKeys, it.key())) {
      check_.fail(child(path, it.key()),
                  "not allowed with \"external\" (an external service's work happens in its own process)");
    }
  }
  const std::string at = child(path, "external");
  const std::optional<std::string> url = check_.text(v["external"], at);
  if (!url) return;
  external_service ext;
  ext.url = *url;
  try {
    ext.endpoint = tracer::parse_http_url(*url);
  } catch (const std::invalid_argument& e) {
    check_.fail(at, e.what());
    return;
  }
  const std::string_view rest = std::string_view(*url).substr(url->find("://") + 3);
  if (rest.find_first_of("/?") == std::string_view::npos) ext.endpoint.target = std::string(kCallPath) + out.name;
  out.external = std::move(ext);
}

void scenario_reader::read_internal_span(const json& v, const std::string& path, internal_span& out) {
  if (!check_.is_object(v, path)) return;
  check_.known_keys(v, path, kInternalSpanKeys);
  check_.required_key(v, path, "name");
  const auto at = [&](std::string_view key) { return child(path, key); };
  if (v.contains("name")) out.name = check_.text(v["name"], at("name")).value_or("");
  if (v.contains("kind")) out.kind = check_.kind(v["kind"], at("kind")).value_or(span_kind::internal);
  if (v.contains("attributes")) out.attributes = check_.attributes(v["attributes"], at("attributes"));
  if (v.contains("events")) out.events = check_.names(v["events"], at("events"));
  if (v.contains("cpu_us"))
    out.cpu_us = check_.duration_distribution(v["cpu_us"], at("cpu_us")).value_or(distribution{});
  if (v.contains("wait_us")) {
    out.wait_us = check_.duration_distribution(v["wait_us"], at("wait_us")).value_or(distribution{});
  }
}

void scenario_reader::read_steps(const json& v, const std::string& path, std::vector<step>& out) {
  if (!v.is_array()) {
    check_.wrong_type(path, "an array of steps", v);
    unresolved_ = true;
    return;
  }
  for (std::size_t i = 0; i < v.size(); ++i) {
    const json& item = v[i];
    const std::string at = element(path, i);
    step& s = out.emplace_back();
    if (item.is_object()) {
      if (std::optional<call> c = read_call(item, at)) s.calls.push_back(std::move(*c));
    } else if (item.is_array()) {
      if (item.empty()) check_.fail(at, "empty parallel step");
      for (std::size_t j = 0; j < item.size(); ++j) {
        if (!item[j].is_object()) {
          check_.wrong_type(element(at, j), "a call object", item[j]);
          unresolved_ = true;
        } else if (std::optional<call> c = read_call(item[j], element(at, j))) {
          s.calls.push_back(std::move(*c));
        }
      }
    } else {
      check_.wrong_type(at, "a call object or an array of calls run in parallel", item);
      unresolved_ = true;
    }
  }
}

std::optional<call> scenario_reader::read_call(const json& v, const std::string& path) {
  check_.known_keys(v, path, kCallKeys);
  const auto at = [&](std::string_view key) { return child(path, key); };
  call c;
  c.target = kNone;
  check_.required_key(v, path, "to");
  if (v.contains("to")) {
    if (std::optional<std::string> to = check_.text(v["to"], at("to"))) {
      c.to = *to;
      c.target = index_of(c.to);
      if (c.target == kNone) check_.fail(at("to"), "unknown service " + quote(c.to) + detail::suggestion(c.to, names_));
    }
  }
  if (c.target == kNone) unresolved_ = true;
  if (v.contains("probability")) c.probability = check_.probability(v["probability"], at("probability")).value_or(1);
  if (v.contains("repeat")) {
    c.repeat = static_cast<std::uint32_t>(check_.integer(v["repeat"], at("repeat"), 1, kMaxRepeat).value_or(1));
  }
  // An unknown "via" is reported once; the checks that depend on it are skipped.
  std::optional<call_via> via = call_via::rpc;
  if (v.contains("via")) via = check_.choice(v["via"], at("via"), "call mode", kVias);
  c.via = via.value_or(call_via::rpc);
  // Over HTTP an external service takes and makes plain requests: the wire's queue and batch
  // deliveries are tracebench's own.
  if (via && *via != call_via::rpc) {
    if (in_external_) {
      check_.fail(at("via"), "an external service's calls are rpc only (HTTP requests it makes)");
    } else if (c.target != kNone && external_[c.target]) {
      check_.fail(at("via"), "service " + quote(c.to) + " is external: it is called by rpc only");
    }
  }
  if (v.contains("on_error")) {
    if (via && *via != call_via::rpc) {
      check_.fail(at("on_error"), "only valid with \"via\": \"rpc\" (an asynchronous caller never sees the error)");
    } else {
      c.on_error =
          check_.choice(v["on_error"], at("on_error"), "error policy", kPolicies).value_or(error_policy::propagate);
    }
  }
  if (v.contains("queue_delay_us")) {
    if (via && *via != call_via::queue) {
      check_.fail(at("queue_delay_us"), "only valid with \"via\": \"queue\"");
    } else {
      c.queue_delay_us =
          check_.duration_distribution(v["queue_delay_us"], at("queue_delay_us")).value_or(distribution{});
    }
  }
  if (v.contains("batch_size")) {
    if (via && *via != call_via::batch) {
      check_.fail(at("batch_size"), "only valid with \"via\": \"batch\"");
    } else {
      c.batch_size =
          static_cast<std::uint32_t>(check_.integer(v["batch_size"], at("batch_size"), 1, kMaxBatchSize).value_or(1));
    }
  } else if (via == call_via::batch) {
    check_.fail(path, "missing required key \"batch_size\" (\"via\": \"batch\" needs it)");
  }
  if (c.target == kNone) return std::nullopt;
  return c;
}

void scenario_reader::resolve_entry(const json& doc, scenario& s) {
  s.entry_index = kNone;
  const auto it = doc.find("entry");
  if (it == doc.end()) {
    unresolved_ = true;
    return;
  }
  if (std::optional<std::string> entry = check_.text(*it, "entry")) s.entry = *entry;
  s.entry_index = index_of(s.entry);
  if (s.entry_index != kNone) return;
  unresolved_ = true;
  // Without services every name is unknown, and that is already reported.
  if (!s.entry.empty() && !names_.empty()) {
    check_.fail("entry", "unknown service " + quote(s.entry) + detail::suggestion(s.entry, names_));
  }
}

void scenario_reader::check_graph(scenario& s) {
  const std::size_t n = s.services.size();
  std::vector<std::vector<std::size_t>> edges(n);  // distinct targets, in first-call order
  std::vector<bool> by_rpc(n, false);
  std::vector<bool> by_message(n, false);
  for (std::size_t i = 0; i < n; ++i) {
    for (const step& st : s.services[i].steps) {
      for (const call& c : st.calls) {
        if (std::find(edges[i].begin(), edges[i].end(), c.target) == edges[i].end()) edges[i].push_back(c.target);
        (c.via == call_via::rpc ? by_rpc : by_message)[c.target] = true;
      }
    }
  }

  // Depth-first from the entry, then the rest in file order; every back edge closes a cycle.
  enum class mark : std::uint8_t { unseen, active, done };
  std::vector<mark> marks(n, mark::unseen);
  std::vector<std::size_t> stack;
  const auto visit = [&](auto&& self, std::size_t u) -> void {
    marks[u] = mark::active;
    stack.push_back(u);
    for (std::size_t v : edges[u]) {
      if (marks[v] == mark::active) {
        std::string cycle;
        for (auto it = std::find(stack.begin(), stack.end(), v); it != stack.end(); ++it) {
          cycle += s.services[*it].name + " -> ";
        }
        check_.fail("services", "call cycle " + cycle + s.services[v].name);
      } else if (marks[v] == mark::unseen) {
        self(self, v);
      }
    }
    stack.pop_back();
    marks[u] = mark::done;
  };
  if (s.entry_index != kNone) visit(visit, s.entry_index);
  for (std::size_t i = 0; i < n; ++i) {
    if (marks[i] == mark::unseen) visit(visit, i);
  }

  // A mistyped target also strands the service it meant, so report only the typo.
  if (!unresolved_) {
    std::vector<bool> reached(n, false);
    std::vector<std::size_t> todo = {s.entry_index};
    reached[s.entry_index] = true;
    while (!todo.empty()) {
      const std::size_t u = todo.back();
      todo.pop_back();
      for (std::size_t v : edges[u]) {
        if (!reached[v]) {
          reached[v] = true;
          todo.push_back(v);
        }
      }
    }
    for (std::size_t i = 0; i < n; ++i) {
      if (!reached[i]) check_.fail(child("services", s.services[i].name), "not reachable from entry " + quote(s.entry));
    }
  }

  // An unwritten kind follows how the service is reached: consumer if only through messages.
  for (std::size_t i = 0; i < n; ++i) {
    if (!kind_given_[i]) {
      const bool consumer = by_message[i] && !by_rpc[i] && i != s.entry_index;
      s.services[i].kind = consumer ? span_kind::consumer : span_kind::server;
    }
  }
}

}  // namespace

load_result parse_scenario(std::string_view text) {
  detail::json_checker check;
  json doc;
  try {
    doc = json::parse(text.begin(), text.end(), detail::duplicate_key_finder(check), true, true);
  } catch (const json::exception& e) {
    return {std::nullopt, {detail::describe_parse_error(e)}, false};
  }
  if (!doc.is_object()) {
    check.wrong_type("", "an object", doc);
    return {std::nullopt, check.take_errors(), false};
  }
  scenario s = scenario_reader(check).read(doc);
  if (!check.errors().empty()) return {std::nullopt, check.take_errors(), false};
  return {std::move(s), {}, false};
}

load_result load_scenario_file(const std::filesystem::path& file) {
  const auto unreadable = [&](int error) {
    return load_result{std::nullopt, {"cannot read " + file.string() + ": " + std::strerror(error)}, true};
  };
  std::error_code ec;
  if (std::filesystem::is_directory(file, ec)) return unreadable(EISDIR);
  errno = 0;
  std::ifstream in(file, std::ios::binary);
  if (!in) return unreadable(errno != 0 ? errno : ENOENT);
  std::string contents{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  if (in.bad()) return unreadable(errno != 0 ? errno : EIO);
  return parse_scenario(contents);
}

}  // namespace tracebench::services
