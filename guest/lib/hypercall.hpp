// Making hypercalls: through the hypercall page the hypervisor filled
// (kernels built with the HYPERCALL_PAGE note), or with a raw 'syscall' as
// Linux 6.1 does since the hypercall page was dropped.
#pragma once

#include <stdint.h>

extern "C" char hypercall_page[];

namespace guest {

inline long hypercall(uint64_t nr, uint64_t a1 = 0, uint64_t a2 = 0, uint64_t a3 = 0, uint64_t a4 = 0,
                      uint64_t a5 = 0)
{
    long ret;
    register uint64_t r10 asm("r10") = a4;
    register uint64_t r8 asm("r8") = a5;
#ifdef VIREO_HYPERCALL_PAGE
    asm volatile("call *%[stub]"
                 : "=a"(ret), "+D"(a1), "+S"(a2), "+d"(a3), "+r"(r10), "+r"(r8)
                 : [stub] "r"(hypercall_page + nr * 32)
                 : "memory", "rcx", "r11");
#else
    asm volatile("syscall"
                 : "=a"(ret), "+D"(a1), "+S"(a2), "+d"(a3), "+r"(r10), "+r"(r8)
                 : "a"(nr)
                 : "memory", "rcx", "r11");
#endif
    return ret;
}

template <typename T>
inline uint64_t ptr(T* p)
{
    return reinterpret_cast<uint64_t>(p);
}

}  // namespace guest
