#include "hv/arch/x86_64/run.hpp"
#include "hv/core/hot_path.hpp"

#include "hv/arch/x86_64/big_lock.hpp"
#include "hv/arch/x86_64/cpu.hpp"
#include "hv/arch/x86_64/debugregs.hpp"
#include "hv/arch/x86_64/domain_reaper.hpp"
#include "hv/arch/x86_64/fpu.hpp"
#include "hv/arch/x86_64/gdt.hpp"
#include "hv/arch/x86_64/ldt.hpp"
#include "hv/arch/x86_64/panic.hpp"
#include "hv/arch/x86_64/percpu.hpp"
#include "hv/arch/x86_64/segments.hpp"
#include "hv/arch/x86_64/tick.hpp"
#include "hv/arch/x86_64/tlb_shootdown.hpp"
#include "hv/arch/x86_64/tsc.hpp"
#include "hv/arch/x86_64/trap_frame.hpp"
#include "hv/core/guest_traps.hpp"
#include "hv/core/hypercall.hpp"
#include "hv/core/log.hpp"
#include "hv/core/runstate.hpp"
#include "hv/core/scheduler.hpp"
#include "hv/core/event_channel.hpp"
#include "hv/core/vcpu_events.hpp"
#include "hv/core/vcpu_time.hpp"

extern "C" [[noreturn]] void enter_guest_first_time(vireo::arch::TrapFrame* frame);

