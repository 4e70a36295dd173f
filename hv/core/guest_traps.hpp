// Delivering exceptions, system calls and callbacks to a PV guest: the
// x86-64 PV bounce frame, and the iret hypercall that undoes it.
//
// The frame is built on the guest kernel's stack (the current one when the
// guest was in kernel mode, kernel_sp from stack_switch when it was in user
// mode, which also switches the vCPU to kernel mode), 16-byte aligned, from
// low to high: RCX, R11, [error code], RIP, CS, RFLAGS, RSP, SS. CS has its
// RPL cleared when the interrupted context was guest kernel mode, and bits
// 32-39 hold the event mask it had; RFLAGS.IF shows its virtual IF (the
// inverse of that mask). The guest then starts at the handler with RCX and
// R11 free to use.
#pragma once

#include "abi/callback.hpp"
#include "hv/core/domain.hpp"
#include "lib/status.hpp"

namespace vireo {

struct Bounce {
    uint64_t handler;
    bool has_error;
    uint64_t error;
    bool mask_events;
    // The failsafe callback's frame: DS, ES, FS, GS (the selectors the
    // guest asked for) sit between R11 and RIP instead of an error code.
    const uint16_t* data_selectors = nullptr;
};

// Builds the bounce frame and points regs at the handler. A frame that
// cannot be written crashes the domain (the guest's stack is unusable), or
// in a domain-local entry is undone and answered RESTART.
Status bounce_to_guest(Vcpu& v, GuestRegs& regs, const Bounce& b);

// An exception raised by guest code (arch decoded vector and error code;
// cr2 for page faults). Bounced to the guest's handler, or the domain is
// crashed when it has none.
void guest_exception(Vcpu& v, GuestRegs& regs, unsigned vector, uint64_t error, uint64_t cr2);

// A 'syscall' from guest user mode: to the guest kernel's syscall callback.
void guest_user_syscall(Vcpu& v, GuestRegs& regs);
// The same as a domain-local entry (hypercall.hpp: the lock shared, only
// v's domain locked): false, with nothing changed, when it needs the whole
// hypervisor (no callback: the #UD may crash the domain; a frame that
// cannot be written does).
bool guest_user_syscall_local(Vcpu& v, GuestRegs& regs);

// The selectors v asked for (DS, ES, FS, GS) did not all load as it went
// back to the CPU: to its failsafe callback with the frame RCX, R11, DS,
// ES, FS, GS, RIP, CS, RFLAGS, RSP, SS (events masked if it registered the
// callback so). Without a failsafe callback the domain is crashed.
void guest_failsafe(Vcpu& v, GuestRegs& regs, const uint16_t selectors[4]);

void toggle_guest_mode(Vcpu& v);
uint8_t* vcpu_upcall_mask(Vcpu& v);

// A guest entry point (trap handler, callback) must be a canonical
// address (Xen's only rule: one in the hypervisor's range faults in ring 3
// when used, and the guest gets that page fault).
bool guest_code_address(uint64_t va);
// callback_op register: one entry point of the vCPU (checked).
Status register_callback(Vcpu& v, const xen::callback_register& reg);

}  // namespace vireo
