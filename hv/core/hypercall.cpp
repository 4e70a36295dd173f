#include "hv/core/hypercall.hpp"
#include "hv/core/hot_path.hpp"

#include "abi/xen.hpp"

namespace vireo {
namespace {

constexpr unsigned kNrHypercalls = 64;

struct Table {
    HypercallHandler handlers[kNrHypercalls] = {};
    constexpr Table()
    {
        handlers[xen::HYPERVISOR_console_io] = do_console_io;
        handlers[xen::HYPERVISOR_xen_version] = do_xen_version;
        handlers[xen::HYPERVISOR_sched_op] = do_sched_op;
        handlers[xen::HYPERVISOR_vm_assist] = do_vm_assist;
        handlers[xen::HYPERVISOR_set_trap_table] = do_set_trap_table;
        handlers[xen::HYPERVISOR_stack_switch] = do_stack_switch;
        handlers[xen::HYPERVISOR_set_callbacks] = do_set_callbacks;
        handlers[xen::HYPERVISOR_fpu_taskswitch] = do_fpu_taskswitch;
        handlers[xen::HYPERVISOR_iret] = do_iret;
        handlers[xen::HYPERVISOR_set_segment_base] = do_set_segment_base;
        handlers[xen::HYPERVISOR_callback_op] = do_callback_op;
        handlers[xen::HYPERVISOR_mmu_update] = do_mmu_update;
        handlers[xen::HYPERVISOR_mmuext_op] = do_mmuext_op;
        handlers[xen::HYPERVISOR_update_va_mapping] = do_update_va_mapping;
        handlers[xen::HYPERVISOR_event_channel_op] = do_event_channel_op;
        handlers[xen::HYPERVISOR_vcpu_op] = do_vcpu_op;
        handlers[xen::HYPERVISOR_set_timer_op] = do_set_timer_op;
        handlers[xen::HYPERVISOR_domctl] = do_domctl;
        handlers[xen::HYPERVISOR_sysctl] = do_sysctl;
        handlers[xen::HYPERVISOR_multicall] = do_multicall;
        handlers[xen::HYPERVISOR_memory_op] = do_memory_op;
        handlers[xen::HYPERVISOR_set_gdt] = do_set_gdt;
        handlers[xen::HYPERVISOR_update_descriptor] = do_update_descriptor;
        handlers[xen::HYPERVISOR_physdev_op] = do_physdev_op;
        handlers[xen::HYPERVISOR_platform_op] = do_platform_op;
        handlers[xen::HYPERVISOR_set_debugreg] = do_set_debugreg;
        handlers[xen::HYPERVISOR_get_debugreg] = do_get_debugreg;
    }
};
VIREO_HOT_DATA constexpr Table kTable;

}  // namespace

HypercallHandler hypercall_handler(uint64_t nr)
{
    return nr < kNrHypercalls ? kTable.handlers[nr] : nullptr;
}

namespace {

void write_back_args(GuestRegs& regs, const HypercallArgs& args)
{
    regs.rdi = args.a[0], regs.rsi = args.a[1], regs.rdx = args.a[2];
    regs.r10 = args.a[3], regs.r8 = args.a[4], regs.r9 = args.a[5];
}

// The handler's answer into the guest's registers.
VIREO_HOT void finish(Vcpu& v, GuestRegs& regs, const HypercallArgs& args, HypercallResult r)
{
    if (v.result_in_regs) {
        // The handler replaced the register state (iret): RAX is the
        // guest's own value, which may be any 64-bit number.
        v.result_in_regs = false;
        return;
    }
    if (r == kHypercallRestart) {
        regs.rip -= 2;  // back over 'syscall'
        write_back_args(regs, args);
        return;
    }
    regs.rax = static_cast<uint64_t>(r);
}

}  // namespace

VIREO_HOT void hypercall_dispatch(Vcpu& v, GuestRegs& regs)
{
    HypercallArgs args = HypercallArgs::from(regs);
    v.live_regs = &regs;
    HypercallHandler handler = hypercall_handler(args.nr);
    if (!handler) {
        report_unsupported(*v.domain, args.nr, -1);
        regs.rax = static_cast<uint64_t>(hc_error(Status::NOT_SUPPORTED));
        return;
    }
    finish(v, regs, args, handler(v, args));
}

VIREO_HOT bool hypercall_dispatch_local(Vcpu& v, GuestRegs& regs)
{
    HypercallArgs args = HypercallArgs::from(regs);
    v.live_regs = &regs;
    HypercallHandler handler = hypercall_handler(args.nr);
    if (!handler || !hypercall_runs_local(args.nr))
        return false;
    v.in_local_hypercall = true;
    HypercallResult r = handler(v, args);
    v.in_local_hypercall = false;
    if (r == kHypercallNeedsExclusive) {
        write_back_args(regs, args);
        return false;
    }
    finish(v, regs, args, r);
    return true;
}

}  // namespace vireo
