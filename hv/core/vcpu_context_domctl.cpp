// domctl setvcpucontext / getvcpucontext: dom0's toolstack gives a vCPU of
// a domain it builds its first context (what libxenguest's xc_dom_boot
// does for vCPU 0), reads one back, or resets a vCPU (a null context).
// Xen 4.17's rules (arch_set_info_guest): a vCPU with a context may take
// new registers but not other tables, GDT or LDT; VGCF_online decides
// whether it is up.
#include "abi/callback.hpp"
#include "hv/core/descriptors.hpp"
#include "hv/core/hypercall.hpp"
#include "hv/core/ldt.hpp"
#include "hv/core/page_tables.hpp"
#include "hv/core/platform.hpp"
#include "hv/core/vcpu_context.hpp"
#include "hv/core/vcpu_events.hpp"
#include "hv/core/vcpu_time.hpp"

namespace vireo {
namespace {

uint64_t frame_of(uint64_t maddr) { return maddr >> kPageShift; }

// What a vCPU with a context must be given again unchanged.
bool same_references(const Vcpu& v, const xen::vcpu_guest_context& c)
{
    if (frame_of(c.ctrlreg[3]) != frame_of(v.kernel_cr3))
        return false;
    if (!v.user_cr3) {
        if (c.ctrlreg[1] || !(c.flags & xen::VGCF_IN_KERNEL))
            return false;
    } else if (frame_of(c.ctrlreg[1]) != frame_of(v.user_cr3)) {
        return false;
    }
    if (c.gdt_ents != v.gdt_entries)
        return false;
    for (unsigned i = 0; i < v.gdt_nr_frames; ++i)
        if (c.gdt_frames[i] != v.gdt_frames[i])
            return false;
    if (c.ldt_ents != v.ldt_entries)
        return false;
    return !v.ldt_entries || c.ldt_base == v.ldt_base;
}

void set_online(Vcpu& v, bool online)
{
    if (online)
        vcpu_up(v);  // runs once its domain is unpaused
    else if (v.state != VcpuState::DOWN)
        vcpu_down(v);
}

}  // namespace

Status vcpu_set_context(Vcpu& v, const xen::vcpu_guest_context& c)
{
    Domain& d = *v.domain;
    VIREO_TRY(vcpu_context_check(c));
    if (v.id == 0 && (c.vm_assist & ~vm_assist_valid_types()))
        return Status::INVALID;
    if (v.initialised) {
        if (!same_references(v, c))
            return Status::NOT_SUPPORTED;
        vcpu_context_apply(v, c);
        set_online(v, c.flags & xen::VGCF_online);
        return Status::OK;
    }
    // The vCPU is down without a context: VCPUOP_initialise's path, whose
    // base-table step checks that CR3 names an L4 of d's.
    VIREO_TRY(vcpu_initialise(v, c));
    if (v.id == 0) {
        d.vm_assist = c.vm_assist;
        update_wallclock(d);
    }
    // As every PV vCPU on Xen: a 100 Hz periodic timer (Linux stops it).
    v.timer_period_ns = kDefaultPeriodicTimerNs;
    v.timer_last_periodic_ns = platform().now_ns ? platform().now_ns() : 0;
    update_vcpu_time(v);
    set_online(v, c.flags & xen::VGCF_online);
    return Status::OK;
}

void vcpu_reset(Vcpu& v)
{
    if (v.state != VcpuState::DOWN)
        vcpu_down(v);
    drop_guest_gdt(v);
    drop_guest_ldt(v);
    drop_base_table(v, true);
    drop_base_table(v, false);
    v.initialised = false;
    v.regs = GuestRegs{};
    v.in_kernel_mode = true;
    for (GuestTrap& t : v.traps)
        t = GuestTrap{};
    v.callbacks = GuestCallbacks{};
    v.kernel_ss = v.kernel_sp = 0;
    v.fs_base = v.gs_base_kernel = v.gs_base_user = 0;
    for (uint16_t& s : v.data_selectors)
        s = 0;
    v.timer_deadline_ns = 0;
    v.timer_period_ns = 0;
    v.polling = false;
    v.virtual_iopl = 0;
}

void vcpu_get_context(const Vcpu& v, xen::vcpu_guest_context& c)
{
    __builtin_memset(&c, 0, sizeof c);
    __builtin_memcpy(c.fpu_ctxt, v.fpu_state, sizeof c.fpu_ctxt);
    c.flags = xen::VGCF_I387_VALID | (v.in_kernel_mode ? xen::VGCF_IN_KERNEL : 0) |
              (v.state != VcpuState::DOWN ? xen::VGCF_online : 0);
    if (v.callbacks.flags[xen::CALLBACKTYPE_failsafe] & xen::CALLBACKF_mask_events)
        c.flags |= xen::VGCF_failsafe_disables_events;
    if (v.callbacks.flags[xen::CALLBACKTYPE_syscall] & xen::CALLBACKF_mask_events)
        c.flags |= xen::VGCF_syscall_disables_events;
    xen::cpu_user_regs& u = c.user_regs;
    const GuestRegs& r = v.regs;
    u.r15 = r.r15, u.r14 = r.r14, u.r13 = r.r13, u.r12 = r.r12, u.rbp = r.rbp, u.rbx = r.rbx;
    u.r11 = r.r11, u.r10 = r.r10, u.r9 = r.r9, u.r8 = r.r8, u.rax = r.rax, u.rcx = r.rcx;
    u.rdx = r.rdx, u.rsi = r.rsi, u.rdi = r.rdi;
    u.rip = r.rip, u.rsp = r.rsp, u.rflags = r.rflags | (uint64_t{v.virtual_iopl} << 12);
    u.cs = static_cast<uint16_t>(r.cs), u.ss = static_cast<uint16_t>(r.ss);
    u.ds = v.data_selectors[0], u.es = v.data_selectors[1];
    u.fs = v.data_selectors[2], u.gs = v.data_selectors[3];
    for (unsigned i = 0; i < 256; ++i) {
        c.trap_ctxt[i].vector = static_cast<uint8_t>(i);
        c.trap_ctxt[i].flags = v.traps[i].flags;
        c.trap_ctxt[i].cs = v.traps[i].cs;
        c.trap_ctxt[i].address = v.traps[i].address;
    }
    c.ldt_base = v.ldt_base, c.ldt_ents = v.ldt_entries;
    for (unsigned i = 0; i < v.gdt_nr_frames; ++i)
        c.gdt_frames[i] = v.gdt_frames[i];
    c.gdt_ents = v.gdt_entries;
    c.kernel_ss = v.kernel_ss, c.kernel_sp = v.kernel_sp;
    c.ctrlreg[3] = v.kernel_cr3;
    c.ctrlreg[1] = v.user_cr3;
    c.ctrlreg[2] = v.virtual_cr2;
    c.ctrlreg[4] = v.virtual_cr4;
    for (unsigned i = 0; i < 8; ++i)
        c.debugreg[i] = v.debugreg[i];
    c.event_callback_eip = v.callbacks.address[xen::CALLBACKTYPE_event];
    c.failsafe_callback_eip = v.callbacks.address[xen::CALLBACKTYPE_failsafe];
    c.syscall_callback_eip = v.callbacks.address[xen::CALLBACKTYPE_syscall];
    c.vm_assist = v.domain->vm_assist;
    c.fs_base = v.fs_base, c.gs_base_kernel = v.gs_base_kernel, c.gs_base_user = v.gs_base_user;
}

}  // namespace vireo
