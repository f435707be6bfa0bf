#include "tracebench/load/closed_loop.hpp"

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

#include "tracebench/common/machine_load.hpp"

namespace tracebench::harness {

namespace {

using std::chrono::nanoseconds;
using std::chrono::steady_clock;

// A lane is one request slot: it sends its next request from the reply of its last, on whatever
// thread the reply comes, so the generator needs no thread of its own per slot. On a small
// machine sixteen blocked worker threads competed with the target for cores and made the
// throughput they measured noisier than the tracing cost it was meant to resolve.
struct lane {
  // Who sends next, when a reply can come before send() has returned: the sender marks
  // kSending, then kReturned once send() is back; the reply marks kReplied. Whichever comes
  // second drives the next request.
  enum : int { kSending, kReturned, kReplied };
  std::atomic<int> phase{kReturned};
  steady_clock::time_point sent_at;  // written before send(), read by the reply it happens-before
  bool measured = false;

  std::mutex mutex;  // the figures, against a reply that comes as the run closes
  bool closed = false;
  bool in_flight = false;  // sent and not yet replied: lost if the run closes now
  std::uint64_t sent = 0;
  std::uint64_t completed = 0;
  std::uint64_t errors = 0;
  std::uint64_t warmup_completed = 0;
  latency_histogram latency;
};

// Shared with the reply callbacks, which may come after run_closed_loop returned.
struct run_state {
  run_state(load_target& t, unsigned slots, steady_clock::time_point from, steady_clock::time_point until)
      : target(t), lanes(slots), measure_from(from), end(until), running(slots) {}

  load_target& target;  // used only while `closed` is false and no sender is inside send()
  std::vector<lane> lanes;
  const steady_clock::time_point measure_from;
  const steady_clock::time_point end;
  const std::atomic<bool>* stop = nullptr;
  std::atomic<std::uint64_t> next_id{0};
  std::atomic<bool> closed{false};
  std::atomic<unsigned> in_send{0};

  std::mutex mutex;
  std::condition_variable all_done;
  unsigned running;  // lanes that have not yet seen the end: only for waking the run early
};

void drive(const std::shared_ptr<run_state>& state, lane& l);

void finish_lane(run_state& state) {
  const std::lock_guard lock(state.mutex);
  if (--state.running == 0) state.all_done.notify_all();
}

void on_reply(const std::shared_ptr<run_state>& state, lane& l, bool error) {
  const steady_clock::time_point finished = steady_clock::now();
  {
    const std::lock_guard lock(l.mutex);
    if (l.closed) return;  // the run already counted this request lost
    l.in_flight = false;
    if (!l.measured) {
      ++l.warmup_completed;
    } else {
      ++l.completed;
      if (error) ++l.errors;
      l.latency.record((finished - l.sent_at).count());
    }
  }
  if (l.phase.exchange(lane::kReplied, std::memory_order_acq_rel) == lane::kSending) return;  // sender goes on
  drive(state, l);
}

// Sends until the end, looping rather than recursing while replies come inline.
void drive(const std::shared_ptr<run_state>& state, lane& l) {
  for (;;) {
    // Dekker-style with run_closed_loop's close: either it sees us in send(), or we see closed.
    state->in_send.fetch_add(1);
    const steady_clock::time_point now = steady_clock::now();
    if (state->closed.load() || now >= state->end ||
        (state->stop != nullptr && state->stop->load(std::memory_order_relaxed))) {
      state->in_send.fetch_sub(1);
      finish_lane(*state);
      return;
    }
    l.sent_at = now;
    l.measured = now >= state->measure_from;
    {
      const std::lock_guard lock(l.mutex);
      l.in_flight = true;
      if (l.measured) ++l.sent;
    }
    l.phase.store(lane::kSending, std::memory_order_relaxed);
    state->target.send(state->next_id.fetch_add(1, std::memory_order_relaxed),
                       [state, &l](bool error) { on_reply(state, l, error); });
    state->in_send.fetch_sub(1);
    if (l.phase.exchange(lane::kReturned, std::memory_order_acq_rel) != lane::kReplied) return;  // reply drives
  }
}

}  // namespace

closed_loop_result run_closed_loop(load_target& target, const closed_loop_options& options) {
  if (options.concurrency == 0) throw std::invalid_argument("closed loop: concurrency must be positive");
  if (options.duration <= nanoseconds(0)) throw std::invalid_argument("closed loop: duration must be positive");
  if (options.warmup < nanoseconds(0) || options.warmup >= options.duration)
    throw std::invalid_argument("closed loop: warm-up must be in [0, duration)");
  if (options.reply_timeout <= nanoseconds(0))
    throw std::invalid_argument("closed loop: reply_timeout must be positive");

  const steady_clock::time_point start = steady_clock::now();
  auto state =
      std::make_shared<run_state>(target, options.concurrency, start + options.warmup, start + options.duration);
  state->stop = options.stop;
  // Slots start spread over the first half of the warm-up: started together, slots of a graph
  // whose latency barely varies stay in lockstep, and a window then holds whole multiples of the
  // slots' requests (a throughput of exactly 256, 512 or 768 per 0.5 s), not a rate.
  const std::size_t slots = state->lanes.size();
  for (std::size_t i = 0; i < slots; ++i) {
    std::this_thread::sleep_until(start +
                                  options.warmup / 2 * static_cast<std::int64_t>(i) / static_cast<std::int64_t>(slots));
    drive(state, state->lanes[i]);
  }
  std::this_thread::sleep_until(state->measure_from);
  const auto cpu_now = [&] {
    return options.cpu_elsewhere ? process_cpu_time() + options.cpu_elsewhere() : process_cpu_time();
  };
  const auto off_path_now = [&] { return options.cpu_off_path ? options.cpu_off_path() : nanoseconds{0}; };
  const nanoseconds off_path_from = off_path_now();
  const nanoseconds cpu_from = cpu_now();
  nanoseconds cpu_until{0};
  nanoseconds off_path_until{0};
  {
    std::unique_lock lock(state->mutex);
    // Woken early only by a stop: then the window ends there.
    (void)state->all_done.wait_until(lock, state->end, [&] { return state->running == 0; });
    lock.unlock();  // cpu_elsewhere may ask another process: lanes must not wait on that
    cpu_until = cpu_now();
    off_path_until = off_path_now();
    lock.lock();
    (void)state->all_done.wait_until(lock, state->end + options.reply_timeout, [&] { return state->running == 0; });
  }
  state->closed.store(true);
  // A sender that passed its check before `closed` may still be inside send(); the target must
  // not be touched once we return.
  while (state->in_send.load() > 0) std::this_thread::yield();

  closed_loop_result result;
  result.window = options.duration - options.warmup;
  for (lane& l : state->lanes) {
    const std::lock_guard lock(l.mutex);
    l.closed = true;
    if (l.in_flight) ++result.lost;
    result.sent += l.sent;
    result.completed += l.completed;
    result.errors += l.errors;
    result.warmup_completed += l.warmup_completed;
    result.latency.merge(l.latency);
  }
  result.throughput = static_cast<double>(result.completed) / std::chrono::duration<double>(result.window).count();
  result.process_cpu = cpu_until - cpu_from;
  result.off_path_cpu = off_path_until - off_path_from;
  if (result.lost > 0) {
    result.valid = false;
    result.invalid_reason = std::to_string(result.lost) + " replies lost (none within the reply timeout)";
  }
  return result;
}

}  // namespace tracebench::harness
