// The isolation experiment's timetable, shared by every domain in it: time
// is cut into windows of system time (one clock for all domains), and the
// antisocial domains storm only in every other window. Alone and storm
// windows alternate rather than coming as two long phases, so a change in
// the host's load (other QEMUs on the same cores) falls on both alike.
#pragma once

#include <stdint.h>

namespace guest::isolation {

inline constexpr uint64_t kWindowNs = 1000000000ull;
// The first measured window starts this long after boot: the domains are
// built and running well before.
inline constexpr uint64_t kFirstWindow = 2;
// Pairs of (alone, beside the antisocial domains) windows.
inline constexpr unsigned kPairs = 6;
inline constexpr unsigned kWindows = 2 * kPairs;

inline constexpr uint64_t window_start_ns(unsigned w) { return (kFirstWindow + w) * kWindowNs; }
inline constexpr uint64_t end_ns() { return window_start_ns(kWindows); }
// Odd windows are the antisocial domains'.
inline constexpr bool is_storm(unsigned w) { return w % 2 == 1; }

// The window `now` falls in, or kWindows once the timetable is over; the
// time before the first window counts as alone (window 0's predecessor).
inline unsigned window_at(uint64_t now)
{
    if (now < window_start_ns(0))
        return 0;
    uint64_t w = now / kWindowNs - kFirstWindow;
    return w < kWindows ? static_cast<unsigned>(w) : kWindows;
}

// A dependent multiply chain of n steps: a fixed amount of pure CPU work
// neither the compiler nor the CPU can shorten.
inline void alu(unsigned n)
{
    uint64_t x = 1;
    for (unsigned i = 0; i < n; ++i)
        asm volatile("imul $3, %0, %0" : "+r"(x));
}

}  // namespace guest::isolation
