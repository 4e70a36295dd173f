// Putting vCPUs on this CPU and taking them off.
#pragma once

#include "hv/core/domain.hpp"

namespace vireo::arch {

// Loads v's state and enters the guest; never returns (the stack is reset).
[[noreturn]] void run_vcpu(Vcpu& v);
// Saves the current vCPU (if any), picks the next runnable one and runs it;
// idles with interrupts on while nothing is runnable.
// A vCPU that yielded goes behind the others.
[[noreturn]] void schedule(bool prev_yielded = false);
Vcpu* current_vcpu();

}  // namespace vireo::arch
