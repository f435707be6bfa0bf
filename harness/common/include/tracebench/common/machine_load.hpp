#pragma once
// Whether something else ran on the machine during a measurement: the CPU time every process
// used (from /proc/stat) minus this process's own (getrusage), over the wall time. A compile or
// a neighbour's job shows as other_cores well above 0 and makes every figure of that run noisier.

#include <chrono>
#include <optional>

namespace tracebench::harness {

// Averaged over the measured span. Absent where /proc/stat cannot be read.
struct machine_load {
  double other_cores = 0;  // cores' worth of CPU used by other processes
  double self_cores = 0;   // cores' worth used by this process
};

// Above this much of a core used by others on average, a run is flagged as loaded: background
// daemons stay well under it, a single compile job or busy neighbour goes well over.
inline constexpr double kLoadedMachineCores = 0.25;

// CPU time this process has used since it started, every thread; 0 where it cannot be read.
[[nodiscard]] std::chrono::nanoseconds process_cpu_time() noexcept;

class machine_load_meter {
 public:
  // Takes the first reading.
  machine_load_meter() noexcept;
  // From construction until now; empty when /proc/stat was unreadable at either end.
  [[nodiscard]] std::optional<machine_load> read() const noexcept;

 private:
  struct sample {
    std::chrono::steady_clock::time_point at;
    double busy_seconds = 0;  // every process, all cores
    double self_seconds = 0;
    bool ok = false;
  };
  static sample take() noexcept;
  sample start_;
};

}  // namespace tracebench::harness
