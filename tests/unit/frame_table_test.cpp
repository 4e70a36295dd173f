#include "hv/core/frame_allocator.hpp"
#include "hv/core/frame_table.hpp"

#include <gtest/gtest.h>

#include <set>
#include <vector>

using namespace vireo;

namespace {

struct CountingValidator final : TypeValidator {
    Status answer = Status::OK;
    int validated = 0, invalidated = 0;
    Status validate(Mfn, PageType) override
    {
        ++validated;
        return answer;
    }
    void invalidate(Mfn, PageType) override { ++invalidated; }
};

struct Fixture {
    std::vector<PageInfo> entries;
    FrameTable table;
    MemoryMap map;
    FrameAllocator alloc;
    explicit Fixture(uint64_t frames) : entries(frames)
    {
        table.init(entries.data(), frames);
        EXPECT_EQ(map.add(0, frames * 4096, 1), Status::OK);
        EXPECT_EQ(map.reserve(0, 4 * 4096), Status::OK);  // the first 4 frames are kept
        alloc.init(table, map);
    }
};

}  // namespace

TEST(FrameAllocator, HandsOutEveryRamFrameOnceAndNeverReserved)
{
    Fixture f(64);
    EXPECT_EQ(f.alloc.free_frames(), 60u);
    std::set<uint64_t> seen;
    for (int i = 0; i < 60; ++i) {
        auto r = f.alloc.alloc(1);
        ASSERT_TRUE(r.ok());
        EXPECT_GE(r.value().raw, 4u);
        EXPECT_TRUE(seen.insert(r.value().raw).second);
        EXPECT_EQ(f.table.get(r.value())->owner, 1);
    }
    EXPECT_EQ(f.alloc.alloc(1).status(), Status::NO_MEMORY);
    for (uint64_t m : seen)
        ASSERT_EQ(f.alloc.free(Mfn(m), 1), Status::OK);
    EXPECT_EQ(f.alloc.free_frames(), 60u);
}

TEST(FrameAllocator, FreeRefusesWrongOwnerAndHeldFrames)
{
    Fixture f(16);
    Mfn m = f.alloc.alloc(3).value();
    EXPECT_EQ(f.alloc.free(m, 4), Status::BUSY);
    ASSERT_EQ(f.table.get_page(m, 3), Status::OK);  // a mapping holds it
    EXPECT_EQ(f.alloc.free(m, 3), Status::BUSY);
    ASSERT_EQ(f.table.put_page(m), Status::OK);
    EXPECT_EQ(f.alloc.free(m, 3), Status::OK);
    EXPECT_EQ(f.alloc.free(m, 3), Status::BUSY);  // double free
}

TEST(FrameTable, TypesAreExclusiveAndValidatedOnce)
{
    Fixture f(16);
    CountingValidator v;
    Mfn m = f.alloc.alloc(1).value();
    ASSERT_EQ(f.table.get_type(m, PageType::L1, &v), Status::OK);
    ASSERT_EQ(f.table.get_type(m, PageType::L1, &v), Status::OK);
    EXPECT_EQ(v.validated, 1);
    EXPECT_EQ(f.table.get_type(m, PageType::WRITABLE, &v), Status::BUSY);
    ASSERT_EQ(f.table.put_type(m, &v), Status::OK);
    EXPECT_EQ(v.invalidated, 0);
    ASSERT_EQ(f.table.put_type(m, &v), Status::OK);
    EXPECT_EQ(v.invalidated, 1);
    EXPECT_EQ(f.table.get_type(m, PageType::WRITABLE, &v), Status::OK);
    EXPECT_EQ(f.table.get_type(m, PageType::L2, &v), Status::BUSY);
}

TEST(FrameTable, FailedValidationLeavesFrameUntyped)
{
    Fixture f(16);
    CountingValidator v;
    v.answer = Status::INVALID;
    Mfn m = f.alloc.alloc(1).value();
    EXPECT_EQ(f.table.get_type(m, PageType::L4, &v), Status::INVALID);
    EXPECT_EQ(f.table.get(m)->type, PageType::NONE);
    EXPECT_EQ(f.table.get(m)->type_count, 0u);
    EXPECT_EQ(f.table.get_type(m, PageType::WRITABLE, &v), Status::OK);
}

TEST(FrameTable, RefusesForeignOwnerAndUnderflow)
{
    Fixture f(16);
    Mfn m = f.alloc.alloc(1).value();
    EXPECT_EQ(f.table.get_page(m, 2), Status::PERMISSION);
    EXPECT_EQ(f.table.put_page(m), Status::INVALID);     // only the owner's ref left
    EXPECT_EQ(f.table.put_type(m, nullptr), Status::INVALID);
    EXPECT_EQ(f.table.get_page(Mfn(999), 1), Status::RANGE);
}

namespace {
std::vector<uint64_t> g_reclaimed;
void record_reclaim(Mfn mfn, uint16_t) { g_reclaimed.push_back(mfn.raw); }
}  // namespace

// A frame given back (its allocation reference dropped) while held is
// reclaimed exactly when the last general or type reference goes.
TEST(FrameTable, AFrameGivenBackIsReclaimedWithItsLastReference)
{
    std::vector<PageInfo> entries(16);
    FrameTable table(record_reclaim, nullptr);
    table.init(entries.data(), 16);
    MemoryMap map;
    ASSERT_EQ(map.add(0, 16 * 4096, 1), Status::OK);
    FrameAllocator alloc;
    alloc.init(table, map);
    CountingValidator v;
    g_reclaimed.clear();

    Mfn idle = alloc.alloc(1).value();
    EXPECT_EQ(table.drop_allocation(idle, 2), Status::INVALID);  // not its owner's
    ASSERT_EQ(table.drop_allocation(idle, 1), Status::OK);
    EXPECT_EQ(g_reclaimed, std::vector<uint64_t>{idle.raw});  // nothing held it
    ASSERT_EQ(alloc.free(idle, 1), Status::OK);

    g_reclaimed.clear();
    Mfn m = alloc.alloc(1).value();
    ASSERT_EQ(table.get_page(m, 1), Status::OK);
    ASSERT_EQ(table.get_type(m, PageType::L1, &v), Status::OK);
    ASSERT_EQ(table.drop_allocation(m, 1), Status::OK);
    EXPECT_EQ(table.drop_allocation(m, 1), Status::INVALID);  // given back already
    EXPECT_EQ(alloc.free(m, 1), Status::BUSY);                 // still held
    ASSERT_EQ(table.get_page(m, 1), Status::OK);                // the owner may still take references
    ASSERT_EQ(table.put_page(m), Status::OK);
    ASSERT_EQ(table.put_page(m), Status::OK);
    EXPECT_TRUE(g_reclaimed.empty());  // the type reference holds it
    ASSERT_EQ(table.put_type(m, &v), Status::OK);
    EXPECT_EQ(v.invalidated, 1);
    EXPECT_EQ(g_reclaimed, std::vector<uint64_t>{m.raw});
    EXPECT_EQ(table.put_page(m), Status::INVALID);  // no reference left to drop
    ASSERT_EQ(alloc.free(m, 1), Status::OK);
    EXPECT_EQ(table.get(m)->owner, kOwnerFree);
}
