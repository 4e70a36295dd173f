// The page-table rules on the fake machine (fake_machine.hpp): frames are an
// array, the platform's map_machine points into it. Table-driven where it
// can be.
#include "hv/core/page_tables.hpp"

#include <gtest/gtest.h>

#include "hv/core/frame_allocator.hpp"
#include "hv/core/mmio_ro.hpp"
#include "tests/unit/fake_machine.hpp"

using namespace vireo;

namespace {

constexpr uint64_t P = 1, RW = 2, U = 4, PS = 0x80, G = 0x100;
constexpr uint64_t kFrames = test::kFakeFrames;

class PageTables : public test::FakeMachine {
protected:
    void SetUp() override { start(base_ops(), "test"); }
};

}  // namespace

TEST_F(PageTables, L1WritableMappingTypesTheTargetWritable)
{
    Mfn l1 = alloc(), data = alloc();
    table(l1)[0] = (data.raw << 12) | P | RW;
    table(l1)[1] = (data.raw << 12) | P;
    ASSERT_EQ(type(l1, PageType::L1), Status::OK);
    EXPECT_EQ(info(data).type, PageType::WRITABLE);
    EXPECT_EQ(info(data).type_count, 1u);
    EXPECT_EQ(info(data).count, 3u);  // owner + two mappings
    EXPECT_TRUE(table(l1)[0] & U);    // user bit forced
    ASSERT_EQ(untype(l1), Status::OK);
    EXPECT_EQ(info(data).type_count, 0u);
    EXPECT_EQ(info(data).count, 1u);
}

TEST_F(PageTables, APageTableCanNeverBeMappedWritable)
{
    Mfn l1 = alloc(), other = alloc();
    ASSERT_EQ(type(other, PageType::L1), Status::OK);  // an (empty) L1
    table(l1)[5] = (other.raw << 12) | P | RW;
    EXPECT_EQ(type(l1, PageType::L1), Status::BUSY);
    EXPECT_EQ(info(l1).type_count, 0u);                // failed: untyped
    EXPECT_EQ(info(other).count, 1u);                  // no reference leaked
    table(l1)[5] = (other.raw << 12) | P;              // read-only is fine
    EXPECT_EQ(type(l1, PageType::L1), Status::OK);
}

TEST_F(PageTables, WritableFramesCannotBecomeTables)
{
    Mfn l1 = alloc(), victim = alloc();
    table(l1)[0] = (victim.raw << 12) | P | RW;
    ASSERT_EQ(type(l1, PageType::L1), Status::OK);
    EXPECT_EQ(type(victim, PageType::L1), Status::BUSY);
}

TEST_F(PageTables, RefusedEntries)
{
    struct Case {
        const char* what;
        unsigned level;
        uint64_t flags;
        bool foreign;
        bool beyond_ram;
        Status expected;
    };
    const Case cases[] = {
        {"global bit in L1", 1, P | G, false, false, Status::INVALID},
        {"cache attributes without I/O rights", 1, P | 0x10, false, false, Status::INVALID},
        {"frame of another owner", 1, P, true, false, Status::BUSY},
        {"frame beyond RAM for a domU", 1, P, false, true, Status::PERMISSION},
        {"superpage in L2", 2, P | PS, false, false, Status::INVALID},
        {"superpage in L3", 3, P | PS, false, false, Status::INVALID},
    };
    for (const Case& c : cases) {
        Mfn t = alloc(), target = alloc();
        if (c.foreign)
            frame_table().set_owner_unchecked(target, kOwnerHypervisor);
        uint64_t mfn = c.beyond_ram ? kFrames + 10 : target.raw;
        table(t)[7] = (mfn << 12) | c.flags;
        EXPECT_EQ(type(t, table_type(c.level)), c.expected) << c.what;
        EXPECT_EQ(info(t).type_count, 0u) << c.what;
    }
}

TEST_F(PageTables, RecursiveValidationAndUnwinding)
{
    Mfn l4 = alloc(), l3 = alloc(), l2 = alloc(), l1 = alloc(), data = alloc(), bad_l1 = alloc();
    table(l4)[511] = (l3.raw << 12) | P | RW;
    table(l3)[510] = (l2.raw << 12) | P | RW;
    table(l2)[0] = (l1.raw << 12) | P | RW;
    table(l2)[1] = (bad_l1.raw << 12) | P | RW;
    table(l1)[0] = (data.raw << 12) | P | RW;
    table(bad_l1)[3] = (l4.raw << 12) | P | RW;  // maps the L4 writable
    EXPECT_NE(type(l4, PageType::L4), Status::OK);
    for (Mfn m : {l4, l3, l2, l1, data, bad_l1}) {
        EXPECT_EQ(info(m).type_count, 0u) << m.raw;
        EXPECT_EQ(info(m).count, 1u) << m.raw;  // every reference given back
    }
    table(bad_l1)[3] = (l4.raw << 12) | P;  // read-only: allowed
    ASSERT_EQ(type(l4, PageType::L4), Status::OK);
    EXPECT_EQ(info(l3).type, PageType::L3);
    EXPECT_EQ(info(l1).type, PageType::L1);
    EXPECT_EQ(table(l4)[256], 0xabc000u | P);  // hypervisor slot filled
    ASSERT_EQ(untype(l4), Status::OK);
    for (Mfn m : {l4, l3, l2, l1, data, bad_l1})
        EXPECT_EQ(info(m).count, 1u) << m.raw;
}

