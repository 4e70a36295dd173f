#include "hv/core/acpi_madt.hpp"

namespace vireo {
namespace {

uint32_t le32(const uint8_t* p) { return p[0] | (p[1] << 8) | (p[2] << 16) | (uint32_t{p[3]} << 24); }

bool sums_to_zero(const uint8_t* p, size_t n)
{
    uint8_t sum = 0;
    for (size_t i = 0; i < n; ++i)
        sum = static_cast<uint8_t>(sum + p[i]);
    return sum == 0;
}

constexpr size_t kHeaderLen = 36;  // the common ACPI table header
constexpr size_t kMadtFixedLen = kHeaderLen + 8;  // + local APIC address, flags

}  // namespace

bool acpi_rsdp_valid(const uint8_t* p, size_t n)
{
    if (n < 20 || __builtin_memcmp(p, "RSD PTR ", 8) != 0 || !sums_to_zero(p, 20))
        return false;
    if (p[15] < 2)
        return true;  // ACPI 1.0: 20 bytes
    uint32_t len = le32(p + 20);
    return len >= 36 && len <= n && sums_to_zero(p, len);
}

bool acpi_table_valid(const uint8_t* t, size_t available)
{
    if (available < kHeaderLen)
        return false;
    uint32_t len = le32(t + 4);
    return len >= kHeaderLen && len <= available && sums_to_zero(t, len);
}

unsigned acpi_madt_cpus(const uint8_t* madt, size_t len, uint32_t* ids, unsigned max)
{
    if (len < kMadtFixedLen || __builtin_memcmp(madt, "APIC", 4) != 0)
        return 0;
    unsigned n = 0;
    for (size_t off = kMadtFixedLen; off + 2 <= len;) {
        uint8_t type = madt[off], elen = madt[off + 1];
        if (elen < 2 || off + elen > len)
            break;  // a broken entry ends the list
        const uint8_t* e = madt + off;
        uint32_t id = 0, flags = 0;
        bool cpu = false;
        if (type == 0 && elen >= 8) {  // processor local APIC
            id = e[3], flags = le32(e + 4), cpu = true;
        } else if (type == 9 && elen >= 16) {  // processor local x2APIC
            id = le32(e + 4), flags = le32(e + 8), cpu = true;
        }
        // Bit 0: enabled; bit 1: may be brought online (ACPI 6.3).
        if (cpu && (flags & 3) && n < max) {
            bool seen = false;
            for (unsigned i = 0; i < n; ++i)
                seen |= ids[i] == id;
            if (!seen)
                ids[n++] = id;
        }
        off += elen;
    }
    return n;
}

}  // namespace vireo
