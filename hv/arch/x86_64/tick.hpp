// The hypervisor's periodic tick on each CPU: polls the serial line for
// console input and debug keys, and gives the scheduler a chance to run.
#pragma once

#include <stdint.h>

namespace vireo::arch {

void tick_init(uint64_t apic_timer_khz, unsigned hz);

}  // namespace vireo::arch
