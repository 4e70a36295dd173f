#include "hv/core/acpi_fadt.hpp"

namespace vireo {
namespace {

// Offsets in the FADT (ACPI 2.0 and later).
constexpr size_t kRevision = 8;        // in the common header
constexpr size_t kFlags = 112;         // u32
constexpr size_t kResetReg = 116;      // a 12-byte generic address structure
constexpr size_t kResetValue = 128;    // u8
constexpr uint32_t kResetRegSupported = 1u << 10;
// Generic address structure: address space id, bit width, bit offset,
// access size, then the 64-bit address.
constexpr uint8_t kSpaceIo = 1;

uint64_t le(const uint8_t* p, unsigned bytes)
{
    uint64_t v = 0;
    for (unsigned i = bytes; i-- > 0;)
        v = v << 8 | p[i];
    return v;
}

}  // namespace

AcpiResetRegister acpi_fadt_reset_register(const uint8_t* fadt, size_t len)
{
    AcpiResetRegister r;
    if (len <= kResetValue || __builtin_memcmp(fadt, "FACP", 4) != 0 || fadt[kRevision] < 2)
        return r;
    if (!(le(fadt + kFlags, 4) & kResetRegSupported))
        return r;
    const uint8_t* gas = fadt + kResetReg;
    uint64_t address = le(gas + 4, 8);
    if (gas[0] != kSpaceIo || address == 0 || address > 0xffff)
        return r;
    r.present = true;
    r.port = static_cast<uint16_t>(address);
    r.value = fadt[kResetValue];
    return r;
}

}  // namespace vireo
