#include "tracebench/load/open_loop.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <memory>
#include <stdexcept>
#include <thread>

#include "completion_slots.hpp"

namespace tracebench::harness {

namespace {

using std::chrono::nanoseconds;
using std::chrono::steady_clock;

// Sleeping wakes late: by ~120 us at the median on the 2-core VM this was built on, and by
// 2.5 ms at p99, which alone broke the 1 ms send-lag bound. So the last 2 ms before a due time are
// spun: at rates above 500/s the pacer never sleeps. It costs a core, which the experiment
// leaves to the generator anyway (default_graph_threads).
constexpr nanoseconds kSpinWindow = std::chrono::milliseconds(2);
constexpr nanoseconds kDrainPoll = std::chrono::milliseconds(1);
constexpr double kMinSentFraction = 0.99;

void wait_until(steady_clock::time_point due) {
  if (steady_clock::now() < due - kSpinWindow) std::this_thread::sleep_until(due - kSpinWindow);
  // Bounded by `due`, which is at most the run's end.
  while (steady_clock::now() < due) {
  }
}

// Shared with the reply callbacks, which may outlive the run.
struct run_state {
  std::atomic<std::uint64_t> outstanding{0};
  detail::completion_slots slots;
};

void validate(const open_loop_options& o) {
  if (!(o.rate > 0.0) || !std::isfinite(o.rate)) throw std::invalid_argument("open loop: rate must be positive");
  if (o.duration <= nanoseconds(0)) throw std::invalid_argument("open loop: duration must be positive");
  if (o.warmup < nanoseconds(0) || o.warmup >= o.duration)
    throw std::invalid_argument("open loop: warm-up must be in [0, duration)");
  if (o.max_outstanding == 0) throw std::invalid_argument("open loop: max_outstanding must be positive");
  if (!(o.lag_share_of_latency >= 0) || !std::isfinite(o.lag_share_of_latency))
    throw std::invalid_argument("open loop: lag_share_of_latency must be finite and not negative");
  if (o.drain_timeout < nanoseconds(0) || o.lag_bound < nanoseconds(0))
    throw std::invalid_argument("open loop: timeouts must not be negative");
}

void add_reason(open_loop_result& r, const std::string& reason) {
  r.valid = false;
  if (!r.invalid_reason.empty()) r.invalid_reason += "; ";
  r.invalid_reason += reason;
}

std::string milliseconds_text(std::int64_t nanos) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.3f ms", static_cast<double>(nanos) / 1e6);
  return buffer;
}

void judge(open_loop_result& r, const open_loop_options& o) {
  if (static_cast<double>(r.sent) < kMinSentFraction * static_cast<double>(r.scheduled))
    add_reason(r, "generator fell behind: sent " + std::to_string(r.sent) + " of " + std::to_string(r.scheduled) +
                      " scheduled (achieved " + std::to_string(r.achieved_rate) + "/s of " +
                      std::to_string(r.target_rate) + "/s)");
  const std::int64_t lag_p99 = r.send_lag.value_at_percentile(99.0);
  const auto relative =
      static_cast<std::int64_t>(o.lag_share_of_latency * static_cast<double>(r.latency.value_at_percentile(99.0)));
  const std::int64_t bound = std::max(o.lag_bound.count(), relative);
  if (lag_p99 > bound)
    add_reason(r, "send lag p99 " + milliseconds_text(lag_p99) + " over the bound of " + milliseconds_text(bound));
  if (r.dropped_sends > 0)
    add_reason(r, std::to_string(r.dropped_sends) + " dropped sends (max_outstanding " +
                      std::to_string(o.max_outstanding) + " in flight)");
  if (r.lost > 0) add_reason(r, std::to_string(r.lost) + " replies lost (none within the drain timeout)");
}

}  // namespace

open_loop_result run_open_loop(load_target& target, const open_loop_options& options) {
  validate(options);
  open_loop_result result;
  result.target_rate = options.rate;
  result.window = options.duration - options.warmup;

  auto state = std::make_shared<run_state>();
  arrival_schedule schedule(options.arrivals, options.rate, options.seed);
  const steady_clock::time_point start = steady_clock::now();
  const steady_clock::time_point measure_from = start + options.warmup;
  const steady_clock::time_point end = start + options.duration;
  // Past this the generator stops sending and only counts what it still owed.
  const steady_clock::time_point give_up = end + options.lag_bound;
  // A Poisson schedule cannot plausibly reach four times its mean count; a hard cap all the same.
  const double expected = options.rate * std::chrono::duration<double>(options.duration).count();
  const auto max_arrivals = static_cast<std::uint64_t>(std::min(4.0 * expected + 1000.0, 1e12));

  std::uint64_t sent_total = 0;
  bool gave_up = false;
  bool interrupted = false;
  for (std::uint64_t id = 0; id < max_arrivals; ++id) {
    const steady_clock::time_point due = start + schedule.next();
    if (due >= end) break;
    if (options.stop != nullptr && options.stop->load(std::memory_order_relaxed)) {
      interrupted = true;
      break;
    }
    const bool measured = due >= measure_from;
    if (measured) ++result.scheduled;
    if (!gave_up && steady_clock::now() > give_up) gave_up = true;
    if (gave_up) {
      if (measured) ++result.unsent;
      continue;
    }
    wait_until(due);
    if (state->outstanding.load(std::memory_order_acquire) >= options.max_outstanding) {
      ++result.dropped_sends;
      continue;
    }
    state->outstanding.fetch_add(1, std::memory_order_acq_rel);  // before send: replies may come inline
    const steady_clock::time_point actual = steady_clock::now();
    if (measured) {
      result.send_lag.record((actual - due).count());
      ++result.sent;
    } else {
      ++result.warmup_sent;
    }
    ++sent_total;
    target.send(id, [state, due, actual, measured](bool error) {
      const steady_clock::time_point finished = steady_clock::now();
      state->slots.record(measured, error, (finished - due).count(), (finished - actual).count());
      state->outstanding.fetch_sub(1, std::memory_order_acq_rel);
    });
  }

  const steady_clock::time_point drain_end = steady_clock::now() + options.drain_timeout;
  while (state->outstanding.load(std::memory_order_acquire) > 0 && steady_clock::now() < drain_end)
    std::this_thread::sleep_for(kDrainPoll);

  detail::completion_slots::totals totals = state->slots.close_and_merge();
  result.completed = totals.completed;
  result.errors = totals.errors;
  result.lost = sent_total - totals.replies;
  result.latency = std::move(totals.latency);
  result.uncorrected = std::move(totals.uncorrected);
  result.achieved_rate = static_cast<double>(result.sent) / std::chrono::duration<double>(result.window).count();
  if (interrupted) add_reason(result, "interrupted");
  judge(result, options);
  return result;
}

}  // namespace tracebench::harness
