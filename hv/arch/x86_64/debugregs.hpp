// The guests' hardware breakpoints. DR0-DR3 and DR7 hold a vCPU's values
// only while a vCPU with an enabled breakpoint runs; a CPU that switches to
// one without clears DR7 once, so vCPUs that never set a breakpoint pay a
// flag test per switch and nothing else.
#pragma once

#include "hv/arch/x86_64/trap_frame.hpp"

namespace vireo { struct Vcpu; }

namespace vireo::arch {

// v is about to run on this CPU (or, already running, set new values).
void debugregs_switch_in(const Vcpu& v);
// A #DB: DR6 is read and reset; one raised by guest code is recorded in
// the current vCPU's DR6 and true is returned (bounce it to the guest). One
// raised in the hypervisor (a guest's data breakpoint hit while the
// hypervisor copied guest memory: a trap, after the access) is logged and
// ignored, as on Xen.
bool debug_exception(TrapFrame* frame);

}  // namespace vireo::arch
