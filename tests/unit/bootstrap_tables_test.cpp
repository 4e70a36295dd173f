#include "hv/core/bootstrap_tables.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <vector>

using namespace vireo;

namespace {

// A fake machine: frames in one array, mfn = index + 0x100 so that pfn and
// mfn differ, and a shuffled p2m.
struct FakeMachine {
    static constexpr uint64_t kBase = 0x100;
    std::vector<uint8_t> memory;
    std::vector<uint64_t> p2m;
    explicit FakeMachine(uint64_t pages) : memory(pages * 4096, 0xaa), p2m(pages)
    {
        for (uint64_t i = 0; i < pages; ++i)
            p2m[i] = kBase + (pages - 1 - i);  // reversed: pfn != mfn - base
    }
};

FakeMachine* g_machine;
uint64_t mfn_of(const void* ctx, uint64_t pfn) { return static_cast<const FakeMachine*>(ctx)->p2m[pfn]; }
void* map(uint64_t maddr) { return &g_machine->memory[((maddr >> 12) - FakeMachine::kBase) * 4096]; }
void fill_slots(uint64_t* l4) { l4[256] = 0xdead000 | 1; }

uint64_t* frame(uint64_t mfn) { return reinterpret_cast<uint64_t*>(&g_machine->memory[(mfn - FakeMachine::kBase) * 4096]); }

// Walks the written tables the way the MMU would.
uint64_t walk(uint64_t l4_maddr, uint64_t va)
{
    uint64_t e = l4_maddr | 1;
    for (unsigned shift : {39u, 30u, 21u, 12u}) {
        if (!(e & 1))
            return 0;
        e = frame(e >> 12 & 0xffffffffff)[(va >> shift) & 511];
    }
    return e;
}

}  // namespace

TEST(BootstrapTables, CountsForLinuxStyleWindow)
{
    TableCounts c = bootstrap_table_count(0xffffffff80000000, 0xffffffff80800000);  // 8 MiB
    EXPECT_EQ(c.l4, 1u);
    EXPECT_EQ(c.l3, 1u);
    EXPECT_EQ(c.l2, 1u);
    EXPECT_EQ(c.l1, 4u);
    // Crossing a 1 GiB boundary needs a second L2.
    c = bootstrap_table_count(0xffffffffbfe00000, 0xffffffffc0200000);
    EXPECT_EQ(c.l2, 2u);
    EXPECT_EQ(c.l1, 2u);
}

TEST(BootstrapTables, MapsWindowOneToOneWithTablesReadOnly)
{
    const uint64_t pages = 2048;  // 8 MiB
    FakeMachine m(pages);
    g_machine = &m;
    BootstrapWindow w{0xffffffff80000000, 0xffffffff80000000 + pages * 4096, 100, 7};
    BootstrapTarget t{mfn_of, &m, pages, map, fill_slots};
    uint64_t l4 = 0;
    ASSERT_EQ(write_bootstrap_tables(w, t, l4), Status::OK);
    EXPECT_EQ(l4, m.p2m[100] << 12);
    EXPECT_EQ(frame(l4 >> 12)[256], 0xdead001u);
    for (uint64_t pfn = 0; pfn < pages; ++pfn) {
        uint64_t e = walk(l4, w.v_start + pfn * 4096);
        ASSERT_EQ(e >> 12 & 0xffffffffff, m.p2m[pfn]) << pfn;
        bool table = pfn >= 100 && pfn < 107;
        EXPECT_EQ((e & 2) != 0, !table) << pfn;  // RW except the tables
        EXPECT_TRUE(e & 4);                      // user: the guest kernel is ring 3
    }
    // Nothing outside the window is mapped.
    EXPECT_EQ(walk(l4, w.v_end) & 1, 0u);
    EXPECT_EQ(walk(l4, w.v_start - 4096) & 1, 0u);
}

TEST(BootstrapTables, RefusesMalformedWindows)
{
    FakeMachine m(64);
    g_machine = &m;
    BootstrapTarget t{mfn_of, &m, 64, map, fill_slots};
    uint64_t l4 = 0;
    uint64_t base = 0xffffffff80000000;
    EXPECT_EQ(write_bootstrap_tables({base + 1, base + 64 * 4096, 0, 4}, t, l4), Status::INVALID);   // unaligned
    EXPECT_EQ(write_bootstrap_tables({base, base, 0, 4}, t, l4), Status::INVALID);                    // empty
    EXPECT_EQ(write_bootstrap_tables({base, base + 65 * 4096, 0, 4}, t, l4), Status::INVALID);       // > nr_pages
    EXPECT_EQ(write_bootstrap_tables({base, base + 64 * 4096, 0, 3}, t, l4), Status::INVALID);       // wrong count
    EXPECT_EQ(write_bootstrap_tables({base, base + 64 * 4096, 62, 4}, t, l4), Status::INVALID);      // tables past end
    EXPECT_EQ(write_bootstrap_tables({0x00007ffffffff000, 0x0000800000001000, 0, 4}, t, l4), Status::INVALID);
}

