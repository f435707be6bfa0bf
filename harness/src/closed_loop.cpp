#include "tracebench/harness/closed_loop.hpp"

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

namespace tracebench::harness {

namespace {

using std::chrono::nanoseconds;
using std::chrono::steady_clock;

// A cap on top of the duration: no worker can complete a request in under 1 ns.
constexpr std::uint64_t kMaxRequestsPerWorker = 1'000'000'000;

// One request's reply; shared with the callback, which may come after the worker gave up.
struct reply {
  std::mutex mutex;
  std::condition_variable ready;
  bool done = false;
  bool error = false;
  steady_clock::time_point finished;
};

struct worker_result {
  std::uint64_t sent = 0;
  std::uint64_t completed = 0;
  std::uint64_t errors = 0;
  std::uint64_t warmup_completed = 0;
  std::uint64_t lost = 0;
  latency_histogram latency;
};

void run_worker(load_target& target, std::atomic<std::uint64_t>& next_id, steady_clock::time_point measure_from,
                steady_clock::time_point end, nanoseconds reply_timeout, worker_result& out) {
  for (std::uint64_t n = 0; n < kMaxRequestsPerWorker; ++n) {
    const steady_clock::time_point sent_at = steady_clock::now();
    if (sent_at >= end) return;
    const bool measured = sent_at >= measure_from;
    if (measured) ++out.sent;
    auto r = std::make_shared<reply>();
    target.send(next_id.fetch_add(1, std::memory_order_relaxed), [r](bool error) {
      const steady_clock::time_point finished = steady_clock::now();
      const std::lock_guard lock(r->mutex);
      r->done = true;
      r->error = error;
      r->finished = finished;
      r->ready.notify_one();
    });
    std::unique_lock lock(r->mutex);
    if (!r->ready.wait_until(lock, sent_at + reply_timeout, [&] { return r->done; })) {
      ++out.lost;
      return;
    }
    if (!measured) {
      ++out.warmup_completed;
      continue;
    }
    ++out.completed;
    if (r->error) ++out.errors;
    out.latency.record((r->finished - sent_at).count());
  }
}

}  // namespace

closed_loop_result run_closed_loop(load_target& target, const closed_loop_options& options) {
  if (options.concurrency == 0) throw std::invalid_argument("closed loop: concurrency must be positive");
  if (options.duration <= nanoseconds(0)) throw std::invalid_argument("closed loop: duration must be positive");
  if (options.warmup < nanoseconds(0) || options.warmup >= options.duration)
    throw std::invalid_argument("closed loop: warm-up must be in [0, duration)");
  if (options.reply_timeout <= nanoseconds(0)) throw std::invalid_argument("closed loop: reply_timeout must be positive");

  std::vector<worker_result> results(options.concurrency);
  std::atomic<std::uint64_t> next_id{0};
  const steady_clock::time_point start = steady_clock::now();
  {
    std::vector<std::jthread> workers;
    workers.reserve(options.concurrency);
    for (worker_result& out : results)
      workers.emplace_back([&, measure_from = start + options.warmup, end = start + options.duration] {
        run_worker(target, next_id, measure_from, end, options.reply_timeout, out);
      });
  }  // joined

  closed_loop_result result;
  result.window = options.duration - options.warmup;
  for (const worker_result& w : results) {
    result.sent += w.sent;
    result.completed += w.completed;
    result.errors += w.errors;
    result.warmup_completed += w.warmup_completed;
    result.lost += w.lost;
    result.latency.merge(w.latency);
  }
  result.throughput = static_cast<double>(result.completed) / std::chrono::duration<double>(result.window).count();
  if (result.lost > 0) {
    result.valid = false;
    result.invalid_reason = std::to_string(result.lost) + " replies lost (none within the reply timeout)";
  }
  return result;
}

}  // namespace tracebench::harness
