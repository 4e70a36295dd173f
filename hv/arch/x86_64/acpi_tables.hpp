// Finding the firmware's ACPI tables in physical memory (the RSDP in the
// EBDA or the BIOS area, then the RSDT or XSDT); the core parses them.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace vireo::arch {

// The MADT ("APIC" table), checked; null if there is none.
const uint8_t* acpi_find_madt(size_t& len);
// The first valid table with this 4-byte signature ("FACP", ...), its
// length in len; null if there is none.
const uint8_t* acpi_find_table(const char* signature, size_t& len);

}  // namespace vireo::arch
