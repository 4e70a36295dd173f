// What the bootloader tells us, decoded from multiboot1 (QEMU's -kernel) or
// multiboot2 (GRUB) into one shape.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace vireo::arch {

inline constexpr uint32_t kMultiboot1Magic = 0x2badb002;
inline constexpr uint32_t kMultiboot2Magic = 0x36d76289;
inline constexpr unsigned kMaxBootModules = 16;
inline constexpr unsigned kMaxFirmwareRanges = 128;

struct BootModule {
    uint64_t start;        // machine address
    uint64_t end;          // exclusive
    const char* cmdline;   // "path args..." as the loader gave it
};

struct FirmwareRange {
    uint64_t base;
    uint64_t length;
    uint32_t type;  // e820 type: 1 RAM, 2 reserved, 3 ACPI, 4 NVS, 5 unusable
};

struct BootInfo {
    const char* loader_name = "";
    const char* cmdline = "";       // the hypervisor's options
    const char* cmdline_full = "";  // as the loader gave it (image name first)
    BootModule modules[kMaxBootModules];
    unsigned module_count = 0;
    FirmwareRange ranges[kMaxFirmwareRanges];
    unsigned range_count = 0;
    uint64_t info_start = 0;  // the bootloader's info block, to keep reserved
    uint64_t info_end = 0;
    uint64_t acpi_rsdp = 0;   // machine address, 0 if unknown
};

// Returns false (and says why in *error) if the magic or the info is unusable.
bool parse_multiboot(uint32_t magic, uint32_t info_paddr, BootInfo& out, const char** error);

}  // namespace vireo::arch
