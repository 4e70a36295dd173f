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

namespace {

// Calls fn(type, entry, entry_len) for each entry of the MADT's list; a
// broken entry ends the list.
template <typename Fn>
void for_each_entry(const uint8_t* madt, size_t len, Fn fn)
{
    if (len < kMadtFixedLen || __builtin_memcmp(madt, "APIC", 4) != 0)
        return;
    for (size_t off = kMadtFixedLen; off + 2 <= len;) {
        uint8_t type = madt[off], elen = madt[off + 1];
        if (elen < 2 || off + elen > len)
            return;
        fn(type, madt + off, elen);
        off += elen;
    }
}

}  // namespace

unsigned acpi_madt_cpus(const uint8_t* madt, size_t len, uint32_t* ids, unsigned max)
{
    unsigned n = 0;
    for_each_entry(madt, len, [&](uint8_t type, const uint8_t* e, uint8_t elen) {
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
    });
    return n;
}

unsigned acpi_madt_ioapics(const uint8_t* madt, size_t len, MadtIoApic* out, unsigned max)
{
    unsigned n = 0;
    for_each_entry(madt, len, [&](uint8_t type, const uint8_t* e, uint8_t elen) {
        if (type == 1 && elen >= 12 && n < max)
            out[n++] = MadtIoApic{e[2], le32(e + 4), le32(e + 8)};
    });
    return n;
}

unsigned acpi_madt_isa_overrides(const uint8_t* madt, size_t len, MadtIsaOverride* out, unsigned max)
{
    unsigned n = 0;
    for_each_entry(madt, len, [&](uint8_t type, const uint8_t* e, uint8_t elen) {
        // Bus 0 is ISA, the only bus the ACPI spec defines for overrides.
        if (type == 2 && elen >= 10 && e[2] == 0 && e[3] < 16 && n < max)
            out[n++] = MadtIsaOverride{e[3], le32(e + 4), static_cast<uint16_t>(e[8] | (e[9] << 8))};
    });
    return n;
}

}  // namespace vireo
