// The real tracebench binary as an OTLP/HTTP JSON collector: what it accepts lands in its
// output as lines `tracebench analyze` reads, what it refuses gets the right 4xx and the server
// goes on, and every way of stopping it (request count, duration, SIGTERM, SIGINT) exits 0. Also end to
// end: otlp_http_exporter -> tracebench collect -> file.

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "support/cli_fixture.hpp"
#include "support/otlp_samples.hpp"
#include "tracebench/tracer/http_post.hpp"
#include "tracebench/tracer/otlp_http_exporter.hpp"

extern char** environ;

namespace {

namespace fs = std::filesystem;
namespace tt = tracebench::tracer;
using namespace std::chrono_literals;
using tracebench::testing_support::run_result;
using tracebench::testing_support::slurp;
using clock_type = std::chrono::steady_clock;

using tracebench::testing_support::kTwoSpans;

// `tracebench collect ARGS` in the background, stderr to a file; killed if still running at the
// end.
class collector_process {
 public:
  // Each process gets its own stderr file: a reused one could show the last process's lines.
  collector_process(const fs::path& dir, const std::string& args)
      : err_(dir / ("collect-" + std::to_string(++started_) + ".stderr")) {
    const std::string command =
        "exec '" + tracebench::testing_support::kTracebenchBinary + "' collect " + args + " 2>'" + err_.string() + "'";
    const char* argv[] = {"sh", "-c", command.c_str(), nullptr};
    if (::posix_spawn(&pid_, "/bin/sh", nullptr, nullptr, const_cast<char* const*>(argv), environ) != 0) pid_ = -1;
  }
  ~collector_process() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  collector_process(const collector_process&) = delete;
  collector_process& operator=(const collector_process&) = delete;

  // The ADDR:PORT its first stderr line names; "" when it said nothing within 10 s.
  std::string address() const {
    constexpr std::string_view kMarker = "listening on ";
    for (const auto until = clock_type::now() + 10s; clock_type::now() < until;) {
      const std::string text = slurp(err_);
      const auto at = text.find(kMarker);
      const auto end = at == std::string::npos ? std::string::npos : text.find('\n', at);
      if (end != std::string::npos) return text.substr(at + kMarker.size(), end - at - kMarker.size());
      std::this_thread::sleep_for(10ms);
    }
    return {};
  }

  // The exit status once it exits by itself within `limit`; -1 if it did not (then killed).
  int wait(std::chrono::seconds limit = 10s) {
    for (const auto until = clock_type::now() + limit; clock_type::now() < until;) {
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
      }
      std::this_thread::sleep_for(10ms);
    }
    return -1;
  }

  [[nodiscard]] std::string err() const { return slurp(err_); }
  void signal(int number) const { ::kill(pid_, number); }

 private:
  static inline int started_ = 0;
  fs::path err_;
  pid_t pid_ = -1;
};

// POSTs `body` to http://ADDRESS/v1/traces through the tracer's own client.
tt::http_response post(const std::string& address, const std::string& body,
                       const std::string& content_type = "application/json", const std::string& path = "/v1/traces") {
  tt::http_post_connection connection(tt::parse_http_url("http://" + address + path));
  return connection.post(content_type, body, clock_type::now() + 10s);
}

// Sends raw bytes and returns everything the server answers until it closes (5 s at most).
std::string send_raw(const std::string& address, const std::string& request) {
  const auto colon = address.rfind(':');
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(static_cast<std::uint16_t>(std::stoi(address.substr(colon + 1))));
  ::inet_pton(AF_INET, address.substr(0, colon).c_str(), &to.sin_addr);
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  std::string answer;
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&to), sizeof to) == 0) {
    (void)::send(fd, request.data(), request.size(), MSG_NOSIGNAL);
    char chunk[4096];
    pollfd p{fd, POLLIN, 0};
    for (const auto until = clock_type::now() + 5s; clock_type::now() < until && ::poll(&p, 1, 100) >= 0;) {
      if ((p.revents & (POLLIN | POLLHUP)) == 0) continue;
      const ssize_t got = ::recv(fd, chunk, sizeof chunk, 0);
      if (got <= 0) break;
      answer.append(chunk, static_cast<std::size_t>(got));
    }
  }
  ::close(fd);
  return answer;
}

