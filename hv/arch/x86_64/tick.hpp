// The hypervisor's one timer per CPU (the LAPIC's, one-shot): it polls the
// serial line for console input and debug keys, fires vCPU timers, and ends
// time slices. It is always armed for the earliest of those.
#pragma once

#include <stdint.h>

namespace vireo::arch {

void tick_init(uint64_t apic_timer_khz, unsigned poll_hz);
// After a vCPU timer or the time slice changed.
void timer_reprogram();

}  // namespace vireo::arch
