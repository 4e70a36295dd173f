// Flushing the TLBs of other CPUs: a guest's page-table change must not
// leave a stale translation on a CPU that runs (or last ran) the same
// address space. The requester marks each target, sends it an IPI and waits
// until every target has flushed; a target flushes from the IPI handler,
// or while it waits for the hypervisor lock.
#pragma once

#include <stdint.h>

namespace vireo { struct Domain; }

namespace vireo::arch {

inline constexpr uint8_t kShootdownVector = 0xf1;
inline constexpr uint8_t kRescheduleVector = 0xf2;
// Wakes a CPU halted waiting for the hypervisor lock (big_lock.cpp).
inline constexpr uint8_t kLockWakeVector = 0xf3;

// Flushes this CPU and every other CPU whose loaded page tables belong to d
// (all CPUs when d is null).
void tlb_flush_domain(const Domain* d);
// A pending shootdown for this CPU, if any, is carried out now.
void tlb_shootdown_service();
// Asks CPU `cpu` to run its scheduler (and deliver events) soon.
void cpu_kick(unsigned cpu);

}  // namespace vireo::arch