std::vector<std::string> lines_of(const fs::path& file) {
  std::ifstream in(file);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

class CliCollect : public tracebench::testing_support::cli_fixture {};

TEST_F(CliCollect, WritesWhatItAcceptsAndRefusesBadJson) {
  const fs::path out = dir_ / "spans.otlp.jsonl";
  collector_process collector(dir_, "--listen 127.0.0.1:0 --max-requests 3 --duration 30 --out '" + out.string() + "'");
  const std::string address = collector.address();
  ASSERT_NE(address, "") << collector.err();

  const tt::http_response ok = post(address, kTwoSpans);
  EXPECT_EQ(ok.status, 200);
  EXPECT_EQ(ok.body, "{}");
  const tt::http_response broken = post(address, R"({"resourceSpans": [)");
  EXPECT_EQ(broken.status, 400);
  EXPECT_EQ(nlohmann::json::parse(broken.body)["code"], 3);
  EXPECT_NE(broken.body.find("invalid JSON"), std::string::npos) << broken.body;
  const tt::http_response shape = post(address, R"({"resourceSpans":[{"scopeSpans":[{"spans":[{"spanId":"x"}]}]}]})");
  EXPECT_EQ(shape.status, 400);
  EXPECT_NE(shape.body.find("resourceSpans[0].scopeSpans[0].spans[0].traceId "
                            "is not 32 hex digits"),
            std::string::npos)
      << shape.body;

  EXPECT_EQ(collector.wait(), 0) << collector.err();  // the third answer was the last
  const std::string err = collector.err();
  EXPECT_EQ(err.rfind("tracebench collect: listening on 127.0.0.1:", 0), 0U) << err;
  EXPECT_NE(err.find("tracebench collect: answered 400: invalid JSON"), std::string::npos) << err;
  EXPECT_NE(err.find("tracebench collect: 3 requests, 1 accepted with 2 spans "
                     "(1 line to " +
                     out.string() + "), 2 rejected\n"),
            std::string::npos)
      << err;
  ASSERT_EQ(lines_of(out).size(), 1U);
  const run_result analyzed = run("analyze '" + out.string() + "'");
  EXPECT_EQ(analyzed.exit_code, 0) << analyzed.err;
  EXPECT_NE(analyzed.out.find(": 2 spans in 1 trace\n"), std::string::npos) << analyzed.out;
}

TEST_F(CliCollect, WritesOutFieldsProtobufJsonOmits) {
  const fs::path out = dir_ / "spans.otlp.jsonl";
  collector_process collector(dir_, "--listen 127.0.0.1:0 --max-requests 2 --duration 30 --out '" + out.string() + "'");
  const std::string address = collector.address();
  ASSERT_NE(address, "") << collector.err();
  // No name, kind or times; an entry without scopeSpans: valid OTLP, every field at its
  // default.
  const tt::http_response sparse =
      post(address, R"({"resourceSpans":[{},{"scopeSpans":[{"spans":[)"
                    R"({"traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"b7ad6b7169203331"}]}]}]})");
  EXPECT_EQ(sparse.status, 200) << sparse.body;
  const tt::http_response named_kind =
      post(address, R"({"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"0af7651916cd43dd8448eb211c80319c",)"
                    R"("spanId":"b7ad6b7169203331","kind":"SPAN_KIND_SERVER"}]}]}]})");
  EXPECT_EQ(named_kind.status, 400);  // OTLP/JSON writes enums as integers
  EXPECT_NE(named_kind.body.find("spans[0].kind is not 0 to 5"), std::string::npos) << named_kind.body;

  EXPECT_EQ(collector.wait(), 0) << collector.err();
  const std::vector<std::string> lines = lines_of(out);
  ASSERT_EQ(lines.size(), 1U);
  const nlohmann::json span = nlohmann::json::parse(lines[0])["resourceSpans"][1]["scopeSpans"][0]["spans"][0];
  EXPECT_EQ(span["kind"], 0);
  EXPECT_EQ(span["name"], "");
  EXPECT_EQ(span["startTimeUnixNano"], "0");
  const run_result analyzed = run("analyze '" + out.string() + "'");
  EXPECT_EQ(analyzed.exit_code, 0) << analyzed.err;
}

