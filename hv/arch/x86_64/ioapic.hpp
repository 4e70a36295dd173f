// The I/O APICs: the machine's device interrupt lines, by GSI. At boot
// every input is masked; a line is routed (fixed delivery to the boot CPU,
// vector kFirstDeviceVector + GSI) when the hardware domain binds it, and
// its interrupts go to the core (physical_irq.hpp). MSI sources take the
// vectors after the lines'.
#pragma once

#include <stdint.h>

namespace vireo::arch {

inline constexpr uint8_t kFirstDeviceVector = 0x30;

// Finds the I/O APICs and the ISA overrides in the MADT, masks every line,
// tells the core which lines exist (the serial line's IRQ is kept back)
// and installs the interrupt handlers and platform operations.
void ioapic_init(unsigned serial_irq);

}  // namespace vireo::arch
