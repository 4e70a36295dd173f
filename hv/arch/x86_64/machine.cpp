#include "hv/arch/x86_64/machine.hpp"

#include "hv/arch/x86_64/cpu.hpp"

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

void machine_reboot()
{
    // The reset control register (0xcf9): full reset.
    Io::out8(0xcf9, 0x02);
    Io::out8(0xcf9, 0x06);
    // Fallback: the keyboard controller's reset line.
    Io::out8(0x64, 0xfe);
    halt_forever();
}

}  // namespace vireo::arch
