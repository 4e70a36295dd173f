#include "hv/arch/x86_64/gdt.hpp"

#include "hv/arch/x86_64/cpu.hpp"
#include "hv/arch/x86_64/percpu.hpp"
#include "hv/arch/x86_64/layout.hpp"
#include "hv/core/domain.hpp"

namespace vireo::arch {
namespace {

// Descriptor bits (Intel SDM vol. 3A, 3.4.5).
constexpr uint64_t kPresent = uint64_t{1} << 47;
constexpr uint64_t kCodeData = uint64_t{1} << 44;  // S: code/data, not system
constexpr uint64_t kExec = uint64_t{1} << 43;
constexpr uint64_t kRw = uint64_t{1} << 41;        // readable code / writable data
constexpr uint64_t kAccessed = uint64_t{1} << 40;
constexpr uint64_t kLong = uint64_t{1} << 53;
constexpr uint64_t kDb = uint64_t{1} << 54;        // 32-bit default size
constexpr uint64_t kGran = uint64_t{1} << 55;
constexpr uint64_t kLimit4G = 0x000f00000000ffff;

constexpr uint64_t dpl(unsigned d) { return uint64_t{d} << 45; }

constexpr uint64_t kCode64Ring0 = kPresent | kCodeData | kExec | kRw | kAccessed | kLong | kLimit4G | kGran;
constexpr uint64_t kDataRing0 = kPresent | kCodeData | kRw | kAccessed | kDb | kLimit4G | kGran;
constexpr uint64_t kCode32Ring3 = kPresent | kCodeData | kExec | kRw | kAccessed | kDb | kLimit4G | kGran | dpl(3);
constexpr uint64_t kDataRing3 = kDataRing0 | dpl(3);
constexpr uint64_t kCode64Ring3 = kCode64Ring0 | dpl(3);

alignas(4096) uint64_t g_gdt[kMaxCpus][kGdtEntries];
Tss g_tss[kMaxCpus];
alignas(16) uint8_t g_ist_stacks[kMaxCpus][3][kIstStackSize];

unsigned index_of(uint16_t selector) { return selector >> 3; }

}  // namespace

uint64_t* gdt_base(unsigned cpu) { return g_gdt[cpu]; }

void gdt_init_cpu(unsigned cpu)
{
    uint64_t* gdt = g_gdt[cpu];
    gdt[index_of(kHypervisorCs)] = kCode64Ring0;
    gdt[index_of(kHypervisorDs)] = kDataRing0;
    gdt[index_of(kGuestCs32)] = kCode32Ring3;
    gdt[index_of(kGuestDs)] = kDataRing3;
    gdt[index_of(kGuestCs64)] = kCode64Ring3;

    Tss& tss = g_tss[cpu];
    tss.iomap_base = sizeof(Tss);  // no I/O bitmap: ring 3 port access faults
    PerCpu& pc = cpu_data(cpu);
    for (unsigned i = 0; i < 3; ++i) {
        // The top word of each IST stack holds this CPU's PerCpu pointer,
        // so paranoid entries can find it whatever GS holds.
        auto top = reinterpret_cast<uint64_t>(&g_ist_stacks[cpu][i][kIstStackSize]) - 16;
        *reinterpret_cast<PerCpu**>(top) = &pc;
        tss.ist[i] = top;
    }
    tss.rsp[0] = pc.stack_top;

    auto base = reinterpret_cast<uint64_t>(&tss);
    uint64_t limit = sizeof(Tss) - 1;
    uint64_t low = (limit & 0xffff) | ((base & 0xffffff) << 16) | (uint64_t{0x9} << 40) | kPresent |
                   ((base >> 24) & 0xff) << 56;
    gdt[index_of(kTssSelector)] = low;
    gdt[index_of(kTssSelector) + 1] = base >> 32;

    DescriptorPointer ptr{static_cast<uint16_t>(sizeof(g_gdt[0]) - 1), reinterpret_cast<uint64_t>(gdt)};
    asm volatile("lgdt %0" : : "m"(ptr));
    // Reload CS through a far return, then the data segments and the TSS.
    asm volatile(
        "pushq %[cs]\n\t"
        "leaq 1f(%%rip), %%rax\n\t"
        "pushq %%rax\n\t"
        "lretq\n"
        "1:\n\t"
        "movl %[ds], %%eax\n\t"
        "movl %%eax, %%ss\n\t"
        "movl %%eax, %%ds\n\t"
        "movl %%eax, %%es\n\t"
        "ltr %w[tss]\n\t"
        :
        : [cs] "i"(kHypervisorCs), [ds] "i"(kHypervisorDs), [tss] "r"(kTssSelector)
        : "rax", "memory");
}

void gdt_load_guest(const Vcpu& v)
{
    PerCpu* pc = this_cpu();
    if (pc->gdt_vcpu == &v && pc->gdt_generation == v.gdt_generation)
        return;
    uint64_t* gdt = g_gdt[pc->cpu_index];
    unsigned n = 0;
    for (unsigned f = 0; f < v.gdt_nr_frames; ++f) {
        auto* src = phys_to_virt<const uint64_t>(v.gdt_frames[f] << 12);
        for (unsigned i = 0; i < 512 && n < v.gdt_entries; ++i)
            gdt[n++] = src[i];
    }
    for (unsigned i = n; i < pc->gdt_guest_entries; ++i)
        gdt[i] = 0;
    pc->gdt_guest_entries = n;
    pc->gdt_vcpu = &v;
    pc->gdt_generation = v.gdt_generation;
}

void tss_set_rsp0(uint64_t rsp0) { g_tss[this_cpu()->cpu_index].rsp[0] = rsp0; }

}  // namespace vireo::arch
