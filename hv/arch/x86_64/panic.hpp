// Fatal hypervisor errors: print the registers, the faulting address and a
// symbolized backtrace, then stop every CPU.
#pragma once

#include "hv/arch/x86_64/trap_frame.hpp"

namespace vireo::arch {

[[noreturn, gnu::format(printf, 2, 3)]] void panic_with_frame(const TrapFrame* frame, const char* fmt, ...);
void print_backtrace(uint64_t rbp, uint64_t rip);
// Writes "function+0xoff" for a hypervisor text address.
void print_symbol(uint64_t addr);

}  // namespace vireo::arch

namespace vireo {
[[noreturn, gnu::format(printf, 1, 2)]] void panic(const char* fmt, ...);
}

#define VIREO_ASSERT(cond)                                                             \
    do {                                                                               \
        if (!(cond))                                                                   \
            ::vireo::panic("assertion failed: %s at %s:%d", #cond, __FILE__, __LINE__); \
    } while (0)
