#include "tracebench/tracer/otlp_http_exporter.hpp"

#include <algorithm>
#include <charconv>
#include <exception>
#include <optional>
#include <stdexcept>
#include <utility>

#include "tracebench/tracer/otlp_json.hpp"

namespace tracebench::tracer {

namespace {

using clock_type = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr std::size_t kMaxErrorBodyChars = 200;

otlp_http_options validated(otlp_http_options options) {
  const auto bad = [](const std::string& problem) { return std::invalid_argument("OTLP/HTTP exporter: " + problem); };
  if (options.max_attempts < 1) throw bad("max_attempts must be at least 1");
  if (options.timeout <= milliseconds::zero()) throw bad("timeout must be positive");
  if (options.max_export_time <= milliseconds::zero()) throw bad("max_export_time must be positive");
  if (options.initial_backoff < milliseconds::zero() || options.max_backoff < options.initial_backoff) {
    throw bad("backoffs must satisfy 0 <= initial_backoff <= max_backoff");
  }
  return options;
}

// The OTLP spec's retryable answers: throttling and a gateway or server that may recover.
bool retryable(int status) noexcept { return status == 429 || status == 502 || status == 503 || status == 504; }

// ExportTraceServiceResponse.partialSuccess.rejectedSpans, found without a JSON parser (the
// tracer has none): an int64, so protobuf JSON writes it as a string, though a number is
// accepted too. 0 when absent or unreadable.
std::size_t rejected_spans(std::string_view body) noexcept {
  constexpr std::string_view kKey = "\"rejectedSpans\"";
  const auto at = body.find(kKey);
  if (at == std::string_view::npos) return 0;
  std::string_view rest = body.substr(at + kKey.size());
  const auto skip = [&rest](std::string_view chars) {
    const auto first = rest.find_first_not_of(chars);
    rest.remove_prefix(first == std::string_view::npos ? rest.size() : first);
  };
  skip(" \t\r\n");
  if (rest.empty() || rest.front() != ':') return 0;
  rest.remove_prefix(1);
  skip(" \t\r\n\"");
  std::size_t value = 0;
  const auto [end, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), value);
  return ec == std::errc{} && end != rest.data() ? value : 0;
}

// The start of an error answer's body on one line, for last_error().
std::string excerpt(std::string_view body) {
  std::string out(body.substr(0, kMaxErrorBodyChars));
  for (char& c : out) {
    if (static_cast<unsigned char>(c) < 0x20) c = ' ';
  }
  if (body.size() > kMaxErrorBodyChars) out += "...";
  return out;
}

}  // namespace

otlp_http_exporter::otlp_http_exporter(otlp_http_options options)
    : options_(validated(std::move(options))), connection_(parse_http_url(options_.endpoint)) {
  std::random_device seed;
  jitter_.seed(seed());
}

otlp_http_exporter::~otlp_http_exporter() { shutdown(); }

void otlp_http_exporter::shutdown() noexcept {
  {
    const std::lock_guard lock(mutex_);
    shut_down_.store(true, std::memory_order_relaxed);
  }
  shutdown_cv_.notify_all();
}

std::string otlp_http_exporter::last_error() const {
  const std::lock_guard lock(mutex_);
  return last_error_;
}

void otlp_http_exporter::drop(std::size_t spans, std::size_t rejected, std::string_view error) noexcept {
  spans_dropped_.fetch_add(spans, std::memory_order_relaxed);
  spans_rejected_.fetch_add(rejected, std::memory_order_relaxed);
  const std::lock_guard lock(mutex_);
  try {
    last_error_.assign(error);
  } catch (...) {
    last_error_.clear();  // out of memory: the counts are what matters
  }
}

bool otlp_http_exporter::wait_until(clock_type::time_point until) {
  std::unique_lock lock(mutex_);
  return !shutdown_cv_.wait_until(lock, until, [this] { return shut_down_.load(std::memory_order_relaxed); });
}

milliseconds otlp_http_exporter::jittered(milliseconds backoff) {
  // Half fixed, half random: exporters that failed together do not all come back together.
  const milliseconds::rep half = backoff.count() / 2;
  std::uniform_int_distribution<milliseconds::rep> extra(0, backoff.count() - half);
  return milliseconds(half + extra(jitter_));
}

export_result otlp_http_exporter::export_spans(std::span<const span_data* const> batch) noexcept {
  if (batch.empty()) return export_result::success;
  if (shut_down_.load(std::memory_order_relaxed)) {
    drop(batch.size(), 0, "the exporter is shut down");
    return export_result::failure;
  }
  try {
    body_.clear();
    append_otlp_json_request(body_, batch);
    return send(batch.size());
  } catch (const std::exception& e) {
    drop(batch.size(), 0, e.what());
  } catch (...) {
    drop(batch.size(), 0, "unknown error");
  }
  return export_result::failure;
}

export_result otlp_http_exporter::send(std::size_t spans) {
  const milliseconds budget =
      std::min(options_.max_export_time, options_.timeout * static_cast<milliseconds::rep>(options_.max_attempts));
  const clock_type::time_point export_deadline = clock_type::now() + budget;
  milliseconds backoff = options_.initial_backoff;
  for (int attempt = 1;; ++attempt) {
    const clock_type::time_point attempt_deadline = std::min(clock_type::now() + options_.timeout, export_deadline);
    std::optional<std::chrono::seconds> retry_after;
    std::string error;
    const std::uint64_t written_before = connection_.bytes_written();
    try {
      const http_response answer = connection_.post(kContentType, body_, attempt_deadline);
      bytes_sent_.fetch_add(connection_.bytes_written() - written_before, std::memory_order_relaxed);
      if (answer.status >= 200 && answer.status < 300) {
        const std::size_t rejected = std::min(spans, rejected_spans(answer.body));
        batches_sent_.fetch_add(1, std::memory_order_relaxed);
        spans_sent_.fetch_add(spans - rejected, std::memory_order_relaxed);
        if (rejected != 0) {
          drop(rejected, rejected,
               "partial success: the collector rejected " + std::to_string(rejected) + " of " + std::to_string(spans) +
                   " spans: " + excerpt(answer.body));
        }
        return export_result::success;
      }
      error = "HTTP " + std::to_string(answer.status) + " from " + options_.endpoint;
      if (!answer.body.empty()) error += ": " + excerpt(answer.body);
      if (!retryable(answer.status)) {
        drop(spans, spans, error);
        return export_result::failure;
      }
      retry_after = answer.retry_after;
    } catch (const http_error& e) {
      bytes_sent_.fetch_add(connection_.bytes_written() - written_before, std::memory_order_relaxed);
      error = e.what();
    }
    if (attempt >= options_.max_attempts) {
      drop(spans, 0, error + " (gave up after " + std::to_string(attempt) + " attempts)");
      return export_result::failure;
    }
    // The collector's Retry-After wins over our own schedule: it knows when it will recover.
    const milliseconds wait = retry_after ? std::chrono::duration_cast<milliseconds>(*retry_after) : jittered(backoff);
    backoff = std::min(backoff * 2, options_.max_backoff);
    const clock_type::time_point resume = clock_type::now() + wait;
    if (resume >= export_deadline) {
      drop(spans, 0, error + " (gave up: the next retry would pass the export time limit)");
      return export_result::failure;
    }
    if (!wait_until(resume)) {
      drop(spans, 0, error + " (shut down while waiting to retry)");
      return export_result::failure;
    }
    retries_.fetch_add(1, std::memory_order_relaxed);
  }
}

}  // namespace tracebench::tracer
