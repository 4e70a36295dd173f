// The PC's CMOS real-time clock, read once at boot for the wall clock.
#pragma once

#include <stdint.h>

namespace vireo::arch {

// Seconds since 1970 (UTC, as QEMU's RTC keeps it), or 0 if the clock
// reads nonsense.
uint64_t rtc_read_unix_seconds();

}  // namespace vireo::arch
