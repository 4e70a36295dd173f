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

    // Zero every table frame.
    for (uint64_t i = 0; i < w.pt_frames; ++i)
        __builtin_memset(t.map_machine(t.mfn_of(t.ctx, w.pt_pfn + i) << 12), 0, 4096);

    // First table pfn of each level, in the order L4, L3s, L2s, L1s.
    uint64_t first[4] = {w.pt_pfn, w.pt_pfn + c.l4, w.pt_pfn + c.l4 + c.l3, w.pt_pfn + c.l4 + c.l3 + c.l2};
    auto table_of = [&](unsigned lvl, uint64_t va) -> uint64_t* {
        uint64_t idx = lvl == 0 ? 0 : (va >> (kShift[lvl] + 9)) - (w.v_start >> (kShift[lvl] + 9));
        return static_cast<uint64_t*>(t.map_machine(t.mfn_of(t.ctx, first[lvl] + idx) << 12));
    };
    auto table_mfn = [&](unsigned lvl, uint64_t va) -> uint64_t {
        uint64_t idx = (va >> (kShift[lvl] + 9)) - (w.v_start >> (kShift[lvl] + 9));
        return t.mfn_of(t.ctx, first[lvl] + idx);
    };

    for (uint64_t va = w.v_start; va < w.v_end; va += 4096) {
        // Link each level to the next (idempotent for the same va range).
        for (unsigned lvl = 0; lvl < 3; ++lvl) {
            uint64_t* tbl = table_of(lvl, va);
            unsigned idx = (va >> kShift[lvl]) & 511;
            tbl[idx] = (table_mfn(lvl + 1, va) << 12) | kTableFlags;
        }
        uint64_t pfn = (va - w.v_start) >> 12;
        bool is_table = pfn >= w.pt_pfn && pfn < w.pt_pfn + w.pt_frames;
        uint64_t flags = kPresent | kUser | kAccessed | (is_table ? 0 : kWrite | kDirty);
        table_of(3, va)[(va >> 12) & 511] = (t.mfn_of(t.ctx, pfn) << 12) | flags;
    }

    uint64_t* l4 = table_of(0, w.v_start);
    t.fill_hypervisor_slots(l4);
    l4_maddr = t.mfn_of(t.ctx, w.pt_pfn) << 12;
    return Status::OK;
}

}  // namespace vireo
