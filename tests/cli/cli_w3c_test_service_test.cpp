// `tracebench serve --w3c-test-endpoint`, the real binary, driven as the W3C Trace Context test
// suite drives a vendor's service: POST /test lists URLs of a recording server here, and every
// call the service makes is checked for what the suite checks (one lowercase traceparent, the
// trace kept or restarted, tracestate kept in order or dropped) and for its body.

#include <gtest/gtest.h>
#include <poll.h>
#include <strings.h>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "support/cli_fixture.hpp"
#include "support/serve_process.hpp"

namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;
using tracebench::testing_support::background_command;
using tracebench::testing_support::http_exchange;
using tracebench::testing_support::run_result;
using tracebench::testing_support::slurp;
using tracebench::testing_support::unused_port;

constexpr const char* kTraceId = "12345678901234567890123456789012";
constexpr const char* kParentId = "1234567890123456";

struct recorded_request {
  std::string target;
  std::vector<std::pair<std::string, std::string>> headers;  // as sent: names unfolded, repeats kept
  std::string body;

  [[nodiscard]] std::vector<std::pair<std::string, std::string>> all(const std::string& name) const {
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& h : headers) {
      if (strcasecmp(h.first.c_str(), name.c_str()) == 0) out.push_back(h);
    }
    return out;
  }
};

