// Which vCPU runs next. For now a round-robin over runnable vCPUs (the BVT
// scheduler of the paper replaces the policy behind the same calls); the
// arch layer does the switch itself.
#pragma once

#include "hv/core/domain.hpp"

namespace vireo {

// Picks the next runnable vCPU after `current` (which may be null), or null
// when every vCPU is blocked or down.
Vcpu* scheduler_pick(Vcpu* current);
// Called when a domain stops: when no domain is left, the machine powers
// off (QEMU's exit status then carries dom0's shutdown reason).
void scheduler_domain_stopped(Domain& d);
// The exit value for isa-debug-exit once everything has stopped.
uint8_t machine_exit_value();

}  // namespace vireo
