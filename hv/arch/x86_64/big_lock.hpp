// The hypervisor lock. Guests run on every CPU at once; the hypervisor's
// own work (hypercalls, traps, interrupts, scheduling) runs on one CPU at a
// time under this lock, taken on entry from a guest or from idle and
// dropped on the way back to a guest or into idle. The core was written
// for one CPU; this makes it correct on several while the work it guards
// stays short (every long operation is preemptible and restarts).
//
// A CPU waiting for the lock still answers TLB shootdowns (the holder may be
// waiting for them), so waiting never deadlocks against a flush. How it
// waits (not in line: a free lock goes to a waiter that runs; halted after
// a short spin) is explained in big_lock.cpp.
#pragma once

namespace vireo::arch {

// may_halt: false where the wait must only spin, with interrupts off
// (trap and interrupt handlers: see handle_trap).
void big_lock(bool may_halt = true);
void big_unlock();
bool big_lock_held_here();
// Before the first secondary CPU starts, by the boot CPU holding the lock:
// from now on other CPUs contend for it.
void big_lock_enable_smp();
// Prints each CPU's contention figures (debug key 'l').
void big_lock_dump();

}  // namespace vireo::arch
