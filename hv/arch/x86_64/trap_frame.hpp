// The register frame every entry into the hypervisor builds on its stack
// (exceptions, interrupts, syscall). entry.S pushes it; its layout is pinned.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace vireo::arch {

struct TrapFrame {
    uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
    uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
    uint64_t vector;      // exception/interrupt vector, or kSyscallVector
    uint64_t error_code;  // 0 where the CPU pushes none
    // As the CPU pushes it on an interrupt (the syscall path builds the same).
    uint64_t rip, cs, rflags, rsp, ss;

    bool from_guest() const { return (cs & 3) != 0; }
};
static_assert(offsetof(TrapFrame, rax) == 14 * 8);
static_assert(offsetof(TrapFrame, vector) == 15 * 8);
static_assert(offsetof(TrapFrame, rip) == 17 * 8);
static_assert(sizeof(TrapFrame) == 22 * 8);

inline constexpr uint64_t kSyscallVector = 0x100;

// Exception vectors (Intel SDM vol. 3A, table 6-1).
enum Vector : uint8_t {
    kDivideError = 0, kDebug = 1, kNmi = 2, kBreakpoint = 3, kOverflow = 4, kBound = 5,
    kInvalidOpcode = 6, kDeviceNotAvailable = 7, kDoubleFault = 8, kInvalidTss = 10,
    kSegmentNotPresent = 11, kStackFault = 12, kGeneralProtection = 13, kPageFault = 14,
    kFpuError = 16, kAlignmentCheck = 17, kMachineCheck = 18, kSimdError = 19,
    kVirtualization = 20, kControlProtection = 21,
    kFirstIrqVector = 0x20,
    kLapicTimerVector = 0xf0,
    kSerialVector = 0xf1,
    kSpuriousVector = 0xff,
};

extern "C" void handle_trap(TrapFrame* frame);
extern "C" void handle_syscall(TrapFrame* frame);

}  // namespace vireo::arch
