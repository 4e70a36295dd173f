#include "guest/lib/mm.hpp"

#include "guest/lib/runtime.hpp"

namespace guest {
namespace {

constexpr uint64_t kAddrMask = 0x000ffffffffff000ull;
constexpr uint64_t kSpareSkip = 8;  // leave the first frames beyond the window to other users

BootWindow g_window;
uint64_t* g_p2m;
uint64_t g_scratch_mfn;  // the scratch page's own frame

const uint64_t* table_at(uint64_t mfn) { return reinterpret_cast<const uint64_t*>(va_of_mfn(mfn)); }

}  // namespace

const BootWindow& mm_init(const xen::start_info* si)
{
    g_p2m = reinterpret_cast<uint64_t*>(si->mfn_list);
    uint64_t after = si->pt_base + si->nr_pt_frames * 4096 + 4096;  // past the boot stack
    uint64_t v_end = (after + (4ull << 20) - 1) & ~((4ull << 20) - 1);
    if (v_end - after < (512u << 10))
        v_end += 4ull << 20;
    g_window = BootWindow{si->pt_base, v_end, (v_end - kVirtBase) >> 12, si->nr_pages};
    g_scratch_mfn = mfn_of_va(padding_va(1));
    return g_window;
}

const BootWindow& boot_window() { return g_window; }

uint64_t pfn_to_mfn(uint64_t pfn) { return g_p2m[pfn]; }

void set_pfn_to_mfn(uint64_t pfn, uint64_t mfn) { g_p2m[pfn] = mfn; }

uint64_t mfn_of_va(uint64_t va) { return g_p2m[(va - kVirtBase) >> 12]; }

uint64_t m2p(uint64_t mfn) { return reinterpret_cast<const volatile uint64_t*>(xen::MACH2PHYS_VIRT_START)[mfn]; }

uint64_t va_of_mfn(uint64_t mfn) { return kVirtBase + (m2p(mfn) << 12); }

uint64_t spare_mfn(unsigned n) { return g_p2m[g_window.window_pages + kSpareSkip + n]; }

uint64_t padding_va(unsigned n) { return g_window.v_end - uint64_t{n} * 4096; }

uint64_t entry_maddr(uint64_t va, unsigned level)
{
    uint64_t table = mfn_of_va(g_window.l4_va);
    for (unsigned l = 4; l > level; --l) {
        uint64_t e = table_at(table)[(va >> (12 + 9 * (l - 1))) & 511];
        table = (e & kAddrMask) >> 12;
    }
    return (table << 12) + ((va >> (12 + 9 * (level - 1))) & 511) * 8;
}

long mmu_update(uint64_t ptr, uint64_t val, uint16_t foreigndom)
{
    xen::mmu_update req{ptr, val};
    return hypercall(xen::HYPERVISOR_mmu_update, guest::ptr(&req), 1, 0, foreigndom);
}

long mmuext(uint32_t cmd, uint64_t arg1, uint64_t arg2)
{
    xen::mmuext_op op{cmd, 0, arg1, arg2};
    return hypercall(xen::HYPERVISOR_mmuext_op, ptr(&op), 1, 0, xen::DOMID_SELF);
}

long update_va(uint64_t va, uint64_t val, uint64_t flags)
{
    return hypercall(xen::HYPERVISOR_update_va_mapping, va, val, flags);
}

long clear_frame(uint64_t mfn) { return mmuext(xen::MMUEXT_CLEAR_PAGE, mfn); }

uint64_t* scratch_open(uint64_t mfn, long* r)
{
    long rc = update_va(padding_va(1), (mfn << 12) | kPteData);
    if (r)
        *r = rc;
    return rc == 0 ? reinterpret_cast<uint64_t*>(padding_va(1)) : nullptr;
}

const uint64_t* scratch_peek(uint64_t mfn, long* r)
{
    long rc = update_va(padding_va(1), (mfn << 12) | kPteRo);
    if (r)
        *r = rc;
    return rc == 0 ? reinterpret_cast<const uint64_t*>(padding_va(1)) : nullptr;
}

long scratch_close() { return update_va(padding_va(1), (g_scratch_mfn << 12) | kPteData); }

long fill_frame(uint64_t mfn, const unsigned* index, const uint64_t* entries, unsigned n)
{
    long r;
    uint64_t* page = scratch_open(mfn, &r);
    if (!page)
        return r;
    __builtin_memset(page, 0, 4096);
    for (unsigned i = 0; i < n; ++i)
        page[index[i]] = entries[i];
    return scratch_close();
}

}  // namespace guest
