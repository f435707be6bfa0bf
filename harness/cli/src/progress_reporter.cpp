#include "progress_reporter.hpp"

#include <algorithm>
#include <cstdio>

#include "tracebench/common/text_format.hpp"

namespace tracebench::harness {

namespace {

using std::chrono::steady_clock;

constexpr auto kRedrawEvery = std::chrono::seconds(1);
constexpr double kNanosPerMicro = 1000;
constexpr const char* kClearLine = "\r\033[K";

std::string clock_text(std::chrono::nanoseconds d) {
  const auto total = std::chrono::duration_cast<std::chrono::seconds>(d).count();
  char buffer[32];
  if (total >= 3600) {
    std::snprintf(buffer, sizeof buffer, "%lldh%02lldm%02llds", static_cast<long long>(total / 3600),
                  static_cast<long long>(total / 60 % 60), static_cast<long long>(total % 60));
  } else {
    std::snprintf(buffer, sizeof buffer, "%lldm%02llds", static_cast<long long>(total / 60),
                  static_cast<long long>(total % 60));
  }
  return buffer;
}

}  // namespace

progress_reporter::progress_reporter(std::ostream& err, bool live, const progress_plan& plan)
    : err_(err), live_(live), plan_(plan) {
  if (live_) ticker_ = std::jthread([this] { tick(); });
}

progress_reporter::~progress_reporter() {
  {
    const std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (ticker_.joinable()) ticker_.join();
  if (live_) err_ << kClearLine << std::flush;
}

std::string progress_reporter::finished_line(const run_record& r, std::size_t done, std::size_t total,
                                             bool open_ended) {
  std::string line = '[' + std::to_string(done);
  if (!open_ended || done <= total) line += '/' + std::to_string(total) + (open_ended ? "+" : "");
  line += "] round " + std::to_string(r.round + 1) + ' ' + r.configuration + ": " + format_thousands(r.throughput) +
          " req/s, p99 " + format_duration_us(static_cast<double>(r.latency.p99) / kNanosPerMicro);
  if (r.loaded()) line += " (machine loaded: others used " + format_count(r.load->other_cores) + " cores)";
  if (!r.throughput_valid) line += " (closed loop invalid: " + r.throughput_invalid_reason + ')';
  if (!r.latency_valid) line += " (open loop invalid: " + r.latency_invalid_reason + ')';
  return line;
}

void progress_reporter::on_event(const progress_event& event) {
  const std::lock_guard lock(mutex_);
  last_ = event;
  configuration_ = std::string(event.configuration);
  last_.configuration = configuration_;
  last_.finished = nullptr;  // not kept past the call
  if (event.what == progress_event::kind::run_finished && event.finished != nullptr) {
    if (live_) err_ << kClearLine;
    err_ << finished_line(*event.finished, event.done, event.total, plan_.open_ended) << '\n';
  }
  if (live_) redraw();
  err_ << std::flush;
}

std::string progress_reporter::live_line() const {
  const auto elapsed = steady_clock::now() - start_;
  std::string line;
  if (last_.what == progress_event::kind::calibrating) {
    line = "calibrating the tracer's hot path";
  } else {
    const char* phase = last_.phase == 1 ? "closed loop" : last_.phase == 2 ? "open loop" : "between runs";
    line = std::string(phase) + " | " + configuration_ + " | round " + std::to_string(last_.round + 1);
    line += plan_.open_ended ? " (at least " + std::to_string(plan_.rounds) + ")" : "/" + std::to_string(plan_.rounds);
    line += " | run " + std::to_string(last_.done + 1);
    if (!plan_.open_ended) line += "/" + std::to_string(last_.total);
  }
  // Measured runs predict the rest better than the plan once there are any.
  const std::chrono::nanoseconds per_run =
      last_.done > 0 ? std::chrono::duration_cast<std::chrono::nanoseconds>(elapsed) / static_cast<long>(last_.done)
                     : plan_.estimated_run;
  const std::chrono::nanoseconds finish_at = per_run * static_cast<long>(last_.total);
  std::chrono::nanoseconds left = finish_at > elapsed ? finish_at - elapsed : std::chrono::nanoseconds(0);
  line += " | elapsed " + clock_text(elapsed);
  if (!plan_.budget) return line + " | ETA " + clock_text(left);
  // The budget ends the experiment at the latest; with targets, the planned rounds only start it.
  const std::chrono::nanoseconds budget_left =
      *plan_.budget > elapsed ? *plan_.budget - elapsed : std::chrono::nanoseconds(0);
  const std::string up_to = "up to " + clock_text(*plan_.budget);
  if (plan_.open_ended) {
    if (last_.done >= last_.total) return line + " | until precise, " + up_to;
    return line + " | ETA at least " + clock_text(std::min(left, budget_left)) + ", " + up_to;
  }
  return line + " | ETA " + clock_text(std::min(left, budget_left)) + " (" + up_to + ")";
}

void progress_reporter::redraw() { err_ << kClearLine << live_line() << std::flush; }

void progress_reporter::tick() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    if (wake_.wait_for(lock, kRedrawEvery, [this] { return stopping_; })) return;
    redraw();
  }
}

}  // namespace tracebench::harness
