#include "hv/arch/x86_64/idt.hpp"

#include "hv/arch/x86_64/cpu.hpp"
#include "hv/arch/x86_64/gdt.hpp"
#include "hv/arch/x86_64/percpu.hpp"
#include "hv/arch/x86_64/trap_frame.hpp"

extern "C" const uint64_t trap_entry_table[256];
extern "C" char syscall_entry[];

namespace vireo::arch {
namespace {

struct IdtGate {
    uint16_t offset_low;
    uint16_t selector;
    uint8_t ist;
    uint8_t type_attr;  // P, DPL, type 0xe = 64-bit interrupt gate
    uint16_t offset_mid;
    uint32_t offset_high;
    uint32_t reserved;
};
static_assert(sizeof(IdtGate) == 16);

alignas(16) IdtGate g_idt[256];

void set_gate(unsigned vector, uint64_t handler, unsigned ist, unsigned dpl)
{
    IdtGate& g = g_idt[vector];
    g.offset_low = handler & 0xffff;
    g.selector = kHypervisorCs;
    g.ist = static_cast<uint8_t>(ist);
    g.type_attr = static_cast<uint8_t>(0x80 | (dpl << 5) | 0xe);
    g.offset_mid = (handler >> 16) & 0xffff;
    g.offset_high = static_cast<uint32_t>(handler >> 32);
    g.reserved = 0;
}

}  // namespace

void idt_init()
{
    for (unsigned v = 0; v < 256; ++v) {
        unsigned ist = v == kNmi ? kIstNmi
                       : v == kDoubleFault ? kIstDoubleFault
                       : v == kMachineCheck ? kIstMachineCheck
                                            : 0;
        // int3 and into are reachable from guest code (DPL 3) so that a PV
        // guest's breakpoints are bounced to it; everything else raised by
        // 'int n' from ring 3 becomes #GP, which the guest sees instead.
        unsigned dpl = (v == kBreakpoint || v == kOverflow) ? 3 : 0;
        set_gate(v, trap_entry_table[v], ist, dpl);
    }
}

void idt_load()
{
    DescriptorPointer ptr{sizeof(g_idt) - 1, reinterpret_cast<uint64_t>(g_idt)};
    asm volatile("lidt %0" : : "m"(ptr));
}

void syscall_init_cpu()
{
    constexpr uint64_t kEferSce = 1;
    Msr::write(Msr::kEfer, Msr::read(Msr::kEfer) | kEferSce);
    Msr::write(Msr::kStar, (uint64_t{kSysretBase} << 48) | (uint64_t{kHypervisorCs} << 32));
    Msr::write(Msr::kLstar, reinterpret_cast<uint64_t>(syscall_entry));
    // 32-bit compat-mode syscalls (IA32 guest processes) take the same path;
    // the frame then says CS 0xe033, which the bounce code corrects later.
    Msr::write(Msr::kCstar, reinterpret_cast<uint64_t>(syscall_entry));
    // Clear on entry: TF (8), IF (9), DF (10), NT (14), AC (18).
    Msr::write(Msr::kSfmask, (1u << 8) | (1u << 9) | (1u << 10) | (1u << 14) | (1u << 18));
}

}  // namespace vireo::arch