TEST_F(CliCollect, AnswersWhatIsNotAnOtlpJsonExportWith4xx) {
  const fs::path out = dir_ / "spans.otlp.jsonl";
  collector_process collector(dir_,
                              "--listen 127.0.0.1:0 --max-requests 6 "
                              "--duration 30 --max-body 1000 --out '" +
                                  out.string() + "'");
  const std::string address = collector.address();
  ASSERT_NE(address, "") << collector.err();

  EXPECT_EQ(post(address, kTwoSpans, "application/json", "/v1/logs").status, 404);
  EXPECT_EQ(post(address, kTwoSpans, "application/x-protobuf").status, 415);
  EXPECT_EQ(post(address, std::string(2000, ' ')).status, 413);
  const std::string get = send_raw(address, "GET /v1/traces HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(get.rfind("HTTP/1.1 405 ", 0), 0U) << get;
  EXPECT_NE(get.find("Allow: POST"), std::string::npos) << get;
  const std::string huge =
      send_raw(address, "POST /v1/traces HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(20000, 'a') + "\r\n\r\n");
  EXPECT_EQ(huge.rfind("HTTP/1.1 431 ", 0), 0U) << huge;
  const std::string garbage = send_raw(address, "NOT HTTP AT ALL\r\n\r\n");
  EXPECT_EQ(garbage.rfind("HTTP/1.1 400 ", 0), 0U) << garbage;

  EXPECT_EQ(collector.wait(), 0) << collector.err();
  EXPECT_NE(collector.err().find(": 6 requests, 0 accepted with 0 spans (0 lines to "), std::string::npos)
      << collector.err();
  EXPECT_EQ(lines_of(out).size(), 0U);
}

TEST_F(CliCollect, StopsAfterItsDurationAndOnSigtermOrSigint) {
  collector_process timed(dir_, "--listen 127.0.0.1:0 --duration 0.3 --out /dev/null");
  EXPECT_EQ(timed.wait(), 0) << timed.err();
  EXPECT_NE(timed.err().find("tracebench collect: 0 requests, 0 accepted"), std::string::npos) << timed.err();

  for (const int number : {SIGTERM, SIGINT}) {
    collector_process unbounded(dir_, "--listen 127.0.0.1:0 --out /dev/null");
    ASSERT_NE(unbounded.address(), "") << unbounded.err();
    unbounded.signal(number);
    EXPECT_EQ(unbounded.wait(), 0) << number << ": " << unbounded.err();
    // Stopped, not killed: the summary line comes after the io_context ran out of work.
    EXPECT_NE(unbounded.err().find("tracebench collect: 0 requests, 0 accepted"), std::string::npos)
        << number << ": " << unbounded.err();
  }
}

TEST_F(CliCollect, UsageErrorsAreOneLine) {
  for (const std::string args : {"--listen nowhere", "--listen 127.0.0.1:70000", "--listen example.com:80",
                                 "--max-requests 0", "--max-requests -1", "--duration -1", "--duration soon",
                                 "--max-body 0", "--out /nonexistent-dir/x.jsonl", "stray", "--bogus"}) {
    const run_result r = run("collect " + args);
    EXPECT_EQ(r.exit_code, 2) << args;
    EXPECT_EQ(r.err.rfind("tracebench collect: ", 0), 0U) << args << ": " << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << args << ": " << r.err;
  }
}

TEST_F(CliCollect, ReceivesFromTheOtlpHttpExporter) {
  const fs::path out = dir_ / "spans.otlp.jsonl";
  collector_process collector(dir_, "--listen 127.0.0.1:0 --max-requests 2 --duration 30 --out '" + out.string() + "'");
  const std::string address = collector.address();
  ASSERT_NE(address, "") << collector.err();

  tt::resource owner("cart");
  tt::span_data spans[3];
  for (std::uint64_t i = 0; i < 3; ++i) {
    spans[i].context.trace = tt::trace_id{0xabc, 0xdef};
    spans[i].context.span = tt::span_id{i + 1};
    spans[i].context.flags = tt::kSampledFlag;
    if (i != 0) spans[i].parent = tt::span_id{1};
    spans[i].name = "step";
    spans[i].kind = i == 0 ? tt::span_kind::server : tt::span_kind::internal;
    spans[i].start_unix_nanos = 1'700'000'000'000'000'000 + static_cast<std::int64_t>(i);
    spans[i].end_unix_nanos = spans[i].start_unix_nanos + 1'000;
    spans[i].owner = &owner;
  }
  tt::otlp_http_options options;
  options.endpoint = "http://" + address + "/v1/traces";
  options.timeout = 5s;
  tt::otlp_http_exporter exporter(options);
  const tt::span_data* first[] = {&spans[0], &spans[1]};
  const tt::span_data* second[] = {&spans[2]};
  EXPECT_EQ(exporter.export_spans(first), tt::export_result::success) << exporter.last_error();
  EXPECT_EQ(exporter.export_spans(second), tt::export_result::success) << exporter.last_error();
  EXPECT_EQ(exporter.spans_sent(), 3U);
  EXPECT_EQ(exporter.spans_dropped(), 0U);

  EXPECT_EQ(collector.wait(), 0) << collector.err();
  ASSERT_EQ(lines_of(out).size(), 2U);
  const run_result analyzed = run("analyze --format json '" + out.string() + "'");
  ASSERT_EQ(analyzed.exit_code, 0) << analyzed.err;
  const nlohmann::json report = nlohmann::json::parse(analyzed.out);
  EXPECT_EQ(report["spans"], 3);
  EXPECT_EQ(report["traces"], 1);
  EXPECT_EQ(report["orphans"], 0);
}

}  // namespace
