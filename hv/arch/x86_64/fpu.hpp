// Guest FPU and SSE state. The hypervisor itself never touches the FPU
// (it is built without SSE), so the registers always hold the state of the
// vCPU that last ran on this CPU: a switch saves it (FXSAVE) and loads the
// next vCPU's (FXRSTOR) only when the vCPU really changes.
#pragma once

namespace vireo { struct Vcpu; }

namespace vireo::arch {

// CR0/CR4 set-up that lets guests use x87 and SSE (with FXSAVE).
void fpu_init_cpu();
// The vCPU leaves this CPU / is about to run on it.
void fpu_switch_out(Vcpu& v);
void fpu_switch_in(Vcpu& v);

}  // namespace vireo::arch
