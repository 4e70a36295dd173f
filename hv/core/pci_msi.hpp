// Message-signalled interrupts of dom0's PCI devices, programmed by the
// hypervisor as Xen does: dom0 names the device (and, for MSI-X, the table
// entry and the BAR holding the table); Vireo finds the capability in the
// device's configuration space, checks what dom0 said against it, and
// writes a message that raises one of its own vectors. Dom0 then enables
// MSI in the capability's control word itself.
#pragma once

#include <stdint.h>

#include "lib/status.hpp"

namespace vireo {

// Where one vector of a device is programmed.
struct MsiTarget {
    uint32_t cf8 = 0;          // configuration address of the device (register 0)
    uint8_t cap = 0;           // offset of its MSI or MSI-X capability
    bool msix = false;
    bool is64 = false;         // MSI: 64-bit message address
    bool maskable = false;     // MSI: per-vector mask bits (MSI-X: always)
    uint64_t entry_paddr = 0;  // MSI-X: the table entry
};

// Finds the device's capability: MSI-X when table_base is given (Linux
// passes the start of the BAR holding the table), MSI otherwise. Refused
// (INVALID) when there is no such device, capability or entry, or the BAR
// does not hold table_base.
Result<MsiTarget> msi_locate(uint32_t seg_bus, uint32_t devfn, uint32_t entry_nr, uint64_t table_base);
// Makes the device's MSI-X table and pending-bit array read-only device
// memory for dom0 (mmio_ro.hpp), as BARs decode them now. OK when the
// device has no MSI-X; INVALID when there is no such device.
Status msix_protect(uint32_t seg_bus, uint32_t devfn);
// Writes the message for interrupt source `source`, left masked where the
// device can mask it.
void msi_program(const MsiTarget& t, unsigned source);
void msi_set_mask(const MsiTarget& t, unsigned source, bool masked);

}  // namespace vireo
