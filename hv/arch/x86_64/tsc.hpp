// Time: the TSC, calibrated once against the PIT (the one reference timer
// every PC and QEMU machine has), and the APIC timer against the TSC.
#pragma once

#include <stdint.h>

namespace vireo::arch {

struct TimeCalibration {
    uint64_t tsc_khz;        // TSC ticks per millisecond
    uint64_t apic_timer_khz; // APIC timer ticks per millisecond (divide 1)
};

TimeCalibration time_calibrate();
uint64_t tsc_khz();
// The TSC when calibration ended: system time 0.
uint64_t tsc_at_boot();
// Nanoseconds since calibration (system time), from the TSC.
uint64_t now_ns();

}  // namespace vireo::arch