TEST(BootstrapTables, CountsForAP2mListApart)
{
    TableCounts c = p2m_table_count(0x8000000000, 128);  // a 256 MiB domain's list at 512 GiB
    EXPECT_EQ(c.l4, 0u);                                // it shares the window's L4
    EXPECT_EQ(c.total(), 3u);
    // Straddling an L4 slot boundary needs a table of each level on each side.
    c = p2m_table_count(0x8000000000 - 4096, 2);
    EXPECT_EQ(c.l3, 2u);
    EXPECT_EQ(c.l2, 2u);
    EXPECT_EQ(c.l1, 2u);
    EXPECT_EQ(p2m_table_count(0x8000000000, 0).total(), 0u);
}

TEST(BootstrapTables, MapsP2mListApartWithItsOwnTables)
{
    // Xen's builders' layout under INIT_P2M: window frames 0..2047, then the
    // list's 3 frames, then its L3, L2 and L1; nr_pt_frames stays the
    // window's 7.
    const uint64_t window = 2048, pages = window + 3 + 3 + 10;
    FakeMachine m(pages);
    g_machine = &m;
    BootstrapWindow w{0xffffffff80000000, 0xffffffff80000000 + window * 4096, 100, 7, 0x8000000000, window, 3};
    BootstrapTarget t{mfn_of, &m, pages, map, fill_slots};
    uint64_t l4 = 0;
    ASSERT_EQ(write_bootstrap_tables(w, t, l4), Status::OK);
    EXPECT_EQ(l4, m.p2m[100] << 12);
    // L4 slot 1 leads to the list's L3, then its L2 and L1.
    uint64_t l3e = frame(l4 >> 12)[1];
    ASSERT_EQ(l3e >> 12, m.p2m[window + 3]);
    uint64_t l2e = frame(l3e >> 12)[0];
    ASSERT_EQ(l2e >> 12, m.p2m[window + 4]);
    ASSERT_EQ(frame(l2e >> 12)[0] >> 12, m.p2m[window + 5]);
    for (uint64_t i = 0; i < 3; ++i) {
        uint64_t e = walk(l4, w.p2m_va + i * 4096);
        ASSERT_EQ(e >> 12 & 0xffffffffff, m.p2m[window + i]) << i;
        EXPECT_TRUE(e & 2);  // the list is read-write, as Xen maps it
    }
    EXPECT_EQ(walk(l4, w.p2m_va + 3 * 4096) & 1, 0u);
    EXPECT_EQ(walk(l4, w.p2m_va - 4096) & 1, 0u);
    // The window is unchanged: 1:1, tables read-only, nothing past its end.
    for (uint64_t pfn = 0; pfn < window; ++pfn) {
        uint64_t e = walk(l4, w.v_start + pfn * 4096);
        ASSERT_EQ(e >> 12 & 0xffffffffff, m.p2m[pfn]) << pfn;
        EXPECT_EQ((e & 2) != 0, !(pfn >= 100 && pfn < 107)) << pfn;
    }
    EXPECT_EQ(walk(l4, w.v_end) & 1, 0u);
    EXPECT_EQ(frame(l4 >> 12)[256], 0xdead001u);
}

TEST(BootstrapTables, RefusesMalformedP2mAreas)
{
    const uint64_t window = 64, pages = 80;
    FakeMachine m(pages);
    g_machine = &m;
    BootstrapTarget t{mfn_of, &m, pages, map, fill_slots};
    uint64_t l4 = 0;
    const uint64_t base = 0xffffffff80000000, end = base + window * 4096;
    auto with = [&](uint64_t va, uint64_t pfn, uint64_t n) { return BootstrapWindow{base, end, 0, 4, va, pfn, n}; };
    EXPECT_EQ(write_bootstrap_tables(with(0x8000000000, window, 2), t, l4), Status::OK);
    EXPECT_EQ(write_bootstrap_tables(with(0x8000000800, window, 2), t, l4), Status::INVALID);        // unaligned
    EXPECT_EQ(write_bootstrap_tables(with(0x8000000000, window, 0), t, l4), Status::INVALID);        // empty
    EXPECT_EQ(write_bootstrap_tables(with(0xffffff8000000000, window, 2), t, l4), Status::INVALID);  // window's slot
    EXPECT_EQ(write_bootstrap_tables(with(0x00007ffffffff000, window, 2), t, l4), Status::INVALID);  // non-canonical
    EXPECT_EQ(write_bootstrap_tables(with(0x8000000000, window - 1, 2), t, l4), Status::INVALID);    // in the window
    EXPECT_EQ(write_bootstrap_tables(with(0x8000000000, window, 14), t, l4), Status::INVALID);       // tables past end
    EXPECT_EQ(write_bootstrap_tables(with(0x8000000000, window, ~uint64_t{0} >> 1), t, l4), Status::INVALID);
}
