// The hypervisor lock. Guests run on every CPU at once; the hypervisor's
// own work (hypercalls, traps, interrupts, scheduling) runs on one CPU at a
// time under this ticket lock, taken on entry from a guest or from idle and
// dropped on the way back to a guest or into idle. The core was written
// for one CPU; this makes it correct on several while the work it guards
// stays short (every long operation is preemptible and restarts).
//
// A CPU waiting for the lock still answers TLB shootdowns (the holder may be
// waiting for them), so waiting never deadlocks against a flush.
#pragma once

namespace vireo::arch {

void big_lock();
void big_unlock();
bool big_lock_held_here();
// Before the first secondary CPU starts, by the boot CPU holding the lock:
// from now on the lock is a real ticket lock.
void big_lock_enable_smp();

}  // namespace vireo::arch
