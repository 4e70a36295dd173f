// Time and waiting for test kernels: shared_info mapped into the kernel,
// system time from the vCPU time info (Xen's version protocol), and
// sleeping on VIRQ_TIMER with SCHEDOP_block. Sleeping needs no event
// callback: the kernel clears the pending state itself before each block.
#pragma once

#include <stdint.h>

#include "abi/xen.hpp"

namespace guest {

// Maps shared_info at a page of the kernel's own (once).
volatile xen::shared_info* map_shared_info(const xen::start_info* si);
volatile xen::shared_info* shared_info();
uint64_t rdtsc();
uint64_t system_time_ns();
// Blocks until system time reaches `deadline_ns`.
void sleep_until(uint64_t deadline_ns);
inline void sleep_ns(uint64_t ns) { sleep_until(system_time_ns() + ns); }

}  // namespace guest
