// Privileged instructions a PV kernel executes: CPUID behind Xen's
// forced-emulation prefix (the Xen leaves and the hypervisor bit), and
// WRMSR/RDMSR of the segment-base MSRs (Linux's very first privileged
// instruction is a raw wrmsr of GS_BASE).
#include "abi/xen.hpp"
#include "guest/lib/runtime.hpp"

using namespace guest;

const char* const guest::kTestName = "cpuid";

namespace {

struct Regs {
    uint32_t a, b, c, d;
};

Regs pv_cpuid(uint32_t leaf, uint32_t sub = 0)
{
    Regs r;
    asm volatile("ud2; .ascii \"xen\"; cpuid" : "=a"(r.a), "=b"(r.b), "=c"(r.c), "=d"(r.d) : "a"(leaf), "c"(sub));
    return r;
}

void wrmsr(uint32_t msr, uint64_t v)
{
    asm volatile("wrmsr" : : "c"(msr), "a"(static_cast<uint32_t>(v)), "d"(static_cast<uint32_t>(v >> 32)));
}

uint64_t rdmsr(uint32_t msr)
{
    uint32_t lo, hi;
    asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
    return (uint64_t{hi} << 32) | lo;
}

}  // namespace

void guest::kernel_main(const xen::start_info*)
{
    Regs base = pv_cpuid(0x40000000);
    char sig[13] = {};
    __builtin_memcpy(sig, &base.b, 4);
    __builtin_memcpy(sig + 4, &base.c, 4);
    __builtin_memcpy(sig + 8, &base.d, 4);
    print("leaf 0x40000000: '%s', max leaf %x\n", sig, base.a);
    check(__builtin_strcmp(sig, "XenVMMXenVMM") == 0, "hypervisor signature '%s'", sig);
    check(base.a >= 0x40000002, "max hypervisor leaf %x", base.a);
    Regs ver = pv_cpuid(0x40000001);
    check((ver.a >> 16) >= 4, "version leaf %x", ver.a);
    Regs hc = pv_cpuid(0x40000002);
    check(hc.a >= 1, "hypercall pages %u", hc.a);
    Regs l1 = pv_cpuid(1);
    check(l1.c & (1u << 31), "hypervisor bit clear in leaf 1 (ecx %x)", l1.c);
    check(!(l1.c & (1u << 5)), "VMX visible to a PV guest");
    Regs l0 = pv_cpuid(0);
    check(l0.a >= 1, "max basic leaf %u", l0.a);

    const uint64_t gs = 0xffffffff80123000ull;
    wrmsr(0xc0000101, gs);
    uint64_t back = rdmsr(0xc0000101);
    check(back == gs, "GS_BASE reads back %lx, wrote %lx", back, gs);
    uint64_t v;
    asm volatile("mov %%gs:0, %0" : "=r"(v) : : "memory");  // the base is live: reads our own page
    check(v == *reinterpret_cast<const uint64_t*>(gs), "GS-relative read does not use the new base");
    wrmsr(0xc0000100, 0x1000);
    check(rdmsr(0xc0000100) == 0x1000, "FS_BASE does not read back");
    wrmsr(0xc0000100, 0);
}
