// Powering the machine off or resetting it.
#pragma once

#include <stdint.h>

namespace vireo::arch {

// Under QEMU with -device isa-debug-exit,iobase=0xf4 the value written makes
// QEMU exit with status (value << 1) | 1; elsewhere the write is harmless and
// we go on to ACPI-less fallbacks.
// What a panic reports to isa-debug-exit: QEMU exits with status 253.
inline constexpr uint8_t kPanicExitValue = 0x7e;
// What "no domain could start" reports: QEMU exits with status 255.
inline constexpr uint8_t kNoDomainExitValue = 0x7f;

// Reports the value to QEMU's isa-debug-exit, if present (QEMU then exits).
void machine_exit_for_qemu(uint8_t exit_value);
[[noreturn]] void machine_power_off(uint8_t exit_value);
[[noreturn]] void machine_reboot();

}  // namespace vireo::arch
