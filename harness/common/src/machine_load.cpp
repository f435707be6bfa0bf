#include "tracebench/common/machine_load.hpp"

#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <cstdio>

namespace tracebench::harness {

namespace {

double seconds(const ::timeval& t) noexcept {
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
}

// The "cpu" line of /proc/stat: user nice system idle iowait irq softirq steal, in clock ticks.
// Busy is everything but idle and iowait; steal is left out too, as it is time the hypervisor
// gave to other guests, not work done here.
bool read_busy_seconds(double& busy) noexcept {
  std::FILE* f = std::fopen("/proc/stat", "re");
  if (f == nullptr) return false;
  unsigned long long user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0;
  const int fields =
      std::fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu", &user, &nice, &system, &idle, &iowait, &irq, &softirq);
  std::fclose(f);
  const long ticks = ::sysconf(_SC_CLK_TCK);
  if (fields != 7 || ticks <= 0) return false;
  busy = static_cast<double>(user + nice + system + irq + softirq) / static_cast<double>(ticks);
  return true;
}

}  // namespace

std::chrono::nanoseconds process_cpu_time() noexcept {
  ::timespec t{};
  if (::clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t) != 0) return std::chrono::nanoseconds(0);
  return std::chrono::seconds(t.tv_sec) + std::chrono::nanoseconds(t.tv_nsec);
}

machine_load_meter::machine_load_meter() noexcept : start_(take()) {}

machine_load_meter::sample machine_load_meter::take() noexcept {
  sample s;
  s.at = std::chrono::steady_clock::now();
  ::rusage usage{};
  if (::getrusage(RUSAGE_SELF, &usage) != 0) return s;
  s.self_seconds = seconds(usage.ru_utime) + seconds(usage.ru_stime);
  s.ok = read_busy_seconds(s.busy_seconds);
  return s;
}

std::optional<machine_load> machine_load_meter::read() const noexcept {
  const sample end = take();
  const double wall = std::chrono::duration<double>(end.at - start_.at).count();
  if (!start_.ok || !end.ok || !(wall > 0)) return std::nullopt;
  machine_load load;
  load.self_cores = (end.self_seconds - start_.self_seconds) / wall;
  // Ticks are coarse (10 ms) and rusage is finer: a short idle span can come out slightly negative.
  const double other = (end.busy_seconds - start_.busy_seconds) - (end.self_seconds - start_.self_seconds);
  load.other_cores = other > 0 ? other / wall : 0.0;
  return load;
}

}  // namespace tracebench::harness
