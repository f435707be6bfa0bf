#pragma once
// A small per-thread index so per-thread state (counters, rings, record caches) can live
// in flat arrays: no thread_local objects with constructors on the hot path.

#include <cstddef>
#include <cstdint>

namespace tracebench::tracer {

inline constexpr std::size_t kMaxThreadSlots = 256;
// Returned when every slot is taken; callers fall back to a shared, synchronised path.
inline constexpr std::size_t kOverflowSlot = kMaxThreadSlots;

namespace detail {
// 0 = unassigned, else slot + 1. constinit tells every includer there is no dynamic
// initialiser, so an access is one %fs-relative load, not a call through the TLS wrapper.
extern constinit thread_local std::uint32_t tls_thread_slot;
std::size_t assign_thread_slot() noexcept;
}  // namespace detail

// This thread's slot in [0, kMaxThreadSlots), or kOverflowSlot. A slot is owned by one
// live thread at a time and returned when the thread exits.
[[nodiscard]] inline std::size_t current_thread_slot() noexcept {
  const std::uint32_t s = detail::tls_thread_slot;
  if (s != 0) [[likely]]
    return s - 1;
  return detail::assign_thread_slot();
}

}  // namespace tracebench::tracer
