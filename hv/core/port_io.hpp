// The guest kernel's in/out instructions, emulated (PV guests run in ring 3,
// where they fault). Allowed when the vCPU's virtual IOPL admits its mode
// (kernel: 1 or more, set by physdev_op set_iopl; user: 3). A port the
// domain was not given reads as all ones and ignores writes, as on Xen;
// only a privileged domain reaches real ports, and never the ones the
// hypervisor drives itself (its serial line, interrupt and timer chips).
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "hv/core/domain.hpp"

namespace vireo {

// True if insn (n bytes at RIP) was an in/out that has been emulated.
bool emulate_port_io(Vcpu& v, GuestRegs& regs, const uint8_t* insn, size_t n);
// Whether domain d may touch the real port.
bool domain_port_allowed(const Domain& d, uint16_t port);

}  // namespace vireo