TEST_F(PageTables, LoopsOfTablesAreRefused)
{
    // L4 -> L3 -> (the L4 again as if it were an L2): types clash.
    Mfn l4 = alloc(), l3 = alloc();
    table(l4)[1] = (l3.raw << 12) | P | RW;
    table(l3)[0] = (l4.raw << 12) | P | RW;
    EXPECT_NE(type(l4, PageType::L4), Status::OK);
    EXPECT_EQ(info(l4).type_count, 0u);
    EXPECT_EQ(info(l3).type_count, 0u);
}

TEST_F(PageTables, ReadOnlySelfMappingL4IsAllowed)
{
    Mfn l4 = alloc();
    table(l4)[300] = (l4.raw << 12) | P;  // Xen's recursive mapping
    ASSERT_EQ(type(l4, PageType::L4), Status::OK);
    table(l4)[300] = 0;
    Mfn l4b = alloc();
    table(l4b)[300] = (l4b.raw << 12) | P | RW;  // writable: refused
    EXPECT_NE(type(l4b, PageType::L4), Status::OK);
}

TEST_F(PageTables, UpdateEntryTakesNewBeforeDroppingOld)
{
    Mfn l1 = alloc(), a = alloc(), b = alloc();
    ASSERT_EQ(type(l1, PageType::L1), Status::OK);
    ASSERT_EQ(update_table_entry(*d, l1, 4, (a.raw << 12) | P | RW, false, d->id), Status::OK);
    EXPECT_EQ(info(a).type, PageType::WRITABLE);
    ASSERT_EQ(update_table_entry(*d, l1, 4, (b.raw << 12) | P, false, d->id), Status::OK);
    EXPECT_EQ(info(a).type_count, 0u);
    EXPECT_EQ(info(a).count, 1u);
    EXPECT_EQ(info(b).count, 2u);
    // A refused update leaves the old entry in place.
    EXPECT_EQ(update_table_entry(*d, l1, 4, (l1.raw << 12) | P | RW, false, d->id), Status::BUSY);
    EXPECT_EQ(table(l1)[4] >> 12, b.raw);
    // Hypervisor slots of an L4 are never the guest's to change.
    Mfn l4 = alloc();
    ASSERT_EQ(type(l4, PageType::L4), Status::OK);
    EXPECT_EQ(update_table_entry(*d, l4, 260, 0, false, d->id), Status::INVALID);
    // Preserving A/D keeps what the CPU set.
    table(l1)[4] |= 0x60;
    ASSERT_EQ(update_table_entry(*d, l1, 4, (b.raw << 12) | P, true, d->id), Status::OK);
    EXPECT_EQ(table(l1)[4] & 0x60, 0x60u);
}

// Firmware and device frames below the top of RAM belong to DOMID_IO: a
// privileged domain maps them (any permissions, cache attributes too)
// without references; a domU may not; nobody may use one as a table.
TEST_F(PageTables, IoFramesAreDeviceMemoryForPrivilegedDomainsOnly)
{
    Mfn io = alloc();
    frame_table().set_owner_unchecked(io, kOwnerIo);
    uint32_t count_before = info(io).count;
    {
        Mfn t = alloc();
        table(t)[3] = (io.raw << 12) | P | RW;
        EXPECT_EQ(type(t, PageType::L1), Status::PERMISSION);
    }
    d->privileged = true;
    Mfn t = alloc();
    table(t)[3] = (io.raw << 12) | P | RW | 0x10;  // PCD
    ASSERT_EQ(type(t, PageType::L1), Status::OK);
    EXPECT_EQ(info(io).count, count_before);  // no reference taken
    EXPECT_EQ(info(io).type_count, 0u);
    Mfn l2 = alloc();
    table(l2)[0] = (io.raw << 12) | P;
    EXPECT_EQ(type(l2, PageType::L2), Status::INVALID);
    ASSERT_EQ(untype(t), Status::OK);
    EXPECT_EQ(info(io).count, count_before);
    d->privileged = false;
}

// An MSI-X table frame (mmio_ro.hpp) is mapped read-only whatever the entry
// asks, as Xen does; its neighbours keep what they asked for.
TEST_F(PageTables, ReadOnlyDeviceMemoryIsMappedWithoutRw)
{
    constexpr uint64_t kTable = 0xfebf0, kBeside = 0xfebf1;
    mmio_ro_reset();
    ASSERT_EQ(mmio_ro_add(kTable, kTable), Status::OK);
    d->privileged = true;
    Mfn t = alloc();
    table(t)[0] = (kTable << 12) | P | RW;
    table(t)[1] = (kBeside << 12) | P | RW;
    ASSERT_EQ(type(t, PageType::L1), Status::OK);
    EXPECT_EQ(table(t)[0] & (P | RW), P);
    EXPECT_EQ(table(t)[1] & (P | RW), P | RW);
    uint64_t entry = (kTable << 12) | P | RW;
    ASSERT_EQ(update_table_entry(*d, t, 2, entry, false, d->id), Status::OK);
    EXPECT_EQ(table(t)[2] & (P | RW), P);
    ASSERT_EQ(untype(t), Status::OK);
    d->privileged = false;
    mmio_ro_reset();
}
