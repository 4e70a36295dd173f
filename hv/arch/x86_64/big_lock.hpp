// The hypervisor lock. Guests run on every CPU at once; the hypervisor's
// own work (hypercalls, traps, interrupts, scheduling) runs on one CPU at a
// time under this lock, taken on entry from a guest or from idle and
// dropped on the way back to a guest or into idle. The core was written
// for one CPU; this makes it correct on several while the work it guards
// stays short (every long operation is preemptible and restarts). The
// exception is a domain-local hypercall (hypercall.hpp): it holds the lock
// shared, beside other local ones, with only its domain locked.
//
// A CPU waiting for the lock still answers TLB shootdowns (the holder may be
// waiting for them), so waiting never deadlocks against a flush. How it
// waits (not in line: a free lock goes to a waiter that runs; halted after
// a short spin) is explained in big_lock.cpp.
#pragma once

#include "hv/core/domain.hpp"

namespace vireo::arch {

// may_halt: false where the wait must only spin, with interrupts off
// (trap and interrupt handlers: see handle_trap).
void big_lock(bool may_halt = true);
// Shared, for a domain-local hypercall (hypercall.hpp), which also holds
// its domain's lock. False on one CPU, where the lock was taken
// exclusively instead (nothing runs beside it anyway).
bool big_lock_shared();
// Whether a second CPU runs (until then there is nothing to share).
// Inline: every hypercall asks.
extern bool g_big_lock_smp;
inline bool big_lock_smp() { return __atomic_load_n(&g_big_lock_smp, __ATOMIC_RELAXED); }
// Drops the lock, in whichever mode this CPU holds it.
void big_unlock();
// Held in either mode.
bool big_lock_held_here();
// Another CPU waits for the lock: a long hypercall should stop at its next
// preemption point and continue later (Platform::preempt_pending).
bool big_lock_others_waiting();
// A domain's own lock, for its domain-local hypercalls (its vCPUs on
// other CPUs wait). Waiting answers TLB shootdowns.
void domain_lock(Domain& d);
void domain_unlock(Domain& d);
// Before the first secondary CPU starts, by the boot CPU holding the lock:
// from now on other CPUs contend for it.
void big_lock_enable_smp();
// Prints each CPU's contention figures (debug key 'l').
void big_lock_dump();

}  // namespace vireo::arch
