// The OTLP/HTTP exporter against a scripted HTTP server on 127.0.0.1: delivery, retries on
// 429/503 and dropped connections, no retry on 400, giving up (counted) on a dead or silent
// server, partial success, and the endpoint URL's parsing.

#include "tracebench/tracer/otlp_http_exporter.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "tracebench/tracer/batch_processor.hpp"
#include "tracebench/tracer/http_post.hpp"
#include "tracebench/tracer/sampler.hpp"
#include "tracebench/tracer/tracer.hpp"

namespace tracebench::tracer {
namespace {

using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;

// What the server does with one request.
struct reply {
  int status = 200;
  std::string headers;  // extra header lines, each ending in \r\n
  std::string body = "{}";
  bool hang_up = false;  // close the connection without answering
  bool silent = false;   // keep the connection open and never answer
  std::string raw;       // when set, sent as the whole answer
};

reply status(int code, std::string headers = "", std::string body = "{}") {
  reply r;
  r.status = code;
  r.headers = std::move(headers);
  r.body = std::move(body);
  return r;
}

struct received {
  std::string head;
  std::string body;
};

// Answers request i with script[i] (the last entry repeats), one connection at a time. Every
// wait is sliced so the destructor stops it within ~50 ms.
class script_server {
 public:
  explicit script_server(std::vector<reply> script) : script_(std::move(script)) {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&address), length) != 0 || ::listen(listen_fd_, 8) != 0 ||
        ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
      throw std::runtime_error("test server cannot listen");
    }
    port_ = ntohs(address.sin_port);
    thread_ = std::thread([this] { run(); });
  }
  ~script_server() {
    stop_ = true;
    thread_.join();
    ::close(listen_fd_);
  }
  script_server(const script_server&) = delete;
  script_server& operator=(const script_server&) = delete;

  [[nodiscard]] std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/v1/traces"; }
  [[nodiscard]] std::vector<received> requests() const {
    const std::lock_guard lock(mutex_);
    return requests_;
  }
  [[nodiscard]] int connections() const { return connections_; }

 private:
  bool ready(int fd) const {
    pollfd p{fd, POLLIN, 0};
    while (!stop_) {
      if (::poll(&p, 1, 50) > 0) return true;
    }
    return false;
  }

  void run() {
    while (ready(listen_fd_)) {
      const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) continue;
      ++connections_;
      serve(fd);
      ::close(fd);
    }
  }

  void serve(int fd) {
    std::string in;
    for (;;) {
      std::size_t end = 0;
      while ((end = in.find("\r\n\r\n")) == std::string::npos) {
        if (!read_more(fd, in)) return;
      }
      received r{in.substr(0, end), {}};
      std::string lower = r.head;
      std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
      const auto at = lower.find("content-length:");
      const std::size_t length = at == std::string::npos ? 0 : std::stoul(lower.substr(at + 15));
      in.erase(0, end + 4);
      while (in.size() < length) {
        if (!read_more(fd, in)) return;
      }
      r.body = in.substr(0, length);
      in.erase(0, length);
      reply answer;
      {
        const std::lock_guard lock(mutex_);
        answer = script_[std::min(requests_.size(), script_.size() - 1)];
        requests_.push_back(std::move(r));
      }
      if (answer.hang_up) return;
      if (answer.silent) {
        while (read_more(fd, in)) {
        }
        return;
      }
      const std::string out = !answer.raw.empty()
                                  ? answer.raw
                                  : "HTTP/1.1 " + std::to_string(answer.status) +
                                        " Whatever\r\nContent-Length: " + std::to_string(answer.body.size()) + "\r\n" +
                                        answer.headers + "\r\n" + answer.body;
      if (::send(fd, out.data(), out.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(out.size())) return;
    }
  }

  bool read_more(int fd, std::string& in) const {
    if (!ready(fd)) return false;
    char chunk[4096];
    const ssize_t got = ::recv(fd, chunk, sizeof chunk, 0);
    if (got <= 0) return false;
    in.append(chunk, static_cast<std::size_t>(got));
    return true;
  }

  std::vector<reply> script_;
  int listen_fd_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> connections_{0};
  mutable std::mutex mutex_;
  std::vector<received> requests_;
  std::thread thread_;
};

