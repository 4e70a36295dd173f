#include "hv/core/bootstrap_tables.hpp"
#include "lib/types.hpp"

namespace vireo {
namespace {

constexpr uint64_t kPresent = 1, kWrite = 2, kUser = 4, kAccessed = 0x20, kDirty = 0x40;
// Guest kernels run in ring 3, so every level carries the user bit.
constexpr uint64_t kTableFlags = kPresent | kWrite | kUser | kAccessed;

constexpr unsigned kShift[4] = {39, 30, 21, 12};  // L4, L3, L2, L1

// The number of distinct level-`lvl` tables covering [s, e): each table
// maps 1 << (kShift[lvl] + 9) bytes.
uint64_t tables_at(unsigned lvl, uint64_t s, uint64_t e)
{
    if (lvl == 0)
        return 1;
    unsigned span = kShift[lvl] + 9;
    return ((e - 1) >> span) - (s >> span) + 1;
}

}  // namespace

TableCounts bootstrap_table_count(uint64_t v_start, uint64_t v_end)
{
    if (v_end <= v_start)
        return {0, 0, 0, 0};
    return {1, tables_at(1, v_start, v_end), tables_at(2, v_start, v_end), tables_at(3, v_start, v_end)};
}

TableCounts p2m_table_count(uint64_t va, uint64_t pages)
{
    if (!pages)
        return {0, 0, 0, 0};
    uint64_t end = va + (pages << 12);
    return {0, tables_at(1, va, end), tables_at(2, va, end), tables_at(3, va, end)};
}

namespace {

// One virtually contiguous area: the frames it maps, from data_pfn, and the
// first frame of each level's tables (table_pfn[0] is the one L4).
struct Area {
    uint64_t start, end;
    uint64_t data_pfn;
    uint64_t table_pfn[4];
};

// Writes every entry that maps `a`, each level linked to the next; frames
// in [ro_first, ro_end) (the window's tables) are mapped read-only.
void map_area(const Area& a, const BootstrapTarget& t, uint64_t ro_first, uint64_t ro_end)
{
    auto table_pfn = [&](unsigned lvl, uint64_t va) -> uint64_t {
        if (lvl == 0)
            return a.table_pfn[0];
        unsigned span = kShift[lvl] + 9;
        return a.table_pfn[lvl] + (va >> span) - (a.start >> span);
    };
    auto table = [&](unsigned lvl, uint64_t va) -> uint64_t* {
        return static_cast<uint64_t*>(t.map_machine(t.mfn_of(t.ctx, table_pfn(lvl, va)) << 12));
    };
    for (uint64_t va = a.start; va < a.end; va += 4096) {
        // Link each level to the next (idempotent for the same va range).
        for (unsigned lvl = 0; lvl < 3; ++lvl)
            table(lvl, va)[(va >> kShift[lvl]) & 511] = (t.mfn_of(t.ctx, table_pfn(lvl + 1, va)) << 12) | kTableFlags;
        uint64_t pfn = a.data_pfn + ((va - a.start) >> 12);
        bool ro = pfn >= ro_first && pfn < ro_end;
        uint64_t flags = kPresent | kUser | kAccessed | (ro ? 0 : kWrite | kDirty);
        table(3, va)[(va >> 12) & 511] = (t.mfn_of(t.ctx, pfn) << 12) | flags;
    }
}

}  // namespace

Status write_bootstrap_tables(const BootstrapWindow& w, const BootstrapTarget& t, uint64_t& l4_maddr)
{
    // Validate the window before touching any frame.
    if ((w.v_start | w.v_end) & 0xfff || w.v_end <= w.v_start || !canonical(w.v_start) ||
        !canonical(w.v_end - 1) || (w.v_start >> 47) != ((w.v_end - 1) >> 47))
        return Status::INVALID;
    uint64_t window_pages = (w.v_end - w.v_start) >> 12;
    TableCounts c = bootstrap_table_count(w.v_start, w.v_end);
    if (w.pt_frames != c.total() || window_pages > t.nr_pages || w.pt_pfn + w.pt_frames > window_pages)
        return Status::INVALID;

    // And the p2m area: its own L4 slots (Linux copies the slot into its own
    // L4 and frees the tables under it), frames after the window's.
    TableCounts pc{0, 0, 0, 0};
    uint64_t p2m_end = 0;
    if (w.p2m_va) {
        if (w.p2m_va & 0xfff || !w.p2m_pages || w.p2m_pages > (~uint64_t{0} >> 13))
            return Status::INVALID;
        p2m_end = w.p2m_va + (w.p2m_pages << 12);
        if (p2m_end <= w.p2m_va || !canonical(w.p2m_va) || !canonical(p2m_end - 1) ||
            (w.p2m_va >> 47) != ((p2m_end - 1) >> 47))
            return Status::INVALID;
        if (!((p2m_end - 1) >> 39 < w.v_start >> 39 || w.p2m_va >> 39 > (w.v_end - 1) >> 39))
            return Status::INVALID;
        pc = p2m_table_count(w.p2m_va, w.p2m_pages);
        if (w.p2m_pfn < window_pages || w.p2m_pfn > t.nr_pages ||
            w.p2m_pages + pc.total() > t.nr_pages - w.p2m_pfn)
            return Status::INVALID;
    }

    // Zero every table frame.
    for (uint64_t i = 0; i < w.pt_frames; ++i)
        __builtin_memset(t.map_machine(t.mfn_of(t.ctx, w.pt_pfn + i) << 12), 0, 4096);
    uint64_t p2m_tables = w.p2m_pfn + w.p2m_pages;
    for (uint64_t i = 0; i < pc.total(); ++i)
        __builtin_memset(t.map_machine(t.mfn_of(t.ctx, p2m_tables + i) << 12), 0, 4096);

    // The window's tables in the order L4, L3s, L2s, L1s; the p2m area's
    // L3s, L2s, L1s likewise, under the same L4.
    uint64_t pt_end = w.pt_pfn + w.pt_frames;
    Area window{w.v_start, w.v_end, 0,
                {w.pt_pfn, w.pt_pfn + c.l4, w.pt_pfn + c.l4 + c.l3, w.pt_pfn + c.l4 + c.l3 + c.l2}};
    map_area(window, t, w.pt_pfn, pt_end);
    if (w.p2m_va) {
        Area p2m{w.p2m_va, p2m_end, w.p2m_pfn, {w.pt_pfn, p2m_tables, p2m_tables + pc.l3, p2m_tables + pc.l3 + pc.l2}};
        map_area(p2m, t, w.pt_pfn, pt_end);
    }

    uint64_t* l4 = static_cast<uint64_t*>(t.map_machine(t.mfn_of(t.ctx, w.pt_pfn) << 12));
    t.fill_hypervisor_slots(l4);
    l4_maddr = t.mfn_of(t.ctx, w.pt_pfn) << 12;
    return Status::OK;
}

}  // namespace vireo
