// Per-CPU GDT and TSS. The GDT follows Xen's x86-64 layout so that Xen's
// flat selectors work for PV guests: the first 14 pages belong to the guest
// (set_gdt), the hypervisor's own descriptors start at selector 0xe000.
#pragma once

#include <stdint.h>

namespace vireo::arch {

// Selectors (Xen's public arch-x86/xen-x86_64.h values for the ring-3 ones).
inline constexpr uint16_t kHypervisorCs = 0xe008;
inline constexpr uint16_t kHypervisorDs = 0xe010;
inline constexpr uint16_t kGuestCs32 = 0xe023;   // FLAT_RING3_CS32
inline constexpr uint16_t kGuestDs = 0xe02b;     // FLAT_RING3_DS32/SS64
inline constexpr uint16_t kGuestCs64 = 0xe033;   // FLAT_RING3_CS64
inline constexpr uint16_t kTssSelector = 0xe040;
inline constexpr uint16_t kLdtSelector = 0xe050;
// syscall/sysret: STAR[47:32] = ring-0 CS (SS = +8); STAR[63:48] = 32-bit
// user CS, sysretq then loads CS = +16 and SS = +8.
inline constexpr uint16_t kSysretBase = kGuestCs32;

inline constexpr unsigned kGdtPages = 16;
inline constexpr unsigned kFirstReservedGdtPage = 14;
inline constexpr unsigned kGdtEntries = kGdtPages * 4096 / 8;

struct [[gnu::packed]] Tss {
    uint32_t reserved0;     // 0
    uint64_t rsp[3];        // 4: RSP0..2
    uint64_t reserved1;     // 28
    uint64_t ist[7];        // 36: IST1..7
    uint64_t reserved2;     // 92
    uint16_t reserved3;     // 100
    uint16_t iomap_base;    // 102
};
static_assert(sizeof(Tss) == 104);

void gdt_init_cpu(unsigned cpu);
// Sets where ring 3 -> ring 0 transitions start their stack on this CPU.
void tss_set_rsp0(uint64_t rsp0);
uint64_t* gdt_base(unsigned cpu);

}  // namespace vireo::arch
namespace vireo { struct Vcpu; }
namespace vireo::arch {

// Puts v's guest descriptors (set_gdt) into this CPU's GDT, unless they are
// there already; entries the previous guest used beyond them are cleared.
void gdt_load_guest(const Vcpu& v);

}  // namespace vireo::arch