// Two spans of one trace, ids 1 and 2.
class OtlpHttpExporterTest : public ::testing::Test {
 protected:
  OtlpHttpExporterTest() {
    for (std::uint64_t i = 0; i < 2; ++i) {
      spans_[i].context.trace = trace_id{0x1111, 0x2222};
      spans_[i].context.span = span_id{i + 1};
      spans_[i].context.flags = kSampledFlag;
      spans_[i].name = "GET /cart";
      spans_[i].kind = span_kind::server;
      spans_[i].start_unix_nanos = 1'700'000'000'000'000'000;
      spans_[i].end_unix_nanos = spans_[i].start_unix_nanos + 5'000;
      spans_[i].owner = &owner_;
    }
  }

  // Small timeouts and backoffs so failures are quick.
  static otlp_http_options quick(std::string endpoint) {
    otlp_http_options o;
    o.endpoint = std::move(endpoint);
    o.timeout = 2s;
    o.max_attempts = 3;
    o.initial_backoff = 1ms;
    o.max_backoff = 5ms;
    return o;
  }

  [[nodiscard]] std::span<const span_data* const> batch() const { return batch_; }

  resource owner_{"cart"};
  span_data spans_[2];
  const span_data* batch_[2] = {&spans_[0], &spans_[1]};
};

TEST_F(OtlpHttpExporterTest, DeliversOneOtlpJsonRequestPerBatch) {
  script_server server({reply{}});
  otlp_http_exporter exporter(quick(server.url()));
  ASSERT_EQ(exporter.export_spans(batch()), export_result::success) << exporter.last_error();
  ASSERT_EQ(exporter.export_spans(batch()), export_result::success) << exporter.last_error();
  EXPECT_EQ(exporter.export_spans({}), export_result::success);  // sends nothing

  const std::vector<received> requests = server.requests();
  ASSERT_EQ(requests.size(), 2U);
  EXPECT_EQ(server.connections(), 1);  // kept alive
  EXPECT_EQ(requests[0].head.rfind("POST /v1/traces HTTP/1.1\r\n", 0), 0U) << requests[0].head;
  EXPECT_NE(requests[0].head.find("\r\nContent-Type: application/json"), std::string::npos);
  EXPECT_NE(requests[0].head.find("\r\nHost: 127.0.0.1:"), std::string::npos);
  const nlohmann::json doc = nlohmann::json::parse(requests[0].body);
  std::set<std::string> ids;
  for (const auto& s : doc.at("resourceSpans").at(0).at("scopeSpans").at(0).at("spans")) {
    EXPECT_EQ(s.at("traceId"), "00000000000011110000000000002222");
    ids.insert(s.at("spanId").get<std::string>());
  }
  EXPECT_EQ(ids, (std::set<std::string>{"0000000000000001", "0000000000000002"}));
  EXPECT_EQ(exporter.batches_sent(), 2U);
  EXPECT_EQ(exporter.spans_sent(), 4U);
  EXPECT_EQ(exporter.retries(), 0U);
  EXPECT_EQ(exporter.spans_dropped(), 0U);
  EXPECT_GT(exporter.bytes_sent(), 2 * requests[0].body.size());
  EXPECT_EQ(exporter.last_error(), "");
}

TEST_F(OtlpHttpExporterTest, RetriesAfterTooManyRequests) {
  script_server server({status(429, "Retry-After: 0\r\n"), reply{}});
  otlp_http_exporter exporter(quick(server.url()));
  EXPECT_EQ(exporter.export_spans(batch()), export_result::success) << exporter.last_error();
  EXPECT_EQ(server.requests().size(), 2U);
  EXPECT_EQ(exporter.retries(), 1U);
  EXPECT_EQ(exporter.batches_sent(), 1U);
  EXPECT_EQ(exporter.spans_sent(), 2U);
  EXPECT_EQ(exporter.spans_dropped(), 0U);
}

TEST_F(OtlpHttpExporterTest, GivesUpOnUnavailableAfterMaxAttempts) {
  script_server server({status(503, "", "overloaded")});
  otlp_http_exporter exporter(quick(server.url()));
  EXPECT_EQ(exporter.export_spans(batch()), export_result::failure);
  EXPECT_EQ(server.requests().size(), 3U);
  EXPECT_EQ(exporter.retries(), 2U);
  EXPECT_EQ(exporter.spans_dropped(), 2U);
  EXPECT_EQ(exporter.spans_rejected(), 0U);
  EXPECT_EQ(exporter.spans_sent(), 0U);
  const std::string error = exporter.last_error();
  EXPECT_NE(error.find("HTTP 503 from " + server.url() + ": overloaded"), std::string::npos) << error;
  EXPECT_NE(error.find("gave up after 3 attempts"), std::string::npos) << error;
}

