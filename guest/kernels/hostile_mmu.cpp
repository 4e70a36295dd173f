// Hostile page-table calls: a kernel that tries the ways a PV guest could
// reach memory it must not, each refused with Xen's error code while the
// kernel (and the hypervisor) carry on. Every answer is printed as
// "call: result" for the system tests, which hold Vireo and Xen 4.17 to the
// same lines, and checked against Xen 4.17's answer (xen/arch/x86/mm.c):
//   1. its own page tables mapped writable, by update_va_mapping and by
//      mmu_update: -EBUSY (get_page_from_l1e cannot take a writable type);
//   2. frames it does not own: past the end of memory -EPERM (Xen's
//      INVALID_MFN -EINVAL), the hypervisor's -EBUSY;
//   3. the hypervisor's memory: its L4 slots -EINVAL, its pages fault;
//   4. tables that cannot validate (pin): an L1 entry's error as above, a
//      superpage or a higher-level entry that names anything but a table of
//      the level below -EINVAL;
//   5. loops of tables: a table met again at another level is a type clash
//      (-EINVAL); read-only maps of the tables themselves are fine;
//   6. the active base table unpinned (its use by the vCPU keeps it a
//      table), bad base tables -EINVAL;
//   7. a frame given back while still in use, mapped or a pinned table:
//      taken at once (xen/common/memory.c guest_remove_page drops only the
//      allocation reference), still readable through its mapping, and
//      freed, leaving the reservation, only when its last use goes
//      (xen/arch/x86/mm.c put_page -> free_domheap_pages drops tot_pages).
#include "abi/memory.hpp"
#include "abi/mmu.hpp"
#include "abi/xen.hpp"
#include "guest/lib/fault.hpp"
#include "guest/lib/mm.hpp"
#include "guest/lib/runtime.hpp"
#include "guest/lib/time.hpp"

using namespace guest;

const char* const guest::kTestName = "hostile_mmu";

