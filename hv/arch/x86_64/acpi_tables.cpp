#include "hv/arch/x86_64/acpi_tables.hpp"

#include "hv/arch/x86_64/layout.hpp"
#include "hv/core/acpi_madt.hpp"

namespace vireo::arch {
namespace {

const uint8_t* find_rsdp_in(uint64_t start, uint64_t end)
{
    for (uint64_t p = start; p + 36 <= end; p += 16) {
        auto* b = phys_to_virt<const uint8_t>(p);
        if (acpi_rsdp_valid(b, end - p))
            return b;
    }
    return nullptr;
}

}  // namespace

const uint8_t* acpi_find_madt(size_t& len) { return acpi_find_table("APIC", len); }

const uint8_t* acpi_find_table(const char* signature, size_t& len)
{
    uint64_t ebda = uint64_t{*phys_to_virt<const uint16_t>(0x40e)} << 4;
    const uint8_t* rsdp = ebda ? find_rsdp_in(ebda, ebda + 1024) : nullptr;
    if (!rsdp)
        rsdp = find_rsdp_in(0xe0000, 0x100000);
    if (!rsdp)
        return nullptr;
    bool xsdt = rsdp[15] >= 2;
    uint64_t root = 0;
    __builtin_memcpy(&root, rsdp + (xsdt ? 24 : 16), xsdt ? 8 : 4);
    auto* table = phys_to_virt<const uint8_t>(root);
    if (!acpi_table_valid(table, 1 << 20))
        return nullptr;
    uint32_t root_len;
    __builtin_memcpy(&root_len, table + 4, 4);
    unsigned entry = xsdt ? 8 : 4;
    for (uint32_t off = 36; off + entry <= root_len; off += entry) {
        uint64_t addr = 0;
        __builtin_memcpy(&addr, table + off, entry);
        auto* t = phys_to_virt<const uint8_t>(addr);
        if (__builtin_memcmp(t, signature, 4) == 0 && acpi_table_valid(t, 1 << 20)) {
            uint32_t l;
            __builtin_memcpy(&l, t + 4, 4);
            len = l;
            return t;
        }
    }
    return nullptr;
}

}  // namespace vireo::arch
