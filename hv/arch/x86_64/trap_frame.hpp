// The register frame every entry into the hypervisor builds on its stack
// (exceptions, interrupts, syscall). entry.S pushes it; its layout is pinned.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "hv/core/guest_regs.hpp"

namespace vireo::arch {

// The core calls it GuestRegs; entry.S pushes it.
using TrapFrame = GuestRegs;
using vireo::kSyscallVector;

// Exception vectors (Intel SDM vol. 3A, table 6-1).
enum Vector : uint8_t {
    kDivideError = 0, kDebug = 1, kNmi = 2, kBreakpoint = 3, kOverflow = 4, kBound = 5,
    kInvalidOpcode = 6, kDeviceNotAvailable = 7, kDoubleFault = 8, kInvalidTss = 10,
    kSegmentNotPresent = 11, kStackFault = 12, kGeneralProtection = 13, kPageFault = 14,
    kFpuError = 16, kAlignmentCheck = 17, kMachineCheck = 18, kSimdError = 19,
    kVirtualization = 20, kControlProtection = 21,
    kFirstIrqVector = 0x20,
    kLapicTimerVector = 0xf0,
    kSpuriousVector = 0xff,
};

extern "C" void handle_trap(TrapFrame* frame);
extern "C" void handle_syscall(TrapFrame* frame);

}  // namespace vireo::arch