namespace {

constexpr long kEPERM = -1, kESRCH = -3, kEINVAL = -22, kEBUSY = -16;
constexpr uint64_t kAddrMask = 0x000ffffffffff000ull;
constexpr uint64_t kBeyondMemory = 0x7ffffffffull;   // past RAM and the CPU's address width
constexpr uint64_t kInvalidMfn = 0xffffffffffull;    // every address bit set: Xen's INVALID_MFN
constexpr uint64_t kHypervisorImage = 0x200;         // 2 MiB: where both hypervisors load
constexpr uint64_t kDirectMapVa = 0xffff830000001000ull;
constexpr uint64_t kImageVa = 0xffff82d080200000ull;
constexpr uint16_t kAbsentDomain = 5;

struct Tables {
    uint64_t l4, l3, l2, l1;  // the boot tables (l1: the one that maps pt_base)
    uint64_t l4_va, l3_va, l2_va, l1_va;
};
Tables g_t;
unsigned g_next_spare;

uint64_t next_spare() { return spare_mfn(g_next_spare++); }

// An entry of one of our tables, read through the window's mapping of it.
uint64_t read_entry(uint64_t maddr)
{
    return reinterpret_cast<const volatile uint64_t*>(va_of_mfn(maddr >> 12))[(maddr & 0xfff) / 8];
}

void expect(const char* what, long r, long expected)
{
    print("%s: %ld\n", what, r);
    check(r == expected, "%s: %ld, expected %ld", what, r, expected);
}

long pin(uint32_t level, uint64_t mfn) { return mmuext(xen::MMUEXT_PIN_L1_TABLE + level - 1, mfn); }
long unpin(uint64_t mfn) { return mmuext(xen::MMUEXT_UNPIN_TABLE, mfn); }

// A table whose entry 0 is `e0` (and entry 1 `e1`), pinned at `level`.
long pin_table(uint32_t level, uint64_t mfn, uint64_t e0, uint64_t e1 = 0)
{
    const unsigned index[] = {0, 1};
    const uint64_t entries[] = {e0, e1};
    long r = fill_frame(mfn, index, entries, 2);
    check(r == 0, "preparing frame %lx: %ld", mfn, r);
    return pin(level, mfn);
}

// Whether a frame holds no type any more: it can be mapped writable.
bool untyped(uint64_t mfn)
{
    long r;
    bool ok = scratch_open(mfn, &r) != nullptr;
    scratch_close();
    return ok;
}

void read_at(void* va) { (void)*static_cast<volatile uint64_t*>(va); }
void write_same_at(void* va)
{
    volatile uint64_t* p = static_cast<volatile uint64_t*>(va);
    *p = *p;
}

// A probe that must fault with a page fault at `va`.
void expect_page_fault(const char* what, void (*fn)(void*), uint64_t va, bool check_error, uint64_t error)
{
    bool faulted = fault_probe(fn, reinterpret_cast<void*>(va));
    const Fault& f = last_fault();
    if (faulted && f.vector == 14 && f.cr2 == va)
        print("%s: page fault at the address\n", what);
    else
        print("%s: no page fault at %lx (vector %d, cr2 %lx)\n", what, va, static_cast<int>(f.vector), f.cr2);
    check(faulted && f.vector == 14 && f.cr2 == va, "%s: vector %d cr2 %lx", what, static_cast<int>(f.vector),
          f.cr2);
    if (check_error)
        check(f.error == error, "%s: error %lx, expected %lx", what, f.error, error);
}

void own_tables_writable()
{
    expect("update_va_mapping of our L4 writable", update_va(g_t.l4_va, (g_t.l4 << 12) | kPteData), kEBUSY);
    expect("update_va_mapping of our L3 writable", update_va(g_t.l3_va, (g_t.l3 << 12) | kPteData), kEBUSY);
    expect("update_va_mapping of our L2 writable", update_va(g_t.l2_va, (g_t.l2 << 12) | kPteData), kEBUSY);
    expect("update_va_mapping of our L1 writable", update_va(g_t.l1_va, (g_t.l1 << 12) | kPteData), kEBUSY);
    uint64_t pte_l4 = entry_maddr(g_t.l4_va, 1), pte_l1 = entry_maddr(g_t.l1_va, 1);
    expect("mmu_update mapping our L4 writable", mmu_update(pte_l4, (g_t.l4 << 12) | kPteData), kEBUSY);
    expect("mmu_update mapping an L1 writable through itself", mmu_update(pte_l1, (g_t.l1 << 12) | kPteData),
           kEBUSY);
    expect("mmu_update (preserving A/D) mapping our L2 writable",
           mmu_update(entry_maddr(g_t.l2_va, 1) | xen::MMU_PT_UPDATE_PRESERVE_AD, (g_t.l2 << 12) | kPteData),
           kEBUSY);
    // The entries are as they were: read-only.
    const uint64_t* l1 = reinterpret_cast<const uint64_t*>(g_t.l1_va);
    uint64_t e = l1[(pte_l4 & 0xfff) / 8];
    check((e & kAddrMask) >> 12 == g_t.l4 && !(e & kPteRw), "the L4's own entry is now %lx", e);
    // A plain store into the L4 is a write-protection fault (present,
    // write, kernel mode).
    expect_page_fault("a store into our L4", write_same_at, g_t.l4_va + 511 * 8, true, 3);
}

void foreign_frames()
{
    uint64_t scratch = padding_va(1), pte = entry_maddr(scratch, 1);
    expect("update_va_mapping of a frame past the end of memory", update_va(scratch, (kBeyondMemory << 12) | kPteRo),
           kEPERM);
    expect("mmu_update mapping a frame past the end of memory", mmu_update(pte, (kBeyondMemory << 12) | kPteRo),
           kEPERM);
    expect("update_va_mapping of INVALID_MFN", update_va(scratch, (kInvalidMfn << 12) | kPteRo), kEINVAL);
    expect("update_va_mapping of the hypervisor's image", update_va(scratch, (kHypervisorImage << 12) | kPteRo),
           kEBUSY);
    // L4 slot 256 names the hypervisor's own table for the M2P.
    uint64_t xen_table = (reinterpret_cast<const uint64_t*>(g_t.l4_va)[256] & kAddrMask) >> 12;
    print("L4 slot 256 names machine frame %s\n", xen_table ? "non-zero" : "zero");
    expect("update_va_mapping of the hypervisor's M2P table", update_va(scratch, (xen_table << 12) | kPteRo), kEBUSY);
    expect("mmu_update for an absent domain's frames",
           mmu_update(pte, (spare_mfn(0) << 12) | kPteRo, kAbsentDomain), kESRCH);
    expect("mmu_update writing into a hypervisor frame", mmu_update(kHypervisorImage << 12, 0), kEINVAL);
    expect("mmu_update writing into a frame past the end of memory", mmu_update(kBeyondMemory << 12, 0), kEINVAL);
    expect("machphys_update of a hypervisor frame", mmu_update((kHypervisorImage << 12) | xen::MMU_MACHPHYS_UPDATE, 0),
           kEINVAL);
    // None of it changed the scratch page's entry.
    uint64_t now = read_entry(pte);
    check((now & kAddrMask) >> 12 == mfn_of_va(scratch) && (now & kPteRw), "the scratch page's entry is now %lx",
          now);
}

void hypervisor_memory()
{
    uint64_t l4_slots = g_t.l4 << 12;
    const uint64_t* l4 = reinterpret_cast<const uint64_t*>(g_t.l4_va);
    expect("mmu_update clearing L4 slot 256", mmu_update(l4_slots + 256 * 8, 0), kEINVAL);
    expect("mmu_update rewriting L4 slot 271 with its own value", mmu_update(l4_slots + 271 * 8, l4[271]), kEINVAL);
    expect("mmu_update pointing L4 slot 261 at our L3", mmu_update(l4_slots + 261 * 8, (g_t.l3 << 12) | kPteData),
           kEINVAL);
    expect("update_va_mapping in the hypervisor's range",
           update_va(0xffff830000000000ull, (spare_mfn(0) << 12) | kPteRo), kEINVAL);
    expect_page_fault("reading the hypervisor's direct map", read_at, kDirectMapVa, false, 0);
    expect_page_fault("reading the hypervisor's image", read_at, kImageVa, false, 0);
    bool m2p_ok = m2p(g_t.l4) == (g_t.l4_va - kVirtBase) >> 12;
    print("reading the M2P: %s\n", m2p_ok ? "our L4's entry is right" : "wrong");
    check(m2p_ok, "M2P entry of the L4: %lx", m2p(g_t.l4));
    expect_page_fault("writing the M2P", write_same_at, xen::MACH2PHYS_VIRT_START + g_t.l4 * 8, true, 3);

    // An L4 with our entry in a hypervisor slot validates: the slot is
    // ignored and filled with the hypervisor's own.
    uint64_t n = next_spare(), junk = (g_t.l3 << 12) | kPteData;
    const unsigned index[] = {260};
    const uint64_t entries[] = {junk};
    check(fill_frame(n, index, entries, 1) == 0, "preparing the L4");
    long r = pin(4, n);
    const uint64_t* seen = scratch_peek(n);
    bool replaced = seen && seen[260] != junk;
    print("pinning an L4 with our entry in slot 260: %ld, slot %s\n", r, replaced ? "replaced" : "kept");
    check(r == 0 && replaced, "pinning the L4: %ld, slot 260 %lx", r, seen ? seen[260] : 0);
    scratch_close();
    expect("unpinning it", unpin(n), 0);
}

void invalid_tables()
{
    uint64_t data = mfn_of_va(padding_va(3));  // a page the window maps writable
    uint64_t t;
    t = next_spare();
    expect("pinning an L1 that maps our L4 writable", pin_table(1, t, (g_t.l4 << 12) | kPteData), kEBUSY);
    t = next_spare();
    expect("pinning an L1 that maps itself writable", pin_table(1, t, (t << 12) | kPteData), kEBUSY);
    t = next_spare();
    expect("pinning an L1 that maps the hypervisor's image", pin_table(1, t, (kHypervisorImage << 12) | kPteRo),
           kEBUSY);
    t = next_spare();
    expect("pinning an L1 that maps a frame past the end of memory", pin_table(1, t, (kBeyondMemory << 12) | kPteRo),
           kEPERM);
    t = next_spare();
    expect("pinning an L2 with a 2 MiB superpage", pin_table(2, t, (spare_mfn(0) << 12) | kPteData | kPtePs), kEINVAL);
    t = next_spare();
    expect("pinning an L3 with a 1 GiB superpage", pin_table(3, t, (spare_mfn(0) << 12) | kPteData | kPtePs), kEINVAL);
    t = next_spare();
    expect("pinning an L2 naming a writable data page", pin_table(2, t, (data << 12) | kPteData), kEINVAL);
    t = next_spare();
    expect("pinning an L2 naming the hypervisor's image", pin_table(2, t, (kHypervisorImage << 12) | kPteData),
           kEINVAL);
    t = next_spare();
    expect("pinning an L3 naming a frame past the end of memory", pin_table(3, t, (kBeyondMemory << 12) | kPteData),
           kEINVAL);
    t = next_spare();
    expect("pinning an L4 naming our L1 as an L3", pin_table(4, t, (g_t.l1 << 12) | kPteData), kEINVAL);
    expect("pinning the hypervisor's image", pin(1, kHypervisorImage), kEINVAL);
    expect("pinning a frame past the end of memory", pin(1, kBeyondMemory), kEINVAL);
    // An empty L2 entry past the window.
    uint64_t l2_free = (g_t.l2 << 12) + (((boot_window().v_end >> 21) & 511) + 1) * 8;
    expect("mmu_update pointing an L2 entry at the hypervisor's image",
           mmu_update(l2_free, (kHypervisorImage << 12) | kPteData), kEINVAL);
    expect("mmu_update pointing an L2 entry at a writable data page", mmu_update(l2_free, (data << 12) | kPteData),
           kEINVAL);
    // Nothing kept a type: every frame can be mapped writable again.
    bool all = true;
    for (unsigned i = 0; i < g_next_spare; ++i)
        all &= untyped(spare_mfn(i));
    print("frames of the refused tables writable again: %s\n", all ? "yes" : "no");
    check(all, "a refused table kept a type");
}

void loops()
{
    unsigned first = g_next_spare;
    uint64_t a = next_spare(), b = next_spare(), c = next_spare(), e;
    const unsigned i0[] = {0};
    // A (L3) -> B (L2) -> A again, as if A were an L1: A is an L3 (being
    // validated) when B's entry asks it to be an L1.
    e = (a << 12) | kPteData;
    check(fill_frame(b, i0, &e, 1) == 0, "preparing the L2");
    expect("a loop L3 -> L2 -> the L3 (writable)", pin_table(3, a, (b << 12) | kPteData), kEINVAL);
    e = (a << 12) | kPteRo;
    check(fill_frame(b, i0, &e, 1) == 0, "preparing the L2");
    expect("a loop L3 -> L2 -> the L3 (read-only)", pin_table(3, a, (b << 12) | kPteData), kEINVAL);
    expect("an L3 naming itself writable", pin_table(3, a, (a << 12) | kPteData), kEINVAL);
    expect("an L3 naming itself read-only (a self-map)", pin_table(3, a, (a << 12) | kPteRo), 0);
    expect("unpinning it", unpin(a), 0);

    // L2 -> L1 -> the L2: writable is a page table mapped writable; read-
    // only is how a kernel sees its own tables.
    e = (b << 12) | kPteData;
    fill_frame(c, i0, &e, 1);
    expect("a loop L2 -> L1 -> the L2 (writable)", pin_table(2, b, (c << 12) | kPteData), kEBUSY);
    e = (b << 12) | kPteRo;
    fill_frame(c, i0, &e, 1);
    expect("a loop L2 -> L1 -> the L2 (read-only)", pin_table(2, b, (c << 12) | kPteData), 0);
    expect("unpinning it", unpin(b), 0);

    // A second L4 sharing our live L3; one mapping itself.
    uint64_t n = next_spare();
    expect("an L4 sharing our L3, mapping itself read-only",
           pin_table(4, n, (g_t.l3 << 12) | kPteData, (n << 12) | kPteRo), 0);
    expect("unpinning it", unpin(n), 0);
    bool all = true;
    for (unsigned i = first; i < g_next_spare; ++i)
        all &= untyped(spare_mfn(i));
    print("frames of the loops writable again: %s\n", all ? "yes" : "no");
    check(all, "a loop kept a type");
}

void base_tables()
{
    expect("unpinning the active base table", unpin(g_t.l4), 0);
    expect("a mapping change after it", scratch_close(), 0);
    expect("unpinning it again", unpin(g_t.l4), kEINVAL);
    expect("pinning it back", pin(4, g_t.l4), 0);
    expect("new_baseptr to a writable data page", mmuext(xen::MMUEXT_NEW_BASEPTR, mfn_of_va(padding_va(3))), kEINVAL);
    expect("new_baseptr to the hypervisor's image", mmuext(xen::MMUEXT_NEW_BASEPTR, kHypervisorImage), kEINVAL);
    expect("new_baseptr to our L3", mmuext(xen::MMUEXT_NEW_BASEPTR, g_t.l3), kEINVAL);
    expect("new_baseptr past the end of memory", mmuext(xen::MMUEXT_NEW_BASEPTR, kBeyondMemory), kEINVAL);
    expect("new_baseptr to the active base table", mmuext(xen::MMUEXT_NEW_BASEPTR, g_t.l4), 0);
    expect("unpinning our L3 (never pinned)", unpin(g_t.l3), kEINVAL);
}

long reservation(uint64_t op, uint64_t* list)
{
    xen::xen_memory_reservation r{};
    r.extent_start = ptr(list);
    r.nr_extents = 1;
    r.domid = xen::DOMID_SELF;
    return hypercall(xen::HYPERVISOR_memory_op, op, ptr(&r));
}

long current_reservation()
{
    uint16_t self = xen::DOMID_SELF;
    return hypercall(xen::HYPERVISOR_memory_op, xen::XENMEM_current_reservation, ptr(&self));
}

long give_back(uint64_t mfn)
{
    uint64_t list = mfn;
    return reservation(xen::XENMEM_decrease_reservation, &list);
}

void give_back_in_use()
{
    uint64_t va = padding_va(2), pfn = (va - kVirtBase) >> 12, mfn = pfn_to_mfn(pfn);
    volatile uint64_t* p = reinterpret_cast<volatile uint64_t*>(va);
    *p = 0x5eed0f1234ull;
    long before = current_reservation();
    expect("decrease_reservation of a frame still mapped", give_back(mfn), 1);
    check(*p == 0x5eed0f1234ull, "the frame still mapped reads %lx", *p);
    expect("frames gone from the reservation while it is mapped", before - current_reservation(), 0);
    expect("decrease_reservation of it again", give_back(mfn), 1);
    expect("unmapping it", update_va(va, 0), 0);
    expect("frames gone from the reservation once unmapped", before - current_reservation(), 1);
    expect("decrease_reservation of it once freed", give_back(mfn), 0);
    uint64_t list = pfn;
    long r = reservation(xen::XENMEM_populate_physmap, &list);
    check(r == 1, "populate_physmap: %ld", r);
    if (r == 1) {
        set_pfn_to_mfn(pfn, list);
        check(update_va(va, (list << 12) | kPteData) == 0, "mapping the new frame");
    }

    // A pinned table (mapped nowhere): freed at its unpin.
    uint64_t table = next_spare();
    expect("pinning a spare frame as an L1", pin_table(1, table, 0), 0);
    before = current_reservation();
    expect("decrease_reservation of a pinned L1", give_back(table), 1);
    expect("frames gone from the reservation while it is pinned", before - current_reservation(), 0);
    expect("unpinning it", unpin(table), 0);
    expect("frames gone from the reservation once unpinned", before - current_reservation(), 1);
}

}  // namespace

void guest::kernel_main(const xen::start_info* si)
{
    map_shared_info(si);
    const BootWindow& w = mm_init(si);
    check(w.nr_pages > w.window_pages + 64, "need 64 pages beyond the window");
    long r = fault_handlers_install();
    check(r == 0, "set_trap_table: %ld", r);
    if (failures())
        return;
    // The tables that map the window (the builders order them differently
    // after the L4: walk them).
    g_t.l4_va = w.l4_va;
    g_t.l4 = mfn_of_va(g_t.l4_va);
    g_t.l3 = entry_maddr(g_t.l4_va, 3) >> 12, g_t.l2 = entry_maddr(g_t.l4_va, 2) >> 12;
    g_t.l1 = entry_maddr(g_t.l4_va, 1) >> 12;
    g_t.l3_va = va_of_mfn(g_t.l3), g_t.l2_va = va_of_mfn(g_t.l2), g_t.l1_va = va_of_mfn(g_t.l1);

    own_tables_writable();
    foreign_frames();
    hypervisor_memory();
    invalid_tables();
    loops();
    base_tables();
    give_back_in_use();
    print("still running: the refusals left every table in place\n");
}
