#include "hv/arch/x86_64/apic.hpp"

#include "hv/arch/x86_64/cpu.hpp"
#include "hv/arch/x86_64/paging.hpp"
#include "hv/arch/x86_64/layout.hpp"
#include "hv/arch/x86_64/pte.hpp"
#include "hv/arch/x86_64/panic.hpp"
#include "hv/arch/x86_64/trap_frame.hpp"

namespace vireo::arch {
namespace {

// Register offsets in the xAPIC MMIO page; the x2APIC MSR is 0x800 + off/16
// (Intel SDM vol. 3A, 11.12.1.2).
enum : uint32_t {
    kRegId = 0x20, kRegEoi = 0xb0, kRegSvr = 0xf0, kRegIcrLow = 0x300, kRegIcrHigh = 0x310,
    kRegLvtTimer = 0x320, kRegTimerInit = 0x380, kRegTimerCurrent = 0x390, kRegTimerDivide = 0x3e0,
};
constexpr uint64_t kApicBaseEnable = 1u << 11;
constexpr uint64_t kApicBaseX2 = 1u << 10;
constexpr uint64_t kXapicWindow = kImageBase + 0x40000000;  // uncached fixmap page

bool g_x2apic = false;

uint32_t read_reg(uint32_t reg)
{
    if (g_x2apic)
        return static_cast<uint32_t>(Msr::read(0x800 + reg / 16));
    return *reinterpret_cast<volatile uint32_t*>(kXapicWindow + reg);
}

void write_reg(uint32_t reg, uint32_t value)
{
    if (g_x2apic)
        Msr::write(0x800 + reg / 16, value);
    else
        *reinterpret_cast<volatile uint32_t*>(kXapicWindow + reg) = value;
}

}  // namespace

bool apic_is_x2apic() { return g_x2apic; }

void apic_init_cpu()
{
    uint64_t base = Msr::read(Msr::kApicBase);
    g_x2apic = cpuid(1).ecx & (1u << 21);
    if (g_x2apic) {
        Msr::write(Msr::kApicBase, base | kApicBaseEnable);
        Msr::write(Msr::kApicBase, base | kApicBaseEnable | kApicBaseX2);
    } else {
        Msr::write(Msr::kApicBase, base | kApicBaseEnable);
        uint64_t paddr = base & Pte::kAddrMask;
        if (map_hypervisor_page(kXapicWindow, paddr, Pte::kWrite | Pte::kPcd | Pte::kPwt | Pte::kNx) !=
            Status::OK)
            panic("cannot map the local APIC");
    }
    write_reg(kRegSvr, 0x100 | kSpuriousVector);  // software enable
    write_reg(kRegTimerDivide, 0xb);                // divide by 1
    write_reg(kRegLvtTimer, 1u << 16);              // masked until used
}

uint32_t apic_id()
{
    uint32_t id = read_reg(kRegId);
    return g_x2apic ? id : id >> 24;
}

void apic_eoi() { write_reg(kRegEoi, 0); }

void apic_timer_oneshot(uint8_t vector, uint32_t ticks)
{
    write_reg(kRegLvtTimer, vector);
    write_reg(kRegTimerInit, ticks ? ticks : 1);
}

uint32_t apic_timer_current() { return read_reg(kRegTimerCurrent); }

void apic_timer_stop()
{
    write_reg(kRegLvtTimer, 1u << 16);
    write_reg(kRegTimerInit, 0);
}

namespace {

// Writes the interrupt command register (delivery mode and vector in `low`).
void send_icr(uint32_t dest, uint32_t low)
{
    if (g_x2apic) {
        Msr::write(0x830, (uint64_t{dest} << 32) | low);
        return;
    }
    write_reg(kRegIcrHigh, dest << 24);
    write_reg(kRegIcrLow, low);
    while (read_reg(kRegIcrLow) & (1u << 12))  // delivery pending
        asm volatile("pause");
}

}  // namespace

void apic_send_ipi(uint32_t dest, uint8_t vector) { send_icr(dest, vector); }

void apic_send_init(uint32_t dest) { send_icr(dest, 0x4500); }  // INIT, level assert

void apic_send_startup(uint32_t dest, uint8_t page) { send_icr(dest, 0x4600 | page); }

}  // namespace vireo::arch
