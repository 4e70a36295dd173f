// Tiny wrappers around single x86-64 instructions. No policy lives here.
#pragma once

#include <stdint.h>

namespace vireo::arch {

struct CpuidResult {
    uint32_t eax, ebx, ecx, edx;
};

inline CpuidResult cpuid(uint32_t leaf, uint32_t subleaf = 0)
{
    CpuidResult r;
    asm volatile("cpuid" : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx) : "a"(leaf), "c"(subleaf));
    return r;
}

struct Msr final {
    static constexpr uint32_t kApicBase = 0x1b;
    static constexpr uint32_t kTscDeadline = 0x6e0;
    static constexpr uint32_t kEfer = 0xc0000080;
    static constexpr uint32_t kStar = 0xc0000081;
    static constexpr uint32_t kLstar = 0xc0000082;
    static constexpr uint32_t kCstar = 0xc0000083;
    static constexpr uint32_t kSfmask = 0xc0000084;
    static constexpr uint32_t kFsBase = 0xc0000100;
    static constexpr uint32_t kGsBase = 0xc0000101;
    static constexpr uint32_t kKernelGsBase = 0xc0000102;
    static constexpr uint32_t kTscAux = 0xc0000103;

    static uint64_t read(uint32_t msr)
    {
        uint32_t lo, hi;
        asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
        return (uint64_t{hi} << 32) | lo;
    }
    static void write(uint32_t msr, uint64_t value)
    {
        asm volatile("wrmsr" : : "c"(msr), "a"(static_cast<uint32_t>(value)),
                     "d"(static_cast<uint32_t>(value >> 32)) : "memory");
    }
};

struct Cr final {
    static constexpr uint64_t kCr0Wp = 1u << 16;
    static constexpr uint64_t kCr0Ts = 1u << 3;
    static constexpr uint64_t kCr4Pge = 1u << 7;
    static constexpr uint64_t kCr4Osfxsr = 1u << 9;
    static constexpr uint64_t kCr4Osxmmexcpt = 1u << 10;
    static constexpr uint64_t kCr4Fsgsbase = 1u << 16;
    static constexpr uint64_t kCr4Osxsave = 1u << 18;
    static constexpr uint64_t kCr4Smep = 1u << 20;
    static constexpr uint64_t kCr4Smap = 1u << 21;

    static uint64_t read0() { uint64_t v; asm volatile("mov %%cr0, %0" : "=r"(v)); return v; }
    static void write0(uint64_t v) { asm volatile("mov %0, %%cr0" : : "r"(v) : "memory"); }
    static uint64_t read2() { uint64_t v; asm volatile("mov %%cr2, %0" : "=r"(v)); return v; }
    static uint64_t read3() { uint64_t v; asm volatile("mov %%cr3, %0" : "=r"(v)); return v; }
    static void write3(uint64_t v) { asm volatile("mov %0, %%cr3" : : "r"(v) : "memory"); }
    static uint64_t read4() { uint64_t v; asm volatile("mov %%cr4, %0" : "=r"(v)); return v; }
    static void write4(uint64_t v) { asm volatile("mov %0, %%cr4" : : "r"(v) : "memory"); }
};

struct Io final {
    static uint8_t in8(uint16_t port) { uint8_t v; asm volatile("inb %1, %0" : "=a"(v) : "Nd"(port)); return v; }
    static void out8(uint16_t port, uint8_t v) { asm volatile("outb %0, %1" : : "a"(v), "Nd"(port)); }
    static uint16_t in16(uint16_t port) { uint16_t v; asm volatile("inw %1, %0" : "=a"(v) : "Nd"(port)); return v; }
    static void out16(uint16_t port, uint16_t v) { asm volatile("outw %0, %1" : : "a"(v), "Nd"(port)); }
    static uint32_t in32(uint16_t port) { uint32_t v; asm volatile("inl %1, %0" : "=a"(v) : "Nd"(port)); return v; }
    static void out32(uint16_t port, uint32_t v) { asm volatile("outl %0, %1" : : "a"(v), "Nd"(port)); }
    // An access of 1, 2 or 4 bytes, as emulated for guests.
    static uint32_t in(uint16_t port, unsigned bytes)
    {
        return bytes == 1 ? in8(port) : bytes == 2 ? in16(port) : in32(port);
    }
    static void out(uint16_t port, unsigned bytes, uint32_t v)
    {
        if (bytes == 1)
            out8(port, static_cast<uint8_t>(v));
        else if (bytes == 2)
            out16(port, static_cast<uint16_t>(v));
        else
            out32(port, v);
    }
};

inline uint64_t rdtsc()
{
    uint32_t lo, hi;
    asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return (uint64_t{hi} << 32) | lo;
}

inline void halt() { asm volatile("hlt" ::: "memory"); }
inline void cpu_relax() { asm volatile("pause" ::: "memory"); }
inline void irq_disable() { asm volatile("cli" ::: "memory"); }
inline void irq_enable() { asm volatile("sti" ::: "memory"); }
inline void invlpg(uint64_t va) { asm volatile("invlpg (%0)" : : "r"(va) : "memory"); }
// SMAP: the hypervisor may touch guest (user) pages only inside stac/clac.
inline void stac() { asm volatile("stac" ::: "memory", "cc"); }
inline void clac() { asm volatile("clac" ::: "memory", "cc"); }

[[noreturn]] inline void halt_forever()
{
    for (;;) {
        irq_disable();
        halt();
    }
}

struct [[gnu::packed]] DescriptorPointer {
    uint16_t limit;
    uint64_t base;
};

}  // namespace vireo::arch