TEST_F(OtlpHttpExporterTest, DoesNotRetryABadRequest) {
  script_server server({status(400, "", R"({"code":3,"message":"bad span"})")});
  otlp_http_exporter exporter(quick(server.url()));
  EXPECT_EQ(exporter.export_spans(batch()), export_result::failure);
  EXPECT_EQ(server.requests().size(), 1U);
  EXPECT_EQ(exporter.retries(), 0U);
  EXPECT_EQ(exporter.spans_dropped(), 2U);
  EXPECT_EQ(exporter.spans_rejected(), 2U);
  EXPECT_NE(exporter.last_error().find("HTTP 400"), std::string::npos);
  EXPECT_NE(exporter.last_error().find("bad span"), std::string::npos);
}

TEST_F(OtlpHttpExporterTest, RetriesAConnectionClosedWithoutAnswer) {
  reply hang_up;
  hang_up.hang_up = true;
  script_server server({hang_up, reply{}});
  otlp_http_exporter exporter(quick(server.url()));
  EXPECT_EQ(exporter.export_spans(batch()), export_result::success) << exporter.last_error();
  EXPECT_EQ(server.requests().size(), 2U);
  EXPECT_EQ(server.connections(), 2);
  EXPECT_EQ(exporter.retries(), 1U);
  EXPECT_EQ(exporter.spans_dropped(), 0U);
}

TEST_F(OtlpHttpExporterTest, MalformedResponseIsAFailedAttempt) {
  reply garbage;
  garbage.raw = "HTTP/1.1 2x0 OK\r\n\r\n";
  script_server server({garbage});
  otlp_http_exporter exporter(quick(server.url()));
  EXPECT_EQ(exporter.export_spans(batch()), export_result::failure);
  EXPECT_EQ(server.requests().size(), 3U);
  EXPECT_NE(exporter.last_error().find("malformed response"), std::string::npos) << exporter.last_error();
  EXPECT_EQ(exporter.spans_dropped(), 2U);
}

TEST_F(OtlpHttpExporterTest, CountsPartialSuccessRejections) {
  script_server server({status(200, "", R"({"partialSuccess":{"rejectedSpans":"1","errorMessage":"too old"}})")});
  otlp_http_exporter exporter(quick(server.url()));
  EXPECT_EQ(exporter.export_spans(batch()), export_result::success);
  EXPECT_EQ(exporter.spans_sent(), 1U);
  EXPECT_EQ(exporter.spans_dropped(), 1U);
  EXPECT_EQ(exporter.spans_rejected(), 1U);
  EXPECT_NE(exporter.last_error().find("rejected 1 of 2 spans"), std::string::npos) << exporter.last_error();
}

TEST_F(OtlpHttpExporterTest, DeadPortFailsWithinTheTimeout) {
  std::string url;
  {
    script_server gone({reply{}});
    url = gone.url();
  }  // closed: nothing listens on its port now
  otlp_http_exporter exporter(quick(url));
  const auto start = clock_type::now();
  EXPECT_EQ(exporter.export_spans(batch()), export_result::failure);
  EXPECT_LT(clock_type::now() - start, 10s);
  EXPECT_EQ(exporter.spans_dropped(), 2U);
  EXPECT_EQ(exporter.retries(), 2U);
  EXPECT_NE(exporter.last_error().find("cannot connect to 127.0.0.1:"), std::string::npos) << exporter.last_error();
}

TEST_F(OtlpHttpExporterTest, SilentServerTimesOut) {
  reply silent;
  silent.silent = true;
  script_server server({silent});
  otlp_http_options options = quick(server.url());
  options.timeout = 200ms;
  options.max_attempts = 2;
  otlp_http_exporter exporter(options);
  const auto start = clock_type::now();
  EXPECT_EQ(exporter.export_spans(batch()), export_result::failure);
  EXPECT_LT(clock_type::now() - start, 10s);
  EXPECT_NE(exporter.last_error().find("timed out"), std::string::npos) << exporter.last_error();
  EXPECT_EQ(exporter.spans_dropped(), 2U);
}

TEST_F(OtlpHttpExporterTest, FailsAfterShutdown) {
  script_server server({reply{}});
  otlp_http_exporter exporter(quick(server.url()));
  exporter.shutdown();
  EXPECT_EQ(exporter.export_spans(batch()), export_result::failure);
  EXPECT_EQ(server.requests().size(), 0U);
  EXPECT_EQ(exporter.spans_dropped(), 2U);
}

