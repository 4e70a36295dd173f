// The FADT's reset register: found when the table offers it, refused when
// the table is too old, too short, says it is unsupported or names an
// address space other than I/O ports.
#include <gtest/gtest.h>

#include <vector>

#include "hv/core/acpi_fadt.hpp"

namespace {

using vireo::AcpiResetRegister;

// A FADT as QEMU builds it: revision 3, reset register 0xcf9 (I/O), 0x0f.
std::vector<uint8_t> fadt(uint8_t revision = 3, uint8_t space = 1, uint64_t address = 0xcf9,
                          uint32_t flags = 1u << 10)
{
    std::vector<uint8_t> t(244, 0);
    t[0] = 'F', t[1] = 'A', t[2] = 'C', t[3] = 'P';
    t[4] = 244;
    t[8] = revision;
    for (int i = 0; i < 4; ++i)
        t[112 + i] = static_cast<uint8_t>(flags >> (8 * i));
    t[116] = space;
    t[117] = 8;
    for (int i = 0; i < 8; ++i)
        t[120 + i] = static_cast<uint8_t>(address >> (8 * i));
    t[128] = 0x0f;
    return t;
}

AcpiResetRegister read(const std::vector<uint8_t>& t) { return vireo::acpi_fadt_reset_register(t.data(), t.size()); }

}  // namespace

TEST(AcpiFadt, QemuResetRegister)
{
    AcpiResetRegister r = read(fadt());
    EXPECT_TRUE(r.present);
    EXPECT_EQ(r.port, 0xcf9u);
    EXPECT_EQ(r.value, 0x0fu);
}

TEST(AcpiFadt, NoResetRegister)
{
    EXPECT_FALSE(read(fadt(1)).present);                   // ACPI 1.0 FADT
    EXPECT_FALSE(read(fadt(3, 1, 0xcf9, 0)).present);      // RESET_REG_SUP clear
    EXPECT_FALSE(read(fadt(3, 0, 0xfed00000)).present);    // memory space
    EXPECT_FALSE(read(fadt(3, 2, 0xcf9)).present);         // PCI configuration space
    EXPECT_FALSE(read(fadt(3, 1, 0x10000)).present);       // not a port
    EXPECT_FALSE(read(fadt(3, 1, 0)).present);
    std::vector<uint8_t> t = fadt();
    EXPECT_FALSE(vireo::acpi_fadt_reset_register(t.data(), 128).present);  // too short
    t[0] = 'X';
    EXPECT_FALSE(read(t).present);
}
