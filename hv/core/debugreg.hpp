// A vCPU's debug registers (set_debugreg / get_debugreg, hc_debugreg.cpp):
// what the arch layer needs to arm them and to report a #DB.
#pragma once

#include <stdint.h>

#include "hv/core/domain.hpp"

namespace vireo {

inline constexpr uint64_t kDr6Default = 0xffff0ff0;  // DR6 with no event recorded
inline constexpr uint64_t kDr7Default = 0x400;

// Some breakpoint is enabled (DR7 L0-L3/G0-G3): the hardware registers
// must hold this vCPU's values while it runs.
inline bool debugregs_armed(const Vcpu& v) { return (v.debugreg[7] & 0xff) != 0; }

// A #DB raised by v's code: the hardware DR6 is folded into the guest's
// as Xen does (bits the CPU reports are added; bits of inverted sense it
// clears are cleared), so get_debugreg(6) shows what happened.
void debugreg_record_dr6(Vcpu& v, uint64_t hw_dr6);

}  // namespace vireo
