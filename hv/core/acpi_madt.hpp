// Reading the CPUs out of the firmware's ACPI tables: the RSDP names the
// RSDT (32-bit table pointers) or XSDT (64-bit), whose "APIC" table (the
// MADT) lists one entry per processor with its local APIC id. The bytes
// are the firmware's; every length and checksum is checked.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace vireo {

// Valid RSDP at rsdp[0, n)? (signature, checksum, extended checksum).
bool acpi_rsdp_valid(const uint8_t* rsdp, size_t n);
// A table header's signature, length and checksum check out.
bool acpi_table_valid(const uint8_t* table, size_t available);
// The enabled (or online-capable) processors of a MADT, in table order:
// their APIC ids go into ids[], at most max; returns how many.
unsigned acpi_madt_cpus(const uint8_t* madt, size_t len, uint32_t* ids, unsigned max);

// The I/O APICs: each one's id, MMIO address and first GSI.
struct MadtIoApic {
    uint8_t id;
    uint32_t address;
    uint32_t gsi_base;
};
unsigned acpi_madt_ioapics(const uint8_t* madt, size_t len, MadtIoApic* out, unsigned max);
// The interrupt source overrides of ISA IRQs: which GSI each reaches, with
// the MPS INTI flags (polarity in bits 0-1, trigger mode in bits 2-3).
struct MadtIsaOverride {
    uint8_t irq;
    uint32_t gsi;
    uint16_t flags;
};
unsigned acpi_madt_isa_overrides(const uint8_t* madt, size_t len, MadtIsaOverride* out, unsigned max);

}  // namespace vireo
