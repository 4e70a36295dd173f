// Emulation of the privileged instructions a PV kernel still executes in
// ring 3: CPUID behind Xen's forced-emulation prefix (ud2; "xen"; cpuid),
// and RDMSR/WRMSR of the segment-base MSRs. Everything else is left to the
// guest's own #GP/#UD handler, as on Xen.
#pragma once

#include "hv/core/domain.hpp"

namespace vireo {

// Tries to emulate the instruction at regs.rip after a #UD (vector 6) or
// #GP (13). True when done (RIP advanced); false to deliver the exception.
bool emulate_privileged(Vcpu& v, GuestRegs& regs, unsigned vector);

// The CPUID view a PV guest gets for a leaf (raw values from the CPU,
// filtered; the Xen leaves at 0x40000000).
void guest_cpuid(uint32_t leaf, uint32_t subleaf, uint32_t out[4]);

}  // namespace vireo
