// The guest's descriptors are copied rather than mapped: a CPU's LDT then
// lives in the hypervisor's own memory, no mapping of a guest frame has to
// follow the vCPU from CPU to CPU, and the accessed bits the CPU sets land
// in the copy. The copy is redone only when another vCPU, or another state
// of the same vCPU's LDT (its generation), comes onto the CPU.
#include "hv/arch/x86_64/ldt.hpp"

#include "hv/arch/x86_64/gdt.hpp"
#include "hv/arch/x86_64/layout.hpp"
#include "hv/arch/x86_64/percpu.hpp"
#include "hv/core/domain.hpp"
#include "hv/core/ldt.hpp"

namespace vireo::arch {
namespace {

struct CpuLdt {
    const Vcpu* vcpu;     // whose LDT the copy holds (nullptr: nobody's yet)
    uint64_t generation;  // and in which state
    unsigned entries;     // descriptors copied (the rest is zero)
};

alignas(4096) uint64_t g_ldt[kMaxCpus][kMaxLdtEntries];
CpuLdt g_cpu_ldt[kMaxCpus];

// A 64-bit LDT descriptor (Intel SDM vol. 3A, 3.5 and 7.2.3): type 2,
// present, DPL 0; 16 bytes.
void write_ldt_descriptor(uint64_t* gdt, uint64_t base, uint32_t limit)
{
    constexpr uint64_t kTypeLdt = uint64_t{2} << 40, kPresent = uint64_t{1} << 47;
    unsigned index = kLdtSelector >> 3;
    gdt[index] = (limit & 0xffff) | ((base & 0xffffff) << 16) | kTypeLdt | kPresent |
                 (uint64_t{(limit >> 16) & 0xf} << 48) | (((base >> 24) & 0xff) << 56);
    gdt[index + 1] = base >> 32;
}

}  // namespace

void ldt_load_guest(const Vcpu& v)
{
    unsigned cpu = this_cpu()->cpu_index;
    CpuLdt& state = g_cpu_ldt[cpu];
    if (state.vcpu == &v && state.generation == v.ldt_generation)
        return;
    uint64_t* ldt = g_ldt[cpu];
    unsigned n = v.ldt_entries;
    for (unsigned first = 0; first < n; first += 512) {
        unsigned count = n - first < 512 ? n - first : 512;
        uint64_t frame = v.ldt_frames[first / 512];
        if (frame)
            __builtin_memcpy(&ldt[first], phys_to_virt<const uint64_t>(frame << 12), count * 8);
        else
            __builtin_memset(&ldt[first], 0, count * 8);
    }
    if (state.entries > n)
        __builtin_memset(&ldt[n], 0, (state.entries - n) * 8);
    bool was_loaded = state.entries != 0;  // LDTR is null from boot until then
    state = CpuLdt{&v, v.ldt_generation, n};
    if (n) {
        write_ldt_descriptor(gdt_base(cpu), reinterpret_cast<uint64_t>(ldt), n * 8 - 1);
        asm volatile("lldt %w0" : : "r"(kLdtSelector) : "memory");
    } else if (was_loaded) {
        asm volatile("lldt %w0" : : "r"(uint16_t{0}) : "memory");
    }
}

}  // namespace vireo::arch
