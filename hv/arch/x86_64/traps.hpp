// Registration points for interrupt handlers and the guest-trap handler.
#pragma once

#include <stdint.h>

#include "hv/arch/x86_64/trap_frame.hpp"

namespace vireo::arch {

using InterruptHandler = void (*)(TrapFrame*);
using GuestTrapHandler = void (*)(TrapFrame*);

void set_interrupt_handler(uint8_t vector, InterruptHandler handler);
void set_guest_trap_handler(GuestTrapHandler handler);

// One entry of the exception-fixup table: a faulting instruction in a
// guest-memory accessor and where to resume (the accessor then returns an
// error instead of the hypervisor dying).
struct ExceptionFixup {
    uint64_t insn;
    uint64_t fixup;
};

}  // namespace vireo::arch
