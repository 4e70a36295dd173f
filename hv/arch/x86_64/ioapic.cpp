#include "hv/arch/x86_64/ioapic.hpp"

#include "hv/arch/x86_64/acpi_tables.hpp"
#include "hv/arch/x86_64/apic.hpp"
#include "hv/arch/x86_64/layout.hpp"
#include "hv/arch/x86_64/paging.hpp"
#include "hv/arch/x86_64/percpu.hpp"
#include "hv/arch/x86_64/pte.hpp"
#include "hv/arch/x86_64/trap_frame.hpp"
#include "hv/arch/x86_64/traps.hpp"
#include "hv/core/acpi_madt.hpp"
#include "hv/core/log.hpp"
#include "hv/core/physical_irq.hpp"
#include "hv/core/platform.hpp"

namespace vireo::arch {
namespace {

constexpr unsigned kMaxIoApics = 4;
constexpr unsigned kMaxLines = kMaxIrqLines;
static_assert(kFirstDeviceVector + kMaxIrqSources <= 0xf0, "device vectors run into the hypervisor's own");
// Uncached windows on the I/O APICs, next to the local APIC's.
constexpr uint64_t kIoApicWindows = kImageBase + 0x40000000 + 0x1000;

// Register numbers (Intel 82093AA datasheet): written to IOREGSEL (offset
// 0), the value moves through IOWIN (offset 0x10).
enum : uint32_t { kRegId = 0, kRegVersion = 1, kRegRedirection = 0x10 };
// Redirection entry, low word.
constexpr uint32_t kActiveLow = 1u << 13;
constexpr uint32_t kLevel = 1u << 15;
constexpr uint32_t kMasked = 1u << 16;

struct IoApic {
    uint64_t physbase;
    volatile uint32_t* regs;
    unsigned gsi_base;
    unsigned nr_pins;
};

IoApic g_ioapics[kMaxIoApics];
unsigned g_nr_ioapics = 0;

uint32_t read_reg(const IoApic& io, uint32_t reg)
{
    io.regs[0] = reg;
    return io.regs[4];
}

void write_reg(const IoApic& io, uint32_t reg, uint32_t value)
{
    io.regs[0] = reg;
    io.regs[4] = value;
}

// The I/O APIC and pin of a GSI.
const IoApic* chip_of(unsigned gsi, unsigned& pin)
{
    for (unsigned i = 0; i < g_nr_ioapics; ++i) {
        const IoApic& io = g_ioapics[i];
        if (gsi >= io.gsi_base && gsi < io.gsi_base + io.nr_pins) {
            pin = gsi - io.gsi_base;
            return &io;
        }
    }
    return nullptr;
}

void line_program(unsigned gsi, bool level, bool active_low)
{
    unsigned pin;
    const IoApic* io = chip_of(gsi, pin);
    if (!io || gsi >= kMaxLines)
        return;
    uint32_t low = kMasked | (kFirstDeviceVector + gsi) | (level ? kLevel : 0) | (active_low ? kActiveLow : 0);
    // Masked while the destination changes; physical mode, to the boot CPU.
    write_reg(*io, kRegRedirection + 2 * pin, kMasked);
    write_reg(*io, kRegRedirection + 2 * pin + 1, cpu_data(0).apic_id << 24);
    write_reg(*io, kRegRedirection + 2 * pin, low);
}

void line_mask(unsigned gsi, bool masked)
{
    unsigned pin;
    const IoApic* io = chip_of(gsi, pin);
    if (!io)
        return;
    uint32_t low = read_reg(*io, kRegRedirection + 2 * pin);
    write_reg(*io, kRegRedirection + 2 * pin, masked ? low | kMasked : low & ~kMasked);
}

bool ioapic_read_for_guest(uint64_t physbase, uint32_t reg, uint32_t* value)
{
    for (unsigned i = 0; i < g_nr_ioapics; ++i) {
        const IoApic& io = g_ioapics[i];
        if (io.physbase != physbase)
            continue;
        if (reg >= kRegRedirection + 2 * io.nr_pins)
            return false;
        *value = read_reg(io, reg);
        return true;
    }
    return false;
}

void on_device_interrupt(TrapFrame* frame)
{
    irq_source_fired(static_cast<unsigned>(frame->vector - kFirstDeviceVector));
    apic_eoi();
}

}  // namespace

void ioapic_init(unsigned serial_irq)
{
    size_t len = 0;
    const uint8_t* madt = acpi_find_madt(len);
    if (!madt) {
        VLOG_WARN("No ACPI MADT: no device interrupts for dom0\n");
        return;
    }
    MadtIoApic found[kMaxIoApics];
    unsigned n = acpi_madt_ioapics(madt, len, found, kMaxIoApics);
    IrqLineSetup setup;
    for (unsigned i = 0; i < n; ++i) {
        uint64_t va = kIoApicWindows + 0x1000 * g_nr_ioapics;
        if (map_hypervisor_page(va, found[i].address, Pte::kWrite | Pte::kPcd | Pte::kPwt | Pte::kNx) != Status::OK) {
            VLOG_WARN("I/O APIC %u at 0x%x: cannot map it\n", found[i].id, found[i].address);
            continue;
        }
        IoApic& io = g_ioapics[g_nr_ioapics++];
        io.physbase = found[i].address;
        io.regs = reinterpret_cast<volatile uint32_t*>(va);
        io.gsi_base = found[i].gsi_base;
        io.nr_pins = ((read_reg(io, kRegVersion) >> 16) & 0xff) + 1;
        for (unsigned pin = 0; pin < io.nr_pins; ++pin)
            write_reg(io, kRegRedirection + 2 * pin, kMasked);
        unsigned top = io.gsi_base + io.nr_pins;
        if (top > setup.nr_lines)
            setup.nr_lines = top < kMaxLines ? top : kMaxLines;
        VLOG_INFO("I/O APIC %u at 0x%lx: GSIs %u-%u\n", found[i].id, io.physbase, io.gsi_base, top - 1);
    }
    if (!g_nr_ioapics)
        return;
    for (unsigned irq = 0; irq < 16; ++irq)
        setup.isa_line[irq] = static_cast<uint8_t>(irq);
    MadtIsaOverride ov[16];
    unsigned nov = acpi_madt_isa_overrides(madt, len, ov, 16);
    for (unsigned i = 0; i < nov; ++i) {
        if (ov[i].gsi < kMaxLines) {
            setup.isa_line[ov[i].irq] = static_cast<uint8_t>(ov[i].gsi);
            setup.isa_flags[ov[i].irq] = ov[i].flags;
        }
    }
    if (serial_irq < 16)
        setup.reserved_lines |= uint64_t{1} << setup.isa_line[serial_irq];
    irq_lines_init(setup);
    for (unsigned gsi = 0; gsi < setup.nr_lines; ++gsi)
        set_interrupt_handler(static_cast<uint8_t>(kFirstDeviceVector + gsi), on_device_interrupt);
    // MSI sources (pci.cpp composes their messages) follow the lines.
    for (unsigned src = kMaxIrqLines; src < kMaxIrqSources; ++src)
        set_interrupt_handler(static_cast<uint8_t>(kFirstDeviceVector + src), on_device_interrupt);
    Platform ops = platform();
    ops.irq_line_program = line_program;
    ops.irq_line_mask = line_mask;
    ops.ioapic_read = ioapic_read_for_guest;
    platform_install(ops);
}

}  // namespace vireo::arch
