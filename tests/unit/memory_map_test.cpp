#include "hv/core/memory_map.hpp"

#include <gtest/gtest.h>

using namespace vireo;

TEST(MemoryMap, SortsMergesAndResolvesOverlaps)
{
    MemoryMap m;
    ASSERT_EQ(m.add(0x100000, 0x7ff00000, 1), Status::OK);   // 1 MiB .. 2 GiB RAM
    ASSERT_EQ(m.add(0, 0x9fc00, 1), Status::OK);              // low RAM
    ASSERT_EQ(m.add(0xf0000, 0x10000, 2), Status::OK);        // BIOS
    ASSERT_EQ(m.add(0x7fff0000, 0x20000, 2), Status::OK);     // overlaps the RAM top
    ASSERT_EQ(m.count(), 4u);
    EXPECT_EQ(m.at(0).base, 0u);
    EXPECT_EQ(m.at(0).end, 0x9fc00u);
    EXPECT_EQ(m.at(2).type, MemType::RAM);
    EXPECT_EQ(m.at(2).end, 0x7fff0000u);   // reserved wins over RAM
    EXPECT_EQ(m.at(3).type, MemType::RESERVED);
    EXPECT_EQ(m.at(3).end, 0x80010000u);
    EXPECT_EQ(m.highest_ram_end(), 0x7fff0000u);
}

TEST(MemoryMap, MergesAdjacentSameType)
{
    MemoryMap m;
    ASSERT_EQ(m.add(0x100000, 0x100000, 1), Status::OK);
    ASSERT_EQ(m.add(0x200000, 0x100000, 1), Status::OK);
    EXPECT_EQ(m.count(), 1u);
    EXPECT_EQ(m.total_ram(), 0x200000u);
}

TEST(MemoryMap, RejectsWrapAndIgnoresEmpty)
{
    MemoryMap m;
    EXPECT_EQ(m.add(0xfffffffffffff000, 0x2000, 1), Status::INVALID);
    EXPECT_EQ(m.add(0x1000, 0, 1), Status::OK);
    EXPECT_EQ(m.count(), 0u);
    EXPECT_EQ(m.add(0x1000, 0x1000, 99), Status::OK);  // unknown type: reserved
    EXPECT_EQ(m.at(0).type, MemType::RESERVED);
}

TEST(MemoryMap, ReserveCarvesRamOutwardToPages)
{
    MemoryMap m;
    ASSERT_EQ(m.add(0, 0x1000000, 1), Status::OK);
    ASSERT_EQ(m.reserve(0x200800, 0x300010), Status::OK);
    EXPECT_EQ(m.count(), 3u);
    EXPECT_EQ(m.at(1).base, 0x200000u);
    EXPECT_EQ(m.at(1).end, 0x301000u);
    EXPECT_EQ(m.total_ram(), 0x1000000u - 0x101000u);
}

TEST(MemoryMap, TakeUsesHighestRamBelowLimit)
{
    MemoryMap m;
    ASSERT_EQ(m.add(0, 0x800000, 1), Status::OK);
    ASSERT_EQ(m.add(0x1000000, 0x1000000, 1), Status::OK);
    uint64_t a = m.take(0x3000, 0x1000, ~0ull);
    EXPECT_EQ(a, 0x1ffd000u);
    uint64_t b = m.take(0x200000, 0x200000, 0x1000000);
    EXPECT_EQ(b, 0x600000u);
    EXPECT_EQ(m.take(0x10000000, 0x1000, ~0ull), 0u);  // too big
    EXPECT_EQ(m.total_ram(), 0x1800000u - 0x3000u - 0x200000u);
}
