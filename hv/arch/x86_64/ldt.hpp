// Each CPU's LDT: a copy of the running vCPU's shadowed LDT pages
// (core/ldt.hpp), loaded with LLDT through the system descriptor at
// kLdtSelector in the CPU's GDT.
#pragma once

namespace vireo { struct Vcpu; }
namespace vireo::arch {

// Puts v's LDT into this CPU's, unless it is there already (pages not
// shadowed yet read as zeros, so using them faults with #GP(selector)).
void ldt_load_guest(const Vcpu& v);

}  // namespace vireo::arch
