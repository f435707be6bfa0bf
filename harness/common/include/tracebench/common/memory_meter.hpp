#pragma once
// What one run did to this process's memory: its peak resident set, the heap still in use when
// its latency phase ended, and the C++ allocations that phase made per request sent.
//
// The peak is the kernel's VmHWM (/proc/self/status), reset when the meter is made
// (/proc/self/clear_refs), so it is the run's own peak even when runs share a process. Not
// getrusage's ru_maxrss: after exec that keeps the peak of the process image that exec'd, so a
// child started by posix_spawn from the harness would report the parent's peak. ru_maxrss is
// the fallback where /proc/self/status is unreadable. Heap in use is glibc's mallinfo2()
// uordblks + hblkhd (arena chunks in use plus mmapped blocks): what malloc holds for live
// objects, not what it keeps free. Allocations are allocation_counter's (operator new only).
// Every figure is this process's: with a remote graph, the load generator's alone.

#include <cstdint>
#include <optional>

namespace tracebench::harness {

struct memory_figures {
  std::uint64_t peak_rss_bytes = 0;  // from the meter's making to read()
  // Over the latency phase (from latency_phase_started to latency_phase_ended); all 0 when it
  // did not run, which requests == 0 tells.
  std::uint64_t heap_in_use_bytes = 0;  // at its end; 0 where the C library cannot tell
  std::uint64_t allocations = 0;        // operator new calls, every thread
  std::uint64_t requests = 0;           // requests it sent, warm-up included
  // allocations / requests; empty without requests.
  [[nodiscard]] std::optional<double> allocations_per_request() const noexcept {
    if (requests == 0) return std::nullopt;
    return static_cast<double>(allocations) / static_cast<double>(requests);
  }
};

// mallinfo2() uordblks + hblkhd; 0 where the C library is not glibc.
[[nodiscard]] std::uint64_t heap_in_use_bytes() noexcept;
// Restarts the kernel's peak-RSS count at the current RSS; false where it cannot
// (/proc/self/clear_refs not writable), and the peak then covers the process so far.
bool reset_peak_rss() noexcept;
// VmHWM in bytes, or getrusage's ru_maxrss where /proc/self/status cannot be read.
[[nodiscard]] std::uint64_t peak_rss_bytes() noexcept;

class memory_meter {
 public:
  // Resets the peak: make it after anything the run should not be charged for.
  memory_meter() noexcept;
  void latency_phase_started() noexcept;
  // `requests`: what the phase sent, counted the same way as its allocations (warm-up included).
  void latency_phase_ended(std::uint64_t requests) noexcept;
  [[nodiscard]] memory_figures read() const noexcept;

 private:
  std::uint64_t allocations_at_start_ = 0;
  memory_figures phase_;
};

}  // namespace tracebench::harness
