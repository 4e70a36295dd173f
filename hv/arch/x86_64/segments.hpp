// A PV guest's data segment selectors (DS, ES, FS, GS). The guest loads
// them itself in ring 3 (the CPU checks them against the GDT it sees), so
// they are live CPU state the hypervisor never touches while the guest
// runs. A switch saves them with the vCPU that leaves and loads those of
// the vCPU that comes; as on Xen, one that no longer loads (its descriptor
// changed, or a vCPU context named a bad one) is replaced by the null
// selector and the guest goes to its failsafe callback.
#pragma once

#include <stdint.h>

namespace vireo { struct Vcpu; }

namespace vireo::arch {

// The vCPU leaves the CPU: keep its selectors.
void segments_save(Vcpu& v);
// The vCPU is about to run here (its GDT already loaded). Loads its
// selectors unless the CPU still holds them; false if one did not load
// (`failed` then holds the ones it asked for, for the failsafe frame).
bool segments_load(Vcpu& v, uint16_t failed[4]);

}  // namespace vireo::arch
