// The ACPI reset register, read out of the firmware's FADT ("FACP"): which
// byte to write where to reset the machine, the first thing Xen tries on a
// reboot. The bytes are the firmware's: the caller has checked the table's
// length and checksum (acpi_table_valid); fields are read only inside it.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace vireo {

struct AcpiResetRegister {
    bool present = false;
    uint16_t port = 0;
    uint8_t value = 0;
};

// The reset register when the FADT offers one (revision 2 or later, flag
// RESET_REG_SUP) in system I/O space, where every PC chipset puts it.
// Memory and PCI-configuration reset registers are not used: the caller
// falls back to the keyboard controller.
AcpiResetRegister acpi_fadt_reset_register(const uint8_t* fadt, size_t len);

}  // namespace vireo
