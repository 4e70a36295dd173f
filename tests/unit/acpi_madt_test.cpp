// The MADT reader: processors found, disabled ones skipped, broken tables
// and entries refused without reading past the end.
#include <gtest/gtest.h>

#include <vector>

#include "hv/core/acpi_madt.hpp"

namespace {

void put32(std::vector<uint8_t>& t, size_t off, uint32_t v)
{
    for (int i = 0; i < 4; ++i)
        t[off + i] = static_cast<uint8_t>(v >> (8 * i));
}

void fix_checksum(std::vector<uint8_t>& t)
{
    t[9] = 0;
    uint8_t sum = 0;
    for (uint8_t b : t)
        sum = static_cast<uint8_t>(sum + b);
    t[9] = static_cast<uint8_t>(-sum);
}

std::vector<uint8_t> madt(const std::vector<std::vector<uint8_t>>& entries)
{
    std::vector<uint8_t> t(44, 0);
    t[0] = 'A', t[1] = 'P', t[2] = 'I', t[3] = 'C';
    for (const auto& e : entries)
        t.insert(t.end(), e.begin(), e.end());
    put32(t, 4, static_cast<uint32_t>(t.size()));
    fix_checksum(t);
    return t;
}

std::vector<uint8_t> lapic(uint8_t id, uint32_t flags) { return {0, 8, id, id, uint8_t(flags), 0, 0, 0}; }

std::vector<uint8_t> x2apic(uint32_t id, uint32_t flags)
{
    std::vector<uint8_t> e(16, 0);
    e[0] = 9, e[1] = 16;
    put32(e, 4, id);
    put32(e, 8, flags);
    return e;
}

}  // namespace

TEST(AcpiMadt, ListsEnabledProcessors)
{
    auto t = madt({lapic(0, 1), lapic(1, 1), {1, 12, 0, 0, 0, 0, 0xc0, 0xfe, 0, 0, 0, 0} /* I/O APIC */,
                   lapic(2, 0) /* disabled */, lapic(3, 2) /* online capable */, x2apic(300, 1)});
    ASSERT_TRUE(vireo::acpi_table_valid(t.data(), t.size()));
    uint32_t ids[8];
    ASSERT_EQ(vireo::acpi_madt_cpus(t.data(), t.size(), ids, 8), 4u);
    EXPECT_EQ(ids[0], 0u);
    EXPECT_EQ(ids[1], 1u);
    EXPECT_EQ(ids[2], 3u);
    EXPECT_EQ(ids[3], 300u);
}

TEST(AcpiMadt, StopsAtBrokenEntriesAndLimits)
{
    auto t = madt({lapic(0, 1), {0, 0} /* zero length */, lapic(1, 1)});
    uint32_t ids[8];
    EXPECT_EQ(vireo::acpi_madt_cpus(t.data(), t.size(), ids, 8), 1u);
    auto many = madt({lapic(0, 1), lapic(1, 1), lapic(2, 1)});
    EXPECT_EQ(vireo::acpi_madt_cpus(many.data(), many.size(), ids, 2), 2u);
    auto dup = madt({lapic(5, 1), x2apic(5, 1)});
    EXPECT_EQ(vireo::acpi_madt_cpus(dup.data(), dup.size(), ids, 8), 1u);
}

TEST(AcpiMadt, ChecksumsAndLengths)
{
    auto t = madt({lapic(0, 1)});
    EXPECT_FALSE(vireo::acpi_table_valid(t.data(), t.size() - 1));
    t[20] ^= 1;
    EXPECT_FALSE(vireo::acpi_table_valid(t.data(), t.size()));
    std::vector<uint8_t> rsdp = {'R', 'S', 'D', ' ', 'P', 'T', 'R', ' '};
    rsdp.resize(20, 0);
    uint8_t sum = 0;
    for (uint8_t b : rsdp)
        sum = static_cast<uint8_t>(sum + b);
    rsdp[8] = static_cast<uint8_t>(-sum);
    EXPECT_TRUE(vireo::acpi_rsdp_valid(rsdp.data(), rsdp.size()));
    rsdp[0] = 'X';
    EXPECT_FALSE(vireo::acpi_rsdp_valid(rsdp.data(), rsdp.size()));
}

TEST(AcpiMadt, ListsIoApicsAndIsaOverrides)
{
    // QEMU's PC: one I/O APIC at 0xfec00000 from GSI 0; IRQ 0 on GSI 2;
    // IRQ 9 level, active high (flags 0xd); an override on another bus and
    // one of a non-ISA IRQ number are not ISA overrides; a truncated I/O
    // APIC entry is skipped.
    auto t = madt({lapic(0, 1), {1, 12, 7, 0, 0, 0, 0xc0, 0xfe, 24, 0, 0, 0}, {2, 10, 0, 0, 2, 0, 0, 0, 0, 0},
                   {2, 10, 0, 9, 9, 0, 0, 0, 0xd, 0}, {2, 10, 1, 5, 5, 0, 0, 0, 0, 0},
                   {2, 10, 0, 16, 16, 0, 0, 0, 0, 0}, {1, 8, 1, 0, 0, 0, 0, 0}});
    vireo::MadtIoApic io[4];
    ASSERT_EQ(vireo::acpi_madt_ioapics(t.data(), t.size(), io, 4), 1u);
    EXPECT_EQ(io[0].id, 7u);
    EXPECT_EQ(io[0].address, 0xfec00000u);
    EXPECT_EQ(io[0].gsi_base, 24u);
    vireo::MadtIsaOverride ov[8];
    ASSERT_EQ(vireo::acpi_madt_isa_overrides(t.data(), t.size(), ov, 8), 2u);
    EXPECT_EQ(ov[0].irq, 0u);
    EXPECT_EQ(ov[0].gsi, 2u);
    EXPECT_EQ(ov[0].flags, 0u);
    EXPECT_EQ(ov[1].irq, 9u);
    EXPECT_EQ(ov[1].flags, 0xdu);
    // At most `max` are written.
    EXPECT_EQ(vireo::acpi_madt_isa_overrides(t.data(), t.size(), ov, 1), 1u);
}