// An HTTP server on 127.0.0.1 that records every request and answers 200, one connection at a
// time on its own thread; it polls a stop flag, so it always ends with the test.
class recording_server {
 public:
  recording_server() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t size = sizeof address;
    if (::bind(fd_, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0 && ::listen(fd_, 16) == 0 &&
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &size) == 0) {
      port_ = ntohs(address.sin_port);
    }
    thread_ = std::thread([this] { loop(); });
  }
  ~recording_server() {
    stop_ = true;
    thread_.join();
    ::close(fd_);
  }
  recording_server(const recording_server&) = delete;
  recording_server& operator=(const recording_server&) = delete;

  [[nodiscard]] std::string url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }
  // Waits at most 10 s for `n` requests and takes them, oldest first; fewer when they did not come.
  std::vector<recorded_request> take(std::size_t n) {
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    for (;;) {
      {
        const std::lock_guard lock(mutex_);
        if (requests_.size() >= n || std::chrono::steady_clock::now() >= until) {
          std::vector<recorded_request> out(std::move(requests_));
          requests_.clear();
          return out;
        }
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }

 private:
  void loop() {
    while (!stop_) {
      pollfd ready{fd_, POLLIN, 0};
      if (::poll(&ready, 1, 50) <= 0) continue;
      const int client = ::accept(fd_, nullptr, nullptr);
      if (client < 0) continue;
      handle(client);
      ::close(client);
    }
  }

  void handle(int client) {
    timeval limit{5, 0};
    ::setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
    std::string in;
    char buffer[4096];
    std::size_t head_end = std::string::npos;
    while ((head_end = in.find("\r\n\r\n")) == std::string::npos && in.size() < 65536) {
      const ssize_t n = ::recv(client, buffer, sizeof buffer, 0);
      if (n <= 0) return;
      in.append(buffer, static_cast<std::size_t>(n));
    }
    if (head_end == std::string::npos) return;
    recorded_request r;
    std::size_t line_end = in.find("\r\n");
    const std::string request_line = in.substr(0, line_end);
    r.target = request_line.substr(request_line.find(' ') + 1);
    r.target = r.target.substr(0, r.target.find(' '));
    std::size_t length = 0;
    while (line_end < head_end) {
      const std::size_t start = line_end + 2;
      line_end = in.find("\r\n", start);
      const std::string line = in.substr(start, line_end - start);
      const std::size_t colon = line.find(':');
      std::string value = line.substr(colon + 1);
      value.erase(0, value.find_first_not_of(" \t"));
      value.erase(value.find_last_not_of(" \t") + 1);
      r.headers.emplace_back(line.substr(0, colon), value);
      if (strcasecmp(r.headers.back().first.c_str(), "content-length") == 0) length = std::stoul(value);
    }
    r.body = in.substr(head_end + 4);
    while (r.body.size() < length) {
      const ssize_t n = ::recv(client, buffer, sizeof buffer, 0);
      if (n <= 0) return;
      r.body.append(buffer, static_cast<std::size_t>(n));
    }
    {
      const std::lock_guard lock(mutex_);
      requests_.push_back(std::move(r));
    }
    const std::string reply = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
    (void)::send(client, reply.data(), reply.size(), MSG_NOSIGNAL);
  }

  int fd_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::mutex mutex_;
  std::vector<recorded_request> requests_;
  std::thread thread_;
};

struct traceparent {
  std::string version, trace, parent, flags;
  [[nodiscard]] bool sampled() const { return (std::stoi(flags, nullptr, 16) & 1) != 0; }
};

// The call's one traceparent, checked as the suite checks it; empty fields when it is not there.
traceparent traceparent_of(const recorded_request& call) {
  const auto found = call.all("traceparent");
  EXPECT_EQ(found.size(), 1U) << call.target;
  if (found.size() != 1) return {};
  EXPECT_EQ(found[0].first, "traceparent");  // written lowercase, as the spec recommends
  const std::string& v = found[0].second;
  EXPECT_TRUE(std::regex_match(v, std::regex("00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}"))) << v;
  if (v.size() != 55) return {};
  return {v.substr(0, 2), v.substr(3, 32), v.substr(36, 16), v.substr(53, 2)};
}

// The tracestate the call carried: "" when none, "?" when more than one header.
std::string tracestate_of(const recorded_request& call) {
  const auto found = call.all("tracestate");
  if (found.size() > 1) return "?";
  return found.empty() ? "" : found[0].second;
}

std::string status_of(const std::string& reply) { return reply.size() >= 12 ? reply.substr(9, 3) : reply; }
std::string body_of(const std::string& reply) {
  const std::size_t at = reply.find("\r\n\r\n");
  return at == std::string::npos ? "" : reply.substr(at + 4);
}

class CliW3cTestService : public tracebench::testing_support::cli_fixture {
 protected:
  void start() {
    // --duration bounds the process even when a test fails before stopping it.
    service_ = std::make_unique<background_command>(dir_, "service", "serve --w3c-test-endpoint --duration 120");
    port_ = service_->wait_listening();
    ASSERT_NE(port_, 0) << service_->err();
  }

  std::string post_test(const std::string& body, const std::string& headers = "",
                        const std::string& request_line = "POST /test") const {
    return http_exchange(port_, request_line + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n" +
                                    headers + "Content-Length: " + std::to_string(body.size()) +
                                    "\r\nConnection: close\r\n\r\n" + body);
  }

  // One /test request with `headers` asking for `count` calls to the recorder: the calls made.
  std::vector<recorded_request> calls_for(const std::string& headers, std::size_t count = 1) {
    json items = json::array();
    for (std::size_t i = 0; i < count; ++i) items.push_back({{"url", recorder_.url("/cb/" + std::to_string(i))}});
    const std::string reply = post_test(items.dump(), headers);
    EXPECT_EQ(status_of(reply), "200") << reply;
    std::vector<recorded_request> calls = recorder_.take(count);
    EXPECT_EQ(calls.size(), count);
    return calls;
  }

  recording_server recorder_;
  std::unique_ptr<background_command> service_;
  std::uint16_t port_ = 0;
};

std::string header(const std::string& name, const std::string& value) { return name + ": " + value + "\r\n"; }
std::string valid_parent(const std::string& flags = "01") {
  return header("traceparent", std::string("00-") + kTraceId + "-" + kParentId + "-" + flags);
}

TEST_F(CliW3cTestService, EachItemIsACallInItsOwnChildSpanWithItsArgumentsAsBody) {
  start();
  const json arguments[] = {json::array({{{"url", "http://127.0.0.1:1/next"}, {"arguments", json::array()}}}),
                            {{"b", 1}, {"a", {true, nullptr, 2.5}}},
                            "text"};
  json items = json::array();
  for (std::size_t i = 0; i < 3; ++i)
    items.push_back({{"url", recorder_.url("/cb/" + std::to_string(i))}, {"arguments", arguments[i]}});
  const std::string reply = post_test(items.dump(), valid_parent() + header("tracestate", "foo=1,bar=2"));
  ASSERT_EQ(status_of(reply), "200") << reply;
  EXPECT_EQ(json::parse(body_of(reply)).size(), 3U) << reply;

  const std::vector<recorded_request> calls = recorder_.take(3);
  ASSERT_EQ(calls.size(), 3U);
  std::set<std::string> parents;
  for (std::size_t i = 0; i < 3; ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(calls[i].target, "/cb/" + std::to_string(i));  // in order
    EXPECT_EQ(json::parse(calls[i].body), arguments[i]);
    EXPECT_EQ(calls[i].all("content-type").at(0).second, "application/json");
    const traceparent tp = traceparent_of(calls[i]);
    EXPECT_EQ(tp.trace, kTraceId);
    EXPECT_NE(tp.parent, kParentId);
    EXPECT_TRUE(tp.sampled());
    parents.insert(tp.parent);
    EXPECT_EQ(tracestate_of(calls[i]), "foo=1,bar=2");
  }
  EXPECT_EQ(parents.size(), 3U);  // each call is a span of its own
  EXPECT_EQ(service_->stop(), 0) << service_->err();
  // The server span and one client span per call, all sampled as the caller asked.
  EXPECT_NE(service_->out().find("requests 1, completed 1, bad requests 0, timeouts 0; calls 3, failed 0; "
                                 "spans exported 4"),
            std::string::npos)
      << service_->out();
}

TEST_F(CliW3cTestService, SampledFlagFollowsTheCallerAndNewTracesAreSampled) {
  start();
  const traceparent unsampled = traceparent_of(calls_for(valid_parent("00") + header("tracestate", "foo=1")).at(0));
  EXPECT_EQ(unsampled.trace, kTraceId);
  EXPECT_FALSE(unsampled.sampled());
  const std::vector<recorded_request> fresh = calls_for(header("tracestate", "foo=1"), 3);
  std::set<std::string> parents;
  for (const recorded_request& call : fresh) {
    const traceparent tp = traceparent_of(call);
    EXPECT_TRUE(tp.sampled());
    EXPECT_NE(tp.trace, std::string(32, '0'));
    parents.insert(tp.parent);
    EXPECT_EQ(tracestate_of(call), "");  // no traceparent: its tracestate means nothing
  }
  EXPECT_EQ(parents.size(), 3U);
}

TEST_F(CliW3cTestService, AnInvalidTraceparentStartsANewTraceWithoutTracestate) {
  start();
  const std::string t = kTraceId;
  const std::string p = kParentId;
  const std::string invalid[] = {
      "00-" + std::string("ABCDEF7890123456789012345678901A") + "-" + p + "-01",  // uppercase
      "ff-" + t + "-" + p + "-01",
      "00-" + std::string(32, '0') + "-" + p + "-01",
      "00-" + t + "-" + std::string(16, '0') + "-01",
      "00-" + t + "-" + p + "-01.",
      "00-" + t + "-" + p + "-01-what-the-future-will-be-like",
      "00-" + t + "3-" + p + "-01",
      "00-" + t.substr(1) + "-" + p + "-01",
      "0-" + t + "-" + p + "-01",
      "000-" + t + "-" + p + "-01",
      "00-" + t + "-" + p + "-1",
      "00-" + t + "-" + p + "-001",
      "00-" + t + "-." + p.substr(1) + "-01",
      "00-" + t + "-" + p + "-.0",
      "cc-" + t + "-" + p + "-01.what-the-future-will-be-like"};
  for (const std::string& value : invalid) {
    SCOPED_TRACE(value);
    const std::vector<recorded_request> calls = calls_for(header("traceparent", value) + header("tracestate", "foo=1"));
    if (calls.empty()) continue;
    const traceparent tp = traceparent_of(calls[0]);
    EXPECT_NE(tp.trace, kTraceId);
    EXPECT_NE(tp.trace, "abcdef7890123456789012345678901a");
    EXPECT_NE(tp.trace, std::string(32, '0'));
    EXPECT_TRUE(tp.sampled());
    EXPECT_EQ(tracestate_of(calls[0]), "");
  }
  // Two traceparents may disagree: neither is taken.
  const std::vector<recorded_request> twice =
      calls_for(header("traceparent", "00-" + t.substr(0, 31) + "1-" + p + "-01") + valid_parent() +
                header("tracestate", "foo=1"));
  ASSERT_EQ(twice.size(), 1U);
  const traceparent restarted = traceparent_of(twice[0]);
  EXPECT_NE(restarted.trace, kTraceId);
  EXPECT_NE(restarted.trace, t.substr(0, 31) + "1");
  EXPECT_EQ(tracestate_of(twice[0]), "");
}

TEST_F(CliW3cTestService, ValidVariantsKeepTheTrace) {
  start();
  const std::string rest = std::string(kTraceId) + "-" + kParentId + "-01";
  const std::string accepted[] = {header("traceparent", "cc-" + rest),  // future version
                                  header("traceparent", "cc-" + rest + "-what-the-future-will-be-like"),  // its fields
                                  "traceparent: \t 00-" + rest + " \t\r\n",                               // OWS
                                  header("TrAcEpArEnT", "00-" + rest)};                                   // name casing
  for (const std::string& headers : accepted) {
    SCOPED_TRACE(headers);
    const std::vector<recorded_request> calls = calls_for(headers);
    if (calls.empty()) continue;
    const traceparent tp = traceparent_of(calls[0]);
    EXPECT_EQ(tp.version, "00");  // we write the version we speak
    EXPECT_EQ(tp.trace, kTraceId);
    EXPECT_TRUE(tp.sampled());
  }
}

TEST_F(CliW3cTestService, TracestateKeepsOrderUpTo32MembersAndDropsAnInvalidOne) {
  start();
  std::string members[4];
  std::string joined;
  for (int i = 1; i <= 32; ++i) {
    // Appended: GCC 12 warns (-Wrestrict) on "literal" + std::string temporaries.
    std::string n = i < 10 ? "0" : "";
    n.append(std::to_string(i));
    std::string member = "bar";
    member.append(n).append("=").append(n);
    std::string& part = members[(i - 1) / 10];
    part.append(part.empty() ? "" : ",").append(member);
    joined.append(joined.empty() ? "" : ",").append(member);
  }
  const std::string headers32 = valid_parent("00") + header("tracestate", members[0]) +
                                header("tracestate", members[1]) + header("tracestate", members[2]);
  EXPECT_EQ(tracestate_of(calls_for(headers32 + header("tracestate", members[3])).at(0)), joined);
  EXPECT_EQ(tracestate_of(calls_for(headers32 + header("tracestate", members[3] + ",bar33=33")).at(0)), "");
  // Each is invalid as a whole, so none of it is passed on.
  for (const char* bad : {"foo=1,foo=2", "foo@=1,bar=2", "FOO=1", "foo=bar=baz", "foo=,bar=3"}) {
    EXPECT_EQ(tracestate_of(calls_for(valid_parent() + header("tracestate", bad)).at(0)), "") << bad;
  }
  EXPECT_EQ(tracestate_of(calls_for(valid_parent() + header("tracestate", "foo=1") + header("tracestate", "")).at(0)),
            "foo=1");
  EXPECT_EQ(tracestate_of(calls_for(valid_parent() + header("tracestate", "foo=1 \t , \t bar=2")).at(0)),
            "foo=1,bar=2");
}

TEST_F(CliW3cTestService, ABadRequestIsRefusedInOneLineAndServingGoesOn) {
  start();
  const std::pair<std::string, std::string> bad[] = {
      {"not json", "not JSON"},
      {R"({"url": "http://127.0.0.1:1/"})", "JSON object"},
      {"[1]", "item 0 is a JSON number"},
      {R"([{"arguments": []}])", "item 0 has no string \"url\""},
      {R"([{"url": 5}])", "item 0 has no string \"url\""},
      {R"([{"url": "http://127.0.0.1:1/"}, {"url": "https://127.0.0.1/"}])", "item 1: url: https is not supported"}};
  for (const auto& [body, problem] : bad) {
    SCOPED_TRACE(body);
    const std::string reply = post_test(body);
    EXPECT_EQ(status_of(reply), "400") << reply;
    const std::string text = body_of(reply);
    EXPECT_NE(text.find(problem), std::string::npos) << text;
    EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 1) << text;
  }
  EXPECT_EQ(status_of(post_test("[]", "", "GET /test")), "405");
  EXPECT_EQ(status_of(post_test("[]", "", "POST /other")), "404");
  EXPECT_EQ(calls_for(valid_parent()).size(), 1U);  // nothing was called for the bad ones, and it still serves

  EXPECT_EQ(service_->stop(), 0) << service_->err();
  EXPECT_NE(service_->out().find("requests 9, completed 1, bad requests 8, timeouts 0; calls 1, failed 0"),
            std::string::npos)
      << service_->out();
}

TEST_F(CliW3cTestService, AUrlThatFailsIsBoundedCountedAndTheOtherCallsAreMade) {
  start();
  // Accepts connections (the kernel's backlog) and never answers: the call must time out.
  const int silent = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t size = sizeof address;
  ASSERT_EQ(::bind(silent, reinterpret_cast<const sockaddr*>(&address), sizeof address), 0);
  ASSERT_EQ(::listen(silent, 4), 0);
  ASSERT_EQ(::getsockname(silent, reinterpret_cast<sockaddr*>(&address), &size), 0);
  const std::string silent_url = "http://127.0.0.1:" + std::to_string(ntohs(address.sin_port)) + "/silent";
  const std::string dead_url = "http://127.0.0.1:" + std::to_string(unused_port()) + "/dead";

  const json items = {{{"url", dead_url}}, {{"url", recorder_.url("/cb/0")}}, {{"url", silent_url}}};
  const std::string reply = post_test(items.dump(), valid_parent());
  ::close(silent);
  ASSERT_EQ(status_of(reply), "502") << reply;
  const json results = json::parse(body_of(reply));
  ASSERT_EQ(results.size(), 3U) << reply;
  EXPECT_TRUE(results[0].contains("error")) << reply;
  EXPECT_EQ(results[1].value("status", 0), 200) << reply;
  EXPECT_NE(results[2].value("error", "").find("timed out"), std::string::npos) << reply;
  EXPECT_EQ(recorder_.take(1).size(), 1U);
  EXPECT_EQ(calls_for(valid_parent()).size(), 1U);  // still serving

  EXPECT_EQ(service_->stop(), 0) << service_->err();
  EXPECT_NE(service_->out().find("requests 2, completed 1, bad requests 0, timeouts 0; calls 4, failed 2"),
            std::string::npos)
      << service_->out();
  EXPECT_NE(service_->err().find("call to " + dead_url + " failed: cannot connect"), std::string::npos)
      << service_->err();
}

TEST_F(CliW3cTestService, FlagsForAScenarioAreUsageErrorsAndLimitsStopIt) {
  for (const std::string& args : {std::string("--service api"), std::string("checkout"), std::string("--tracing 1/2"),
                                  std::string("--listen localhost:1"), std::string("--duration 0")}) {
    const run_result r = run("serve --w3c-test-endpoint " + args);
    EXPECT_EQ(r.exit_code, 2) << args;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_EQ(r.err.rfind("tracebench serve: ", 0), 0U) << r.err;
  }
  background_command limited(
      dir_, "limited",
      "serve --w3c-test-endpoint --max-requests 1 --duration 120 --port-file '" + (dir_ / "port").string() + "'");
  port_ = limited.wait_listening();
  ASSERT_NE(port_, 0) << limited.err();
  EXPECT_EQ(slurp(dir_ / "port"), std::to_string(port_) + "\n");
  EXPECT_EQ(calls_for(valid_parent()).size(), 1U);
  EXPECT_EQ(limited.wait(), 0) << limited.err();  // by itself
  EXPECT_NE(limited.err().find("stopping: --max-requests reached"), std::string::npos) << limited.err();

  background_command timed(dir_, "timed", "serve --w3c-test-endpoint --duration 0.2");
  ASSERT_NE(timed.wait_listening(), 0) << timed.err();
  EXPECT_EQ(timed.wait(), 0) << timed.err();
  EXPECT_NE(timed.err().find("stopping: --duration reached"), std::string::npos) << timed.err();
  EXPECT_NE(timed.out().find("requests 0"), std::string::npos) << timed.out();
}

TEST_F(CliW3cTestService, SigintAndSigtermStopItSayingWhich) {
  for (const auto& [number, name] : {std::pair{SIGINT, "SIGINT"}, std::pair{SIGTERM, "SIGTERM"}}) {
    background_command service(dir_, name, "serve --w3c-test-endpoint --duration 120");
    ASSERT_NE(service.wait_listening(), 0) << service.err();
    EXPECT_EQ(service.stop(number), 0) << service.err();
    EXPECT_NE(service.err().find(std::string("stopping: ") + name), std::string::npos) << service.err();
    EXPECT_NE(service.out().find("served the W3C trace context test endpoint"), std::string::npos) << service.out();
  }
}

}  // namespace
