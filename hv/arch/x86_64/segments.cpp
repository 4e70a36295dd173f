#include "hv/arch/x86_64/segments.hpp"

#include "hv/arch/x86_64/cpu.hpp"
#include "hv/arch/x86_64/percpu.hpp"
#include "hv/core/domain.hpp"

namespace vireo::arch {
namespace {

enum { kDs, kEs, kFs, kGs };

uint16_t read_selector(unsigned which)
{
    uint16_t s;
    switch (which) {
    case kDs: asm volatile("mov %%ds, %0" : "=r"(s)); break;
    case kEs: asm volatile("mov %%es, %0" : "=r"(s)); break;
    case kFs: asm volatile("mov %%fs, %0" : "=r"(s)); break;
    default:  asm volatile("mov %%gs, %0" : "=r"(s)); break;
    }
    return s;
}

// Loads one selector; a fault (#GP or #NP: the descriptor is missing, not
// data, or absent) resumes at the fixup, which loads the null selector
// instead and reports the failure.
#define VIREO_LOAD_SEGMENT(seg, value, ok)                                      \
    asm volatile("1: mov %k[v], %%" #seg "\n2:\n"                               \
                 ".pushsection .text.fixup, \"ax\"\n"                           \
                 "3: xor %k[o], %k[o]\n mov %k[o], %%" #seg "\n jmp 2b\n"       \
                 ".popsection\n"                                                \
                 ".pushsection .ex_table, \"a\"\n .quad 1b, 3b\n.popsection\n"  \
                 : [o] "+r"(ok)                                                 \
                 : [v] "r"(uint32_t{value})                                     \
                 : "memory")

// GS also loads GS_BASE, which holds this CPU's PerCpu pointer while the
// hypervisor runs: it is written back right after, before anything can use
// it (interrupts are off; NMIs take the pointer from their IST stack).
uint32_t load_gs(uint16_t value)
{
    uint64_t percpu = reinterpret_cast<uint64_t>(this_cpu());
    uint32_t ok = 1;
    asm volatile("1: mov %k[v], %%gs\n2:\n wrmsr\n"
                 ".pushsection .text.fixup, \"ax\"\n"
                 "3: xor %k[o], %k[o]\n mov %k[o], %%gs\n jmp 2b\n"
                 ".popsection\n"
                 ".pushsection .ex_table, \"a\"\n .quad 1b, 3b\n.popsection\n"
                 : [o] "+r"(ok)
                 : [v] "r"(uint32_t{value}), "c"(Msr::kGsBase), "a"(static_cast<uint32_t>(percpu)),
                   "d"(static_cast<uint32_t>(percpu >> 32))
                 : "memory");
    return ok;
}

uint32_t load_selector(unsigned which, uint16_t value)
{
    uint32_t ok = 1;
    switch (which) {
    case kDs: VIREO_LOAD_SEGMENT(ds, value, ok); break;
    case kEs: VIREO_LOAD_SEGMENT(es, value, ok); break;
    case kFs: VIREO_LOAD_SEGMENT(fs, value, ok); break;
    default:  ok = load_gs(value); break;
    }
    return ok;
}

}  // namespace

void segments_save(Vcpu& v)
{
    for (unsigned i = 0; i < 4; ++i)
        v.data_selectors[i] = read_selector(i);
}

bool segments_load(Vcpu& v, uint16_t failed[4])
{
    PerCpu* pc = this_cpu();
    // The same vCPU back on its CPU finds its selectors still loaded (a
    // reload could fail on a descriptor it changed meanwhile, which Xen
    // does not reload either); any other loads all four.
    bool held = pc->segments_vcpu == &v;
    bool all_ok = true, fs_loaded = false;
    for (unsigned i = 0; i < 4; ++i) {
        uint16_t want = v.data_selectors[i];
        if (held && read_selector(i) == want)
            continue;
        all_ok &= load_selector(i, want) != 0;
        fs_loaded |= i == kFs;
    }
    // Loading FS set its base from the descriptor: the vCPU's comes back.
    if (fs_loaded)
        Msr::write(Msr::kFsBase, v.fs_base);
    pc->segments_vcpu = &v;
    if (all_ok)
        return true;
    for (unsigned i = 0; i < 4; ++i)
        failed[i] = v.data_selectors[i];
    return false;
}

}  // namespace vireo::arch
