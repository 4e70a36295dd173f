// A vCPU's general registers as saved on every entry into the hypervisor.
// The arch layer's entry code pushes exactly this layout (TrapFrame); the
// core reads hypercall arguments from it and writes results into it.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace vireo {

struct GuestRegs {
    uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
    uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
    uint64_t vector;      // exception/interrupt vector, or kSyscallVector
    uint64_t error_code;  // 0 where the CPU pushes none
    uint64_t rip, cs, rflags, rsp, ss;

    bool from_guest() const { return (cs & 3) != 0; }
};
static_assert(offsetof(GuestRegs, rax) == 14 * 8);
static_assert(offsetof(GuestRegs, vector) == 15 * 8);
static_assert(offsetof(GuestRegs, rip) == 17 * 8);
static_assert(sizeof(GuestRegs) == 22 * 8);

// The general registers by their encoding number (ModRM/REX: 0 = RAX,
// 1 = RCX, ... 15 = R15), for code that decodes guest instructions.
inline constexpr uint64_t GuestRegs::*kGprByNumber[16] = {
    &GuestRegs::rax, &GuestRegs::rcx, &GuestRegs::rdx, &GuestRegs::rbx, &GuestRegs::rsp, &GuestRegs::rbp,
    &GuestRegs::rsi, &GuestRegs::rdi, &GuestRegs::r8,  &GuestRegs::r9,  &GuestRegs::r10, &GuestRegs::r11,
    &GuestRegs::r12, &GuestRegs::r13, &GuestRegs::r14, &GuestRegs::r15,
};
inline uint64_t& gpr(GuestRegs& r, unsigned n) { return r.*kGprByNumber[n & 15]; }
inline uint64_t gpr(const GuestRegs& r, unsigned n) { return r.*kGprByNumber[n & 15]; }

// The vector value the syscall entry stores: only a frame so marked may
// return by sysretq (which clobbers RCX and R11).
inline constexpr uint64_t kSyscallVector = 0x100;

// Hypercall arguments in the x86-64 PV convention: RAX = number,
// RDI, RSI, RDX, R10, R8, R9 = arguments, result in RAX.
struct HypercallArgs {
    uint64_t nr;
    uint64_t a[6];

    static HypercallArgs from(const GuestRegs& r)
    {
        return {r.rax, {r.rdi, r.rsi, r.rdx, r.r10, r.r8, r.r9}};
    }
};

}  // namespace vireo