namespace vireo::arch {
namespace {

// The frame of the vCPU on this CPU always sits at the top of the CPU's
// stack: ring 3 -> ring 0 transitions (TSS RSP0, syscall) start there.
TrapFrame* guest_frame()
{
    return reinterpret_cast<TrapFrame*>(this_cpu()->stack_top - sizeof(TrapFrame));
}

// The guest's view of RFLAGS: interrupts always on (its virtual IF is the
// upcall mask), IOPL 0, no NT/VM/RF.
uint64_t sanitize_rflags(uint64_t rflags)
{
    constexpr uint64_t kAllowed = 0x0dd5 | (1u << 18) | (1u << 21);  // status flags, TF, DF, AC, ID
    return (rflags & kAllowed) | (1u << 9) | 2;
}

// The vCPU leaves the CPU: its runstate says why, and its guest copy is
// rewritten while its tables are still at hand.
void switched_out(Vcpu& v, uint64_t now)
{
    int state = v.state == VcpuState::RUNNABLE ? xen::RUNSTATE_runnable
                : v.state == VcpuState::BLOCKED ? xen::RUNSTATE_blocked
                                                 : xen::RUNSTATE_offline;
    runstate_change(v, state, now);
    runstate_publish(v);
    fpu_switch_out(v);
}

}  // namespace

Vcpu* current_vcpu() { return static_cast<Vcpu*>(this_cpu()->current_vcpu); }

VIREO_HOT void apply_deferred_cr3(PerCpu& pc)
{
    if (!pc.deferred_cr3)
        return;
    if (Cr::read3() != pc.deferred_cr3)
        Cr::write3(pc.deferred_cr3);
    pc.deferred_cr3 = 0;
}

void run_vcpu(Vcpu& v)
{
    PerCpu* pc = this_cpu();
    irq_disable();
    pc->current_vcpu = &v;
    uint64_t cr3 = v.in_kernel_mode || !v.user_cr3 ? v.kernel_cr3 : v.user_cr3;
    pc->deferred_cr3 = 0;  // this load is the one that counts
    if (Cr::read3() != cr3) {
        Cr::write3(cr3);  // dear under TCG: it flushes QEMU's whole TLB
        pc->address_space_switches++;
    }
    pc->loaded_domain = v.domain;
    tlb_shootdown_service();  // one asked of this CPU while it idled
    // entry.S swaps these in with swapgs on the way out.
    Msr::write(Msr::kKernelGsBase, v.in_kernel_mode ? v.gs_base_kernel : v.gs_base_user);
    Msr::write(Msr::kFsBase, v.fs_base);
    tss_set_rsp0(pc->stack_top);
    gdt_load_guest(v);
    ldt_load_guest(v);  // before the guest's selectors load: some may be the LDT's
    fpu_switch_in(v);
    debugregs_switch_in(v);
    vcpu_scheduled_in(v, now_ns());
    TrapFrame* f = guest_frame();
    *f = v.regs;
    f->rflags = sanitize_rflags(f->rflags);
    uint16_t failed[4];
    if (!segments_load(v, failed))
        guest_failsafe(v, *f, failed);  // or crashes the domain: the exit path then schedules
    enter_guest_first_time(f);
}

void schedule(bool prev_yielded)
{
    PerCpu* pc = this_cpu();
    Vcpu* prev = current_vcpu();
    if (prev) {
        prev->regs = *guest_frame();
        segments_save(*prev);
    }
    for (;;) {
        irq_disable();
        pc->need_resched = false;
        reap_stopped_domains();
        uint64_t now = now_ns();
        SchedDecision d = scheduler_pick(prev, now, prev_yielded, pc->cpu_index);
        if (prev && prev != d.next)
            switched_out(*prev, now);
        if (d.next) {
            if (d.next != prev) {
                runstate_change(*d.next, xen::RUNSTATE_running, now);
                runstate_publish(*d.next);
            }
            pc->slice_end_ns = d.slice_end_ns;
            timer_arm_slice_end();
            run_vcpu(*d.next);
        }
        if (pc->cpu_index == 0 && domains_alive() == 0)
            panic("no domain left to run");
        // Nothing runnable: wait for an interrupt to wake someone, without
        // the hypervisor lock (the interrupt handler takes it).
        pc->current_vcpu = nullptr;
        pc->slice_end_ns = 0;
        prev = nullptr;
        prev_yielded = false;
        big_unlock();
        if (!__atomic_load_n(&pc->need_resched, __ATOMIC_ACQUIRE))
            asm volatile("sti; hlt; cli" ::: "memory");
        big_lock();
    }
}

// Every return to a guest passes here (entry.S, with interrupts off):
// the scheduler runs if the vCPU cannot go on or its slice is over, and a
// pending event is delivered as an upcall when the guest allows it.
extern "C" VIREO_HOT void exit_to_guest(TrapFrame* frame)
{
    PerCpu* pc = this_cpu();
    if (pc->lock_shared) {
        // After a domain-local hypercall: straight back, unless the
        // scheduler or an upcall has work, which needs the lock whole.
        Vcpu* v = current_vcpu();
        if (v->state == VcpuState::RUNNABLE && domain_may_run(*v->domain) && !v->yield_requested &&
            !__atomic_load_n(&pc->need_resched, __ATOMIC_ACQUIRE) && !upcall_due(*v)) {
            apply_deferred_cr3(*pc);
            big_unlock();
            return;
        }
        big_unlock();
        big_lock();
    }
    for (;;) {
        Vcpu* v = current_vcpu();
        bool yielded = vcpu_take_yield_request(*v);
        if (v->state != VcpuState::RUNNABLE || !domain_may_run(*v->domain) || yielded ||
            pc->need_resched)
            schedule(yielded);
        deliver_pending_events(*v, *frame);
        // A failed bounce crashes the domain: go round to schedule.
        if (v->state == VcpuState::RUNNABLE && domain_may_run(*v->domain)) {
            apply_deferred_cr3(*pc);
            big_unlock();  // back to the guest: the hypervisor's work is done
            return;
        }
    }
}

extern "C" VIREO_HOT void handle_syscall(TrapFrame* frame)
{
    Vcpu* v = current_vcpu();
    v->live_regs = frame;
    // A domain-local hypercall runs beside other CPUs' work (hypercall.hpp),
    // and so does the bounce of a guest user's system call to its kernel;
    // one that turns out to need more runs again, from where it stopped,
    // under the lock held whole.
    if (big_lock_smp() && (!v->in_kernel_mode || hypercall_runs_local(frame->rax)) && big_lock_shared()) {
        Domain& d = *v->domain;
        domain_lock(d);
        bool done = v->in_kernel_mode ? hypercall_dispatch_local(*v, *frame) : guest_user_syscall_local(*v, *frame);
        domain_unlock(d);
        if (done)
            return;
        big_unlock();
        big_lock();
    } else {
        big_lock();
    }
    if (!v->in_kernel_mode)
        guest_user_syscall(*v, *frame);  // a system call of the guest's own
    else
        hypercall_dispatch(*v, *frame);
}

// An exception raised by guest code: bounced to the guest's handler, or
// the domain is crashed with a clear line when it has none.
VIREO_HOT void handle_guest_trap(TrapFrame* frame)
{
    Vcpu* v = current_vcpu();
    v->live_regs = frame;
    unsigned vector = static_cast<unsigned>(frame->vector);
    uint64_t cr2 = vector == kPageFault ? Cr::read2() : 0;
    guest_exception(*v, *frame, vector, frame->error_code, cr2);
}

}  // namespace vireo::arch
