// The hypercalls that register a guest's entry points and manage its trap
// state: set_trap_table, set_callbacks, callback_op, iret, stack_switch,
// set_segment_base, fpu_taskswitch.
#include "abi/arch_x86_64.hpp"
#include "abi/callback.hpp"
#include "abi/xen.hpp"
#include "hv/core/hot_path.hpp"
#include "hv/core/guest_traps.hpp"
#include "hv/core/descriptors.hpp"
#include "hv/core/hypercall.hpp"
#include "hv/core/platform.hpp"
#include "lib/types.hpp"

namespace vireo {
namespace {

constexpr unsigned kTrapsPerRound = 64;
constexpr uint64_t kFlagIF = 1u << 9, kFlagIOPL = 3u << 12;

}  // namespace

// As Xen (pv/callback.c, arch_set_info_guest): any canonical address. One
// in the hypervisor's range is taken too: the guest jumps there in ring 3,
// where it is not mapped for it, and the page fault is the guest's own.
bool guest_code_address(uint64_t va) { return canonical(va); }

Status register_callback(Vcpu& v, const xen::callback_register& reg)
{
    switch (reg.type) {
    case xen::CALLBACKTYPE_event:
    case xen::CALLBACKTYPE_failsafe:
    case xen::CALLBACKTYPE_syscall:
    case xen::CALLBACKTYPE_syscall32:
    case xen::CALLBACKTYPE_sysenter:
    case xen::CALLBACKTYPE_nmi:
        break;
    default:
        return Status::NOT_SUPPORTED;
    }
    if (!guest_code_address(reg.address))
        return Status::INVALID;
    v.callbacks.address[reg.type] = reg.address;
    v.callbacks.flags[reg.type] = reg.flags;
    return Status::OK;
}

HypercallResult do_set_trap_table(Vcpu& v, HypercallArgs& args)
{
    uint64_t list = args.a[0];
    if (list == 0) {
        for (GuestTrap& t : v.traps)
            t = GuestTrap{};
        return 0;
    }
    for (unsigned i = 0; i < kTrapsPerRound; ++i) {
        xen::trap_info ti;
        if (platform().copy_from_guest(&ti, list, sizeof ti) != Status::OK)
            return hc_error(Status::FAULT);
        if (ti.address == 0)
            return 0;
        if (!guest_code_address(ti.address))
            return hc_error(Status::INVALID);
        // A PV guest's handlers run in ring 3 whatever selector it names.
        v.traps[ti.vector] = GuestTrap{ti.address, static_cast<uint16_t>(ti.cs | 3), ti.flags};
        list += sizeof ti;
    }
    args.a[0] = list;
    return kHypercallRestart;
}

HypercallResult do_set_callbacks(Vcpu& v, HypercallArgs& args)
{
    // As Xen: no flags (so the failsafe and syscall callbacks leave events
    // as they were), and an address that is refused is skipped, not an
    // error (Xen ignores each registration's result).
    const xen::callback_register regs[] = {
        {xen::CALLBACKTYPE_event, 0, 0, args.a[0]},
        {xen::CALLBACKTYPE_failsafe, 0, 0, args.a[1]},
        {xen::CALLBACKTYPE_syscall, 0, 0, args.a[2]},
    };
    for (const auto& r : regs)
        (void)register_callback(v, r);
    return 0;
}

HypercallResult do_callback_op(Vcpu& v, HypercallArgs& args)
{
    switch (args.a[0]) {
    case xen::CALLBACKOP_register: {
        xen::callback_register reg;
        if (platform().copy_from_guest(&reg, args.a[1], sizeof reg) != Status::OK)
            return hc_error(Status::FAULT);
        return hc_error(register_callback(v, reg));
    }
    case xen::CALLBACKOP_unregister: {
        xen::callback_unregister unreg;
        if (platform().copy_from_guest(&unreg, args.a[1], sizeof unreg) != Status::OK)
            return hc_error(Status::FAULT);
        // As Xen 4.17: only the NMI callback can be dropped; the others are
        // refused (-EINVAL), unknown types are -ENOSYS.
        switch (unreg.type) {
        case xen::CALLBACKTYPE_event:
        case xen::CALLBACKTYPE_failsafe:
        case xen::CALLBACKTYPE_syscall:
        case xen::CALLBACKTYPE_syscall32:
        case xen::CALLBACKTYPE_sysenter:
            return hc_error(Status::INVALID);
        case xen::CALLBACKTYPE_nmi:
            v.callbacks.address[unreg.type] = 0;
            v.callbacks.flags[unreg.type] = 0;
            return 0;
        default:
            return hc_error(Status::NOT_SUPPORTED);
        }
    }
    default:
        report_unsupported(*v.domain, xen::HYPERVISOR_callback_op, static_cast<int64_t>(args.a[0]));
        return hc_error(Status::NOT_SUPPORTED);
    }
}

// iret: the guest pops a frame it (or a bounce) built. Everything in it is
// checked so the hypervisor's own iretq can never fault in ring 0.
VIREO_HOT HypercallResult do_iret(Vcpu& v, HypercallArgs&)
{
    GuestRegs& regs = *v.live_regs;
    // A domain-local iret (hypercall.hpp) that would crash the domain does
    // so under the whole hypervisor, before it has changed anything.
    xen::iret_context ctx;
    if (platform().copy_from_guest(&ctx, regs.rsp, sizeof ctx) != Status::OK) {
        if (v.in_local_hypercall)
            return kHypercallNeedsExclusive;
        domain_crash(*v.domain, "iret: frame not readable");
        return 0;
    }
    bool to_user = (ctx.cs & 3) == 3;
    uint16_t cs = static_cast<uint16_t>(ctx.cs | 3), ss = static_cast<uint16_t>(ctx.ss | 3);
    if (!canonical(ctx.rip) || !canonical(ctx.rsp) || !guest_selector_ok(v, cs, SegmentUse::CODE) ||
        !guest_selector_ok(v, ss, SegmentUse::STACK)) {
        if (v.in_local_hypercall)
            return kHypercallNeedsExclusive;
        domain_crash(*v.domain, "iret: bad frame (non-canonical address or selector)");
        return 0;
    }
    if (to_user && v.in_kernel_mode) {
        if (!v.user_cr3) {
            if (v.in_local_hypercall)
                return kHypercallNeedsExclusive;
            domain_crash(*v.domain, "iret to user mode with no user page tables");
            return 0;
        }
        toggle_guest_mode(v);
    }
    *vcpu_upcall_mask(v) = (ctx.rflags & kFlagIF) ? 0 : 1;
    regs.rip = ctx.rip;
    regs.cs = cs;
    regs.rflags = (ctx.rflags & ~kFlagIOPL) | kFlagIF;
    regs.rsp = ctx.rsp;
    regs.ss = ss;
    if (ctx.flags & xen::VGCF_in_syscall) {
        regs.vector = kSyscallVector;  // RCX/R11 need not survive: sysret may return
    } else {
        regs.r11 = ctx.r11;
        regs.rcx = ctx.rcx;
        regs.vector = 0;  // leave by iretq so RCX and R11 are restored
    }
    regs.rax = ctx.rax;
    v.result_in_regs = true;
    return 0;
}

VIREO_WARM HypercallResult do_stack_switch(Vcpu& v, HypercallArgs& args)
{
    v.kernel_ss = args.a[0] | 3;
    v.kernel_sp = args.a[1];
    return 0;
}

VIREO_WARM HypercallResult do_set_segment_base(Vcpu& v, HypercallArgs& args)
{
    uint64_t which = args.a[0], base = args.a[1];
    switch (which) {
    case xen::SEGBASE_FS:
        if (!canonical(base))
            return hc_error(Status::INVALID);
        v.fs_base = base;
        platform().set_fs_base(base);
        return 0;
    case xen::SEGBASE_GS_USER:
        if (!canonical(base))
            return hc_error(Status::INVALID);
        v.gs_base_user = base;
        if (!v.in_kernel_mode)
            platform().set_active_gs_base(base);
        return 0;
    case xen::SEGBASE_GS_KERNEL:
        if (!canonical(base))
            return hc_error(Status::INVALID);
        v.gs_base_kernel = base;
        if (v.in_kernel_mode)
            platform().set_active_gs_base(base);
        return 0;
    case xen::SEGBASE_GS_USER_SEL:
        // Loading a flat user %gs selector resets the user GS base.
        v.gs_base_user = 0;
        if (!v.in_kernel_mode)
            platform().set_active_gs_base(0);
        return 0;
    default:
        return hc_error(Status::INVALID);
    }
}

VIREO_WARM HypercallResult do_fpu_taskswitch(Vcpu& v, HypercallArgs& args)
{
    v.fpu_ts = args.a[0] != 0;
    platform().set_fpu_ts(v.fpu_ts);
    return 0;
}

}  // namespace vireo
