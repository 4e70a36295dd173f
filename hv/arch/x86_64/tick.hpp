// The hypervisor's one timer per CPU (the LAPIC's, one-shot): it polls the
// serial line for console input and debug keys, fires vCPU timers, and ends
// time slices. It is always armed for the earliest of those.
#pragma once

#include <stdint.h>

namespace vireo::arch {

void tick_init(uint64_t apic_timer_khz, unsigned poll_hz);
// A secondary CPU starts its own timer (same rate as the boot CPU's).
void tick_init_ap();
// After a vCPU timer changed: fires what is due and re-arms.
void timer_reprogram();
// This CPU's timer fires by deadline_ns (a vCPU timer set by a domain-local
// set_timer_op): armed earlier if it was armed for later.
void timer_arm_by(uint64_t deadline_ns);
// After a new slice began: the timer is always armed for the poll and the
// vCPU timers already, so only the slice's end may need it earlier (no
// walk over every vCPU on each switch).
void timer_arm_slice_end();

}  // namespace vireo::arch
