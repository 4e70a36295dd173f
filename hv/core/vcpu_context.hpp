// VCPUOP_initialise: a guest gives one of its vCPUs that is down its first
// context (registers, trap table, GDT, stacks, page tables, callbacks,
// segment bases, FPU) before bringing it up with VCPUOP_up. Linux does this
// for every secondary CPU. Everything is checked as the matching hypercall
// would check it; on any refusal the vCPU is left as it was.
#pragma once

#include "abi/vcpu.hpp"
#include "hv/core/domain.hpp"
#include "lib/status.hpp"

namespace vireo {

// EEXIST (as Xen) when the vCPU already has a context.
Status vcpu_initialise(Vcpu& target, const xen::vcpu_guest_context& c);

}  // namespace vireo
