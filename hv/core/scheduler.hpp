// Which vCPU runs next and for how long: Borrowed Virtual Time, as in the
// Xen paper. The runnable vCPU with the lowest effective virtual time runs;
// it keeps the CPU until its virtual time passes the next one's by the
// context-switch allowance. A vCPU that wakes is brought up to the system
// virtual time (the least of the runnable ones) so sleeping earns no
// credit; a warped one gets ahead by its warp. The arch layer does the
// switch itself and asks again when the slice ends, the vCPU blocks or
// yields, or a wake-up asks to preempt.
#pragma once

#include "hv/core/domain.hpp"
#include "lib/status.hpp"

namespace vireo {

// The charging unit and the context-switch allowance (real time).
inline constexpr uint64_t kBvtMcuNs = 100 * 1000;
inline constexpr uint32_t kBvtDefaultMcuAdvance = 10;
inline constexpr uint64_t kBvtDefaultCtxAllowNs = 5 * 1000 * 1000;
// The longest slice when nothing else is runnable (a wake-up preempts it).
inline constexpr uint64_t kBvtMaxSliceNs = 30 * 1000 * 1000;

struct SchedDecision {
    Vcpu* next = nullptr;     // null: nothing runnable (idle)
    uint64_t slice_end_ns = 0;
};

// Charges `prev` (the vCPU that was running, or null) for its time since
// it was put on the CPU, then picks the next one. A yielding prev goes
// behind every other runnable vCPU with a virtual time near its own.
// With several CPUs each picks from its own run queue (the vCPUs whose
// processor it is) and, when that is empty, takes the best runnable vCPU
// no CPU is running from another queue (work stealing), which moves it; a
// busy CPU does the same when another queue is longer than its own by two
// or more.
SchedDecision scheduler_pick(Vcpu* prev, uint64_t now_ns, bool prev_yielded = false, unsigned cpu = 0);
// v became runnable. True if it should preempt `running` (which may be
// null when the CPU idles).
bool scheduler_wake(Vcpu& v, Vcpu* running, uint64_t now_ns);
// Where v should run after waking: its own CPU, unless that one is busy and
// another is idle (`idle(cpu)` says which are), when it moves there.
template <typename IdleFn>
unsigned scheduler_place(Vcpu& v, unsigned nr_cpus, IdleFn&& idle)
{
    if (nr_cpus <= 1 || v.on_a_cpu || idle(v.processor))
        return v.processor;
    for (unsigned c = 0; c < nr_cpus; ++c)
        if (idle(c)) {
            v.processor = c;
            return c;
        }
    return v.processor;
}
// v stopped being runnable (blocked, went down): its warp ends.
void scheduler_sleep(Vcpu& v, uint64_t now_ns);

uint32_t mcu_advance(const Domain& d);
void scheduler_set_ctx_allow(uint64_t ns);
uint64_t scheduler_ctx_allow();
// Validates and applies a domain's BVT parameters (Status::INVALID for a
// zero mcu_advance or a warp that a limit cannot bound).
Status scheduler_set_params(Domain& d, const BvtParams& p);

// Called when a domain stops: when no domain is left, the machine powers
// off (QEMU's exit status then carries dom0's shutdown reason).
void scheduler_domain_stopped(Domain& d);
// The exit value for isa-debug-exit once everything has stopped.
uint8_t machine_exit_value();

}  // namespace vireo
