#include "hv/arch/x86_64/machine.hpp"

#include "hv/arch/x86_64/acpi_tables.hpp"
#include "hv/arch/x86_64/cpu.hpp"
#include "hv/arch/x86_64/tsc.hpp"
#include "hv/core/acpi_fadt.hpp"
#include "hv/core/log.hpp"

namespace vireo::arch {

void machine_exit_for_qemu(uint8_t exit_value) { Io::out8(0xf4, exit_value); }

void machine_power_off(uint8_t exit_value)
{
    machine_exit_for_qemu(exit_value);
    // QEMU's PIIX4 ACPI PM control (port 0x604: SLP_TYPa=0 | SLP_EN) powers
    // off a q35/pc machine without an ACPI interpreter.
    Io::out16(0x604, 0x2000);
    halt_forever();
}

namespace {

void delay_us(uint64_t us)
{
    uint64_t end = rdtsc() + us * tsc_khz() / 1000;
    while (rdtsc() < end)
        cpu_relax();
}

// Pulses the reset line of the 8042 keyboard controller, waiting each time
// until it can take a command (input buffer empty, status bit 1).
void keyboard_controller_reset()
{
    for (unsigned i = 0; i < 100; ++i) {
        for (unsigned wait = 0; wait < 1000 && (Io::in8(0x64) & 2); ++wait)
            delay_us(1);
        delay_us(50);
        Io::out8(0x64, 0xfe);
        delay_us(50);
    }
}

// An IDT of limit 0: the breakpoint cannot be delivered, nor the #GP or
// the double fault after it, and the CPU shuts down, which resets a PC.
[[noreturn]] void triple_fault()
{
    static const DescriptorPointer no_idt{0, 0};
    asm volatile("lidt %0; int3" : : "m"(no_idt));
    halt_forever();
}

}  // namespace

void machine_reboot()
{
    irq_disable();
    // Xen's order (reboot=acpi, its default): the FADT's reset register,
    // then the keyboard controller, each tried twice, then a triple fault.
    size_t len = 0;
    const uint8_t* fadt = acpi_find_table("FACP", len);
    AcpiResetRegister acpi = fadt ? acpi_fadt_reset_register(fadt, len) : AcpiResetRegister{};
    if (acpi.present)
        VLOG_INFO("Resetting the machine (ACPI reset register: port 0x%x, value 0x%x)\n", acpi.port, acpi.value);
    else
        VLOG_INFO("Resetting the machine (no ACPI reset register: keyboard controller)\n");
    for (unsigned attempt = 0; attempt < 2; ++attempt) {
        if (acpi.present) {
            Io::out8(acpi.port, acpi.value);
            delay_us(10000);
        }
        keyboard_controller_reset();
    }
    triple_fault();
}

}  // namespace vireo::arch
