#include "hv/core/vcpu_context.hpp"

#include "abi/callback.hpp"
#include "hv/core/descriptors.hpp"
#include "hv/core/guest_traps.hpp"
#include "hv/core/ldt.hpp"
#include "hv/core/page_tables.hpp"
#include "hv/core/runstate.hpp"
#include "lib/types.hpp"

namespace vireo {
namespace {

GuestRegs regs_from(const xen::cpu_user_regs& u)
{
    GuestRegs r{};
    r.r15 = u.r15, r.r14 = u.r14, r.r13 = u.r13, r.r12 = u.r12, r.rbp = u.rbp, r.rbx = u.rbx;
    r.r11 = u.r11, r.r10 = u.r10, r.r9 = u.r9, r.r8 = u.r8, r.rax = u.rax, r.rcx = u.rcx;
    r.rdx = u.rdx, r.rsi = u.rsi, r.rdi = u.rdi;
    r.rip = u.rip, r.rsp = u.rsp, r.rflags = (u.rflags & 0x0dd5) | 0x202;
    // Guest code runs in ring 3 whatever RPL it names (as Xen fixes up).
    r.cs = u.cs | 3, r.ss = u.ss | 3;
    r.vector = 0;  // first entry by iretq: RCX and R11 are the guest's
    return r;
}

}  // namespace

Status vcpu_context_check(const xen::vcpu_guest_context& c)
{
    const xen::cpu_user_regs& u = c.user_regs;
    if (!canonical(u.rip) || !canonical(u.rsp) || !canonical(c.kernel_sp) || !canonical(c.fs_base) ||
        !canonical(c.gs_base_kernel) || !canonical(c.gs_base_user))
        return Status::INVALID;
    // The LDT as MMUEXT_SET_LDT checks it, and (as Xen 4.17 here) its
    // address even without entries.
    if (!ldt_arguments_ok(c.ldt_base, c.ldt_ents) || !ldt_arguments_ok(c.ldt_base, 1))
        return Status::INVALID;
    // Checked whole: a count cut to 32 bits must not pass for a small one.
    if (c.gdt_ents > kGuestGdtEntries)
        return Status::INVALID;
    const uint64_t eips[] = {c.event_callback_eip, c.failsafe_callback_eip, c.syscall_callback_eip};
    for (uint64_t eip : eips)
        if (eip && !guest_code_address(eip))
            return Status::INVALID;
    for (const xen::trap_info_entry& t : c.trap_ctxt)
        if (t.address && !guest_code_address(t.address))
            return Status::INVALID;
    return Status::OK;
}

void vcpu_context_apply(Vcpu& v, const xen::vcpu_guest_context& c)
{
    const xen::cpu_user_regs& u = c.user_regs;
    v.regs = regs_from(u);
    v.in_kernel_mode = c.flags & xen::VGCF_IN_KERNEL;
    // As on Xen, the context's RFLAGS.IOPL becomes the virtual IOPL
    // (Linux starts its secondary CPUs with IOPL 1).
    v.virtual_iopl = static_cast<uint8_t>((u.rflags >> 12) & 3);
    for (unsigned i = 0; i < 256; ++i) {
        const xen::trap_info_entry& t = c.trap_ctxt[i];
        if (t.address)
            v.traps[t.vector] = GuestTrap{t.address, static_cast<uint16_t>(t.cs | 3), t.flags};
    }
    v.kernel_ss = c.kernel_ss | 3, v.kernel_sp = c.kernel_sp;
    v.fs_base = c.fs_base, v.gs_base_kernel = c.gs_base_kernel, v.gs_base_user = c.gs_base_user;
    // Not checked here, as on Xen: one that does not load when the vCPU
    // first runs sends it to its failsafe callback.
    v.data_selectors[0] = u.ds, v.data_selectors[1] = u.es;
    v.data_selectors[2] = u.fs, v.data_selectors[3] = u.gs;
    auto callback = [&](uint16_t type, uint64_t eip, bool mask) {
        v.callbacks.address[type] = eip;
        v.callbacks.flags[type] = mask ? xen::CALLBACKF_mask_events : 0;
    };
    callback(xen::CALLBACKTYPE_event, c.event_callback_eip, true);
    callback(xen::CALLBACKTYPE_failsafe, c.failsafe_callback_eip, c.flags & xen::VGCF_failsafe_disables_events);
    callback(xen::CALLBACKTYPE_syscall, c.syscall_callback_eip, c.flags & xen::VGCF_syscall_disables_events);
    // A vCPU whose registers some CPU's FPU holds keeps them.
    if ((c.flags & xen::VGCF_I387_VALID) && !v.fpu_cpu_plus1)
        __builtin_memcpy(v.fpu_state, c.fpu_ctxt, sizeof v.fpu_state);
}

Status vcpu_initialise(Vcpu& v, const xen::vcpu_guest_context& c)
{
    if (v.initialised)
        return Status::EXISTS;
    if (v.state != VcpuState::DOWN)
        return Status::INVALID;
    VIREO_TRY(vcpu_context_check(c));

    // The parts that take references, each undone if a later one fails.
    if (!(c.flags & xen::VGCF_IN_KERNEL) && !(c.ctrlreg[1] >> 12))
        return Status::INVALID;  // user mode needs user tables
    VIREO_TRY(set_guest_gdt(v, c.gdt_frames, static_cast<unsigned>(c.gdt_ents)));
    if (set_base_table(v, Mfn(c.ctrlreg[3] >> 12), false) != Status::OK) {
        drop_guest_gdt(v);
        return Status::INVALID;
    }
    if ((c.ctrlreg[1] >> 12) && set_base_table(v, Mfn(c.ctrlreg[1] >> 12), true) != Status::OK) {
        drop_base_table(v, false);
        drop_guest_gdt(v);
        return Status::INVALID;
    }

    vcpu_context_apply(v, c);
    // Checked above; its pages are found through the new kernel tables.
    (void)set_guest_ldt(v, c.ldt_base, static_cast<unsigned>(c.ldt_ents));
    v.initialised = true;
    return Status::OK;
}

}  // namespace vireo