// Behind the batch processor, as in a run: what the exporter delivers or gives up on is what
// the processor counts as exported or dropped.
span_counts export_through_processor(const std::string& url, std::uint64_t& exporter_dropped) {
  otlp_http_options options;
  options.endpoint = url;
  options.initial_backoff = 1ms;
  options.max_backoff = 1ms;
  auto exporter = std::make_shared<otlp_http_exporter>(options);
  auto processor = std::make_shared<batch_processor>(exporter);
  tracer t(std::make_shared<resource>("svc"), sampler::always_on(), processor);
  for (int i = 0; i < 10; ++i) {
    span s = t.start_root_span("s", span_kind::internal);
    s.end();
  }
  EXPECT_TRUE(processor->force_flush(10s));
  processor->shutdown();
  exporter_dropped = exporter->spans_dropped();
  return processor->counts();
}

TEST(OtlpHttpExporterBehindProcessor, ExportedAndDroppedAgree) {
  std::uint64_t exporter_dropped = 0;
  {
    script_server server({reply{}});
    const span_counts counts = export_through_processor(server.url(), exporter_dropped);
    EXPECT_EQ(counts.exported, 10U);
    EXPECT_EQ(counts.dropped, 0U);
    EXPECT_EQ(exporter_dropped, 0U);
  }
  {
    script_server server({status(400)});
    const span_counts counts = export_through_processor(server.url(), exporter_dropped);
    EXPECT_EQ(counts.exported, 0U);
    EXPECT_EQ(counts.dropped, 10U);
    EXPECT_EQ(exporter_dropped, 10U);
  }
}

TEST(OtlpHttpEndpoint, ParsesHttpUrls) {
  const http_endpoint plain = parse_http_url("http://collector:4318");
  EXPECT_EQ(plain.host, "collector");
  EXPECT_EQ(plain.port, 4318);
  EXPECT_EQ(plain.target, "/v1/traces");
  EXPECT_EQ(plain.host_header, "collector:4318");
  const http_endpoint v6 = parse_http_url("HTTP://[::1]:9/custom/path?x=1");
  EXPECT_EQ(v6.host, "::1");
  EXPECT_EQ(v6.port, 9);
  EXPECT_EQ(v6.target, "/custom/path?x=1");
  EXPECT_EQ(parse_http_url("http://localhost/v1/traces").port, 80);
}

TEST(OtlpHttpEndpoint, RejectsEverythingElseInOneLine) {
  const std::pair<std::string, std::string> cases[] = {
      {"https://collector:4318/v1/traces", "https is not supported"},
      {"grpc://collector:4317", "scheme 'grpc' is not supported"},
      {"collector:4318", "expected http://HOST:PORT/PATH"},
      {"http://", "no host"},
      {"http://:4318/v1/traces", "no host"},
      {"http://collector:0/v1/traces", "port '0'"},
      {"http://collector:99999/v1/traces", "port '99999'"},
      {"http://collector:43x/v1/traces", "port '43x'"},
      {"http://user@collector/v1/traces", "user info"},
      {"http://collector/v1/traces#top", "fragment"},
      {"http://collector/v1 traces", "space"},
      {"http://[::1/v1/traces", "unclosed '['"},
      {"http://coll$ctor/", "bad host"},
  };
  for (const auto& [url, problem] : cases) {
    try {
      otlp_http_options options;
      options.endpoint = url;
      otlp_http_exporter exporter(options);
      ADD_FAILURE() << url << " was accepted";
    } catch (const std::invalid_argument& e) {
      const std::string what = e.what();
      EXPECT_NE(what.find("'" + url + "'"), std::string::npos) << what;
      EXPECT_NE(what.find(problem), std::string::npos) << what;
      EXPECT_EQ(what.find('\n'), std::string::npos) << what;
    }
  }
}

TEST(OtlpHttpOptions, RejectsNonsense) {
  otlp_http_options options;
  options.max_attempts = 0;
  EXPECT_THROW(otlp_http_exporter{options}, std::invalid_argument);
  options = {};
  options.timeout = 0ms;
  EXPECT_THROW(otlp_http_exporter{options}, std::invalid_argument);
  options = {};
  options.max_backoff = 1ms;
  EXPECT_THROW(otlp_http_exporter{options}, std::invalid_argument);
}

}  // namespace
}  // namespace tracebench::tracer
