#include "hv/core/guest_traps.hpp"
#include "hv/core/hot_path.hpp"

#include "abi/arch_x86_64.hpp"
#include "abi/callback.hpp"
#include "abi/xen.hpp"
#include "hv/core/ldt.hpp"
#include "hv/core/log.hpp"
#include "hv/core/platform.hpp"
#include "hv/core/priv_op.hpp"
#include "hv/core/ptwr.hpp"

namespace vireo {
namespace {

constexpr uint64_t kFlagTF = 1u << 8, kFlagIF = 1u << 9, kFlagIOPL = 3u << 12, kFlagNT = 1u << 14,
                   kFlagRF = 1u << 16, kFlagVM = 1u << 17, kFlagAC = 1u << 18;
constexpr unsigned kVectorPF = 14, kVectorGP = 13;
constexpr uint64_t kPfUser = 1u << 2;

VIREO_HOT xen::vcpu_info* vcpu_info_of(Vcpu& v)
{
    return static_cast<xen::vcpu_info*>(map_machine_memory(v.vcpu_info_maddr));
}

const char* const kNames[32] = {"#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM", "#DF", "#MF-old",
                                "#TS", "#NP", "#SS", "#GP", "#PF", "#15", "#MF", "#AC", "#MC", "#XM",
                                "#VE", "#CP", "#22", "#23", "#24", "#25", "#26", "#27", "#28", "#29",
                                "#30", "#31"};

}  // namespace

VIREO_HOT uint8_t* vcpu_upcall_mask(Vcpu& v) { return &vcpu_info_of(v)->evtchn_upcall_mask; }

VIREO_HOT void toggle_guest_mode(Vcpu& v)
{
    v.in_kernel_mode = !v.in_kernel_mode;
    platform().load_guest_mode(v);
}

VIREO_HOT Status bounce_to_guest(Vcpu& v, GuestRegs& regs, const Bounce& b)
{
    uint64_t saved_cs = regs.cs;
    uint64_t sp;
    if (v.in_kernel_mode) {
        sp = regs.rsp;
        saved_cs &= ~uint64_t{3};  // tells the guest it interrupted its kernel
    } else {
        toggle_guest_mode(v);
        sp = v.kernel_sp;
    }
    sp &= ~uint64_t{15};

    uint8_t* mask = vcpu_upcall_mask(v);
    uint8_t saved_mask = *mask;
    uint64_t rflags = (regs.rflags & ~(kFlagIF | kFlagIOPL)) | (saved_mask ? 0 : kFlagIF);
    uint64_t frame[12];
    unsigned n = 0;
    frame[n++] = regs.rcx;
    frame[n++] = regs.r11;
    if (b.data_selectors)
        for (unsigned i = 0; i < 4; ++i)
            frame[n++] = b.data_selectors[i];
    if (b.has_error)
        frame[n++] = b.error;
    frame[n++] = regs.rip;
    frame[n++] = saved_cs | (uint64_t{saved_mask} << 32);
    frame[n++] = rflags;
    frame[n++] = regs.rsp;
    frame[n++] = regs.ss;
    sp -= n * 8;
    if (platform().copy_to_guest(sp, frame, n * 8) != Status::OK) {
        if (v.in_local_hypercall) {
            // A domain-local entry (hypercall.hpp) crashes nothing: undone,
            // it runs again under the whole hypervisor lock.
            if (saved_cs & 3)
                toggle_guest_mode(v);
            return Status::RESTART;
        }
        domain_crash(*v.domain, "cannot write an exception frame on the guest kernel stack");
        return Status::FAULT;
    }
    if (b.mask_events)
        *mask = 1;
    regs.rip = b.handler;
    regs.cs = xen::FLAT_KERNEL_CS;
    regs.ss = xen::FLAT_KERNEL_SS;
    regs.rsp = sp;
    regs.rflags &= ~(kFlagAC | kFlagVM | kFlagRF | kFlagNT | kFlagTF);
    regs.vector = kSyscallVector;  // RCX and R11 are saved: sysret may return
    return Status::OK;
}

VIREO_HOT void guest_exception(Vcpu& v, GuestRegs& regs, unsigned vector, uint64_t error, uint64_t cr2)
{
    bool has_error = false;
    if ((vector == 6 || (vector == kVectorGP && error == 0)) && emulate_privileged(v, regs, vector))
        return;
    if (vector == kVectorPF && try_emulate_pte_write(v, regs, cr2, error))
        return;  // a write into the guest's own L1 table (writable page tables)
    if (vector == kVectorGP && ldt_fault(v, regs, error))
        return;  // an LDT page found now, or the page fault Xen gives for it
    if (vector == kVectorGP && (error & 3) == 2) {
        // 'int n' through a gate the guest may not use directly: it becomes
        // vector n if the guest's trap table lets this mode raise it.
        unsigned soft = static_cast<unsigned>(error >> 3) & 0xff;
        const GuestTrap& t = v.traps[soft];
        unsigned needed = v.in_kernel_mode ? 1 : 3;
        if (t.address && (t.flags & 3) >= needed) {
            regs.rip += 2;
            Bounce b{t.address, false, 0, (t.flags & 4) != 0};
            (void)bounce_to_guest(v, regs, b);
            return;
        }
    }
    switch (vector) {
    case 8: case 10: case 11: case 12: case 13: case 14: case 17: case 21:
        has_error = true;
        break;
    default:
        break;
    }
    if (vector == kVectorPF) {
        vcpu_info_of(v)->arch.cr2 = cr2;
        v.virtual_cr2 = cr2;
        // The guest kernel runs in ring 3 too: report the mode it was in.
        error = v.in_kernel_mode ? (error & ~kPfUser) : (error | kPfUser);
    }
    const GuestTrap& t = v.traps[vector & 0xff];
    if (!t.address) {
        VLOG_ERR("d%u v%u: %s (error %lx) at %016lx, cr2 %lx: no handler registered\n", v.domain->id, v.id,
                 vector < 32 ? kNames[vector] : "interrupt", error, regs.rip, cr2);
        domain_crash(*v.domain, "unhandled exception");
        return;
    }
    VLOG_DEBUG("d%u v%u: %s (error %lx) at %016lx, cr2 %lx: to the guest's handler\n", v.domain->id, v.id,
               vector < 32 ? kNames[vector] : "interrupt", error, regs.rip, cr2);
    Bounce b{t.address, has_error, error, (t.flags & 4) != 0};
    (void)bounce_to_guest(v, regs, b);
}

namespace {

VIREO_HOT Status bounce_user_syscall(Vcpu& v, GuestRegs& regs)
{
    uint64_t handler = v.callbacks.address[xen::CALLBACKTYPE_syscall];
    bool mask = v.callbacks.flags[xen::CALLBACKTYPE_syscall] & xen::CALLBACKF_mask_events;
    return bounce_to_guest(v, regs, Bounce{handler, false, 0, mask});
}

}  // namespace

VIREO_HOT void guest_user_syscall(Vcpu& v, GuestRegs& regs)
{
    if (!v.callbacks.address[xen::CALLBACKTYPE_syscall]) {
        // Xen raises #UD in the guest when no syscall callback exists.
        guest_exception(v, regs, 6, 0, 0);
        return;
    }
    (void)bounce_user_syscall(v, regs);
}

VIREO_HOT bool guest_user_syscall_local(Vcpu& v, GuestRegs& regs)
{
    if (!v.callbacks.address[xen::CALLBACKTYPE_syscall])
        return false;  // the #UD path may crash the domain
    v.in_local_hypercall = true;
    Status s = bounce_user_syscall(v, regs);
    v.in_local_hypercall = false;
    return s != Status::RESTART;
}

void guest_failsafe(Vcpu& v, GuestRegs& regs, const uint16_t selectors[4])
{
    uint64_t handler = v.callbacks.address[xen::CALLBACKTYPE_failsafe];
    if (!handler) {
        VLOG_ERR("d%u v%u: selectors ds %x es %x fs %x gs %x do not load, and no failsafe callback\n",
                 v.domain->id, v.id, selectors[0], selectors[1], selectors[2], selectors[3]);
        domain_crash(*v.domain, "bad segment selectors and no failsafe callback");
        return;
    }
    VLOG_DEBUG("d%u v%u: selectors ds %x es %x fs %x gs %x do not load: to the failsafe callback\n",
               v.domain->id, v.id, selectors[0], selectors[1], selectors[2], selectors[3]);
    bool mask = v.callbacks.flags[xen::CALLBACKTYPE_failsafe] & xen::CALLBACKF_mask_events;
    Bounce b{handler, false, 0, mask};
    b.data_selectors = selectors;
    (void)bounce_to_guest(v, regs, b);
}

}  // namespace vireo
