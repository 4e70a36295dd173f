// Hypercall dispatch: the edge where guest numbers become core calls and
// core Status values become Xen's negative errno.
#pragma once

#include "abi/xen.hpp"
#include "hv/core/domain.hpp"
#include "hv/core/guest_regs.hpp"
#include "lib/status.hpp"

namespace vireo {

// What a handler gives back: a value for RAX (>= 0 or -errno already), or
// a request to run the same hypercall again later (continuation).
using HypercallResult = int64_t;
inline constexpr HypercallResult kHypercallRestart = INT64_MIN;
// From a domain-local run (below): this call needs the whole hypervisor.
// Nothing has changed yet, or the handler recorded its progress in args as
// for a restart; the call then runs again at once under the hypervisor
// lock, from there.
inline constexpr HypercallResult kHypercallNeedsExclusive = INT64_MIN + 1;

// A handler may change args before asking for a restart: they are written
// back to the guest's registers so the next round continues where this one
// stopped.
using HypercallHandler = HypercallResult (*)(Vcpu& v, HypercallArgs& args);

inline constexpr HypercallResult hc_error(Status s) { return -static_cast<int64_t>(xen_errno(s)); }

// Runs the hypercall in regs on behalf of v and stores the result in RAX.
// A continuation rewinds RIP over the 2-byte syscall so the guest issues
// the same hypercall again with its (possibly updated) arguments.
void hypercall_dispatch(Vcpu& v, GuestRegs& regs);

// Domain-local hypercalls. Under the hypervisor lock one CPU at a time runs
// the hypervisor; a domain's frequent calls that touch only its own state
// (its event ports, its own page tables, its vCPU's timer, or nothing at
// all) may instead run beside other CPUs' work, holding the lock shared and
// only their domain locked (the arch's domain_lock, so its other vCPUs
// wait). The handler sees v.in_local_hypercall and answers
// kHypercallNeedsExclusive before it would reach anything else (another
// domain, the scheduler, the allocator). Every other path runs with the
// lock held exclusively, so it never meets a local call half-way.
// Whether hypercall nr may start as a local one. Inline: every hypercall
// on several CPUs asks, before it takes the lock.
constexpr bool hypercall_runs_local(uint64_t nr)
{
    switch (nr) {
    case xen::HYPERVISOR_xen_version:
    case xen::HYPERVISOR_event_channel_op:
    case xen::HYPERVISOR_set_timer_op:
    case xen::HYPERVISOR_multicall:
    case xen::HYPERVISOR_mmu_update:
    case xen::HYPERVISOR_mmuext_op:
    case xen::HYPERVISOR_update_va_mapping:
    case xen::HYPERVISOR_iret:
    case xen::HYPERVISOR_stack_switch:
    case xen::HYPERVISOR_set_segment_base:
    case xen::HYPERVISOR_fpu_taskswitch: return true;
    default: return false;
    }
}
// Runs the hypercall in regs as a local one. False when it needs the whole
// hypervisor: regs then hold the arguments to run it with
// (hypercall_dispatch), RIP unchanged.
bool hypercall_dispatch_local(Vcpu& v, GuestRegs& regs);
// The handler for hypercall nr, or null when Vireo has none.
HypercallHandler hypercall_handler(uint64_t nr);

// The handlers, one file each.
HypercallResult do_console_io(Vcpu& v, HypercallArgs& args);
HypercallResult do_xen_version(Vcpu& v, HypercallArgs& args);
HypercallResult do_sched_op(Vcpu& v, HypercallArgs& args);
HypercallResult do_vm_assist(Vcpu& v, HypercallArgs& args);
// The VMASST_TYPE_* bits a 64-bit PV guest may enable.
uint64_t vm_assist_valid_types();
HypercallResult do_set_trap_table(Vcpu& v, HypercallArgs& args);
HypercallResult do_stack_switch(Vcpu& v, HypercallArgs& args);
HypercallResult do_set_callbacks(Vcpu& v, HypercallArgs& args);
HypercallResult do_fpu_taskswitch(Vcpu& v, HypercallArgs& args);
HypercallResult do_iret(Vcpu& v, HypercallArgs& args);
HypercallResult do_set_segment_base(Vcpu& v, HypercallArgs& args);
HypercallResult do_callback_op(Vcpu& v, HypercallArgs& args);
HypercallResult do_mmu_update(Vcpu& v, HypercallArgs& args);
HypercallResult do_mmuext_op(Vcpu& v, HypercallArgs& args);
HypercallResult do_update_va_mapping(Vcpu& v, HypercallArgs& args);
HypercallResult do_event_channel_op(Vcpu& v, HypercallArgs& args);
HypercallResult do_vcpu_op(Vcpu& v, HypercallArgs& args);
HypercallResult do_set_timer_op(Vcpu& v, HypercallArgs& args);
HypercallResult do_domctl(Vcpu& v, HypercallArgs& args);
HypercallResult do_sysctl(Vcpu& v, HypercallArgs& args);
HypercallResult do_multicall(Vcpu& v, HypercallArgs& args);
HypercallResult do_memory_op(Vcpu& v, HypercallArgs& args);
HypercallResult do_set_gdt(Vcpu& v, HypercallArgs& args);
HypercallResult do_update_descriptor(Vcpu& v, HypercallArgs& args);
HypercallResult do_physdev_op(Vcpu& v, HypercallArgs& args);
HypercallResult do_platform_op(Vcpu& v, HypercallArgs& args);
HypercallResult do_set_debugreg(Vcpu& v, HypercallArgs& args);
HypercallResult do_get_debugreg(Vcpu& v, HypercallArgs& args);

}  // namespace vireo
