// Exceptions a hostile test provokes on purpose. Handlers for #BP, #UD,
// #GP and #PF record what happened; fault_probe runs a function and, if it
// faults, comes back from the handler to fault_probe's caller (the iret
// frame is pointed at fault_probe's own stack, like a longjmp), so a test
// can try an instruction that must fault and carry on. A fault outside a
// probe is a bug in the test: it is reported and the kernel crashes.
#pragma once

#include <stdint.h>

namespace guest {

struct Fault {
    unsigned vector;      // ~0u: none
    uint64_t error;
    uint64_t rip;
    uint64_t cr2;         // #PF: the vCPU's CR2 as the hypervisor reported it
    uint16_t handler_cs;  // the CS the handler itself ran with
};

// Registers the handlers (set_trap_table). Needs map_shared_info (CR2).
long fault_handlers_install();
// The entry of the handler for one of the vectors above (for trap tables
// a test builds itself).
uint64_t fault_handler_address(unsigned vector);

// Calls fn(arg). True if it faulted; last_fault() says how (it is cleared
// first, so a probe that did not fault leaves vector ~0u).
bool fault_probe(void (*fn)(void*), void* arg = nullptr);
const Fault& last_fault();

}  // namespace guest
