// vCPU runstate: how long a vCPU has been running, runnable (waiting for a
// CPU: the guest's "steal time"), blocked and offline, and the copy the
// guest registered with VCPUOP_register_runstate_memory_area, rewritten each
// time the vCPU is switched in or out. With VMASST_TYPE_runstate_update_flag
// the copy carries XEN_RUNSTATE_UPDATE in state_entry_time while it is
// being rewritten, so a reader on another vCPU can retry.
#pragma once

#include "hv/core/domain.hpp"

namespace vireo {

// v enters `state` (RUNSTATE_*) at time now.
void runstate_change(Vcpu& v, int state, uint64_t now);
// The runstate as of now (the current state's time included).
xen::vcpu_runstate_info runstate_snapshot(const Vcpu& v, uint64_t now);
// Rewrites the guest's copy, if it registered one and it is mapped.
void runstate_publish(Vcpu& v);

}  // namespace vireo
