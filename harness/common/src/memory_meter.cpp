#include "tracebench/common/memory_meter.hpp"

#include <sys/resource.h>

#include <cstdio>
#include <cstring>

#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "tracebench/common/allocation_counter.hpp"

namespace tracebench::harness {

std::uint64_t heap_in_use_bytes() noexcept {
#ifdef __GLIBC__
  const struct mallinfo2 info = ::mallinfo2();
  return info.uordblks + info.hblkhd;
#else
  return 0;
#endif
}

bool reset_peak_rss() noexcept {
  std::FILE* f = std::fopen("/proc/self/clear_refs", "we");
  if (f == nullptr) return false;
  // 5: reset the peak resident set size (proc(5)); unlike 1-4 it touches no page table.
  const bool written = std::fputs("5", f) >= 0;
  return std::fclose(f) == 0 && written;
}

std::uint64_t peak_rss_bytes() noexcept {
  if (std::FILE* f = std::fopen("/proc/self/status", "re")) {
    char line[256];
    unsigned long long kib = 0;
    bool found = false;
    while (!found && std::fgets(line, sizeof line, f) != nullptr) {
      found = std::strncmp(line, "VmHWM:", 6) == 0 && std::sscanf(line + 6, "%llu", &kib) == 1;
    }
    std::fclose(f);
    if (found) return kib * 1024;
  }
  ::rusage usage{};
  if (::getrusage(RUSAGE_SELF, &usage) != 0 || usage.ru_maxrss < 0) return 0;
  return static_cast<std::uint64_t>(usage.ru_maxrss) * 1024;  // Linux reports KiB
}

memory_meter::memory_meter() noexcept { (void)reset_peak_rss(); }

void memory_meter::latency_phase_started() noexcept { allocations_at_start_ = allocations_so_far(); }

void memory_meter::latency_phase_ended(std::uint64_t requests) noexcept {
  // The count first: mallinfo2 allocates nothing, but nothing else should slip in between.
  phase_.allocations = allocations_so_far() - allocations_at_start_;
  phase_.heap_in_use_bytes = heap_in_use_bytes();
  phase_.requests = requests;
}

memory_figures memory_meter::read() const noexcept {
  memory_figures out = phase_;
  out.peak_rss_bytes = peak_rss_bytes();
  return out;
}

}  // namespace tracebench::harness
