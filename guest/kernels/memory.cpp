// memory_op: the maps and the reservation as a PV kernel sees them, then a
// balloon (frames given back with decrease_reservation, taken again with
// populate_physmap and exchange), then hostile calls. Every result is
// printed as "name: value" so the system tests can compare Vireo with Xen
// line by line; checks cover what both must agree on.
//
// Run as dom0 it also waits for domain 1 (a second copy of this kernel
// started as a domU by a Vireo domain configuration) and reports how it
// stopped.
#include "abi/domctl.hpp"
#include "abi/memory.hpp"
#include "abi/mmu.hpp"
#include "abi/xen.hpp"
#include "guest/lib/domctl.hpp"
#include "guest/lib/runtime.hpp"
#include "guest/lib/time.hpp"

using namespace guest;

const char* const guest::kTestName = "memory";

namespace {

constexpr uint64_t P = 1, RW = 2, U = 4, A = 0x20, D = 0x40;
constexpr uint64_t kBase = 0xffffffff80000000;  // VIRT_BASE: pfn = (va - base) >> 12
constexpr uint64_t kHypervisorVa = 0xffff800000000000;
constexpr uint64_t kUnmappedVa = 0x1000;
constexpr unsigned kWindowBalloon = 16;   // mapped pages given back and taken again
constexpr unsigned kFarBalloon = 300;     // unmapped pages: long enough to be preempted
constexpr uint64_t kInvalidM2p = ~uint64_t{0};

uint64_t* g_p2m;
uint64_t g_window_pages;  // pfns below this are mapped by the boot tables
uint64_t g_v_end;
xen::xen_machphys_mapping g_m2p;

uint64_t va_of(uint64_t pfn) { return kBase + (pfn << 12); }
uint64_t* page(uint64_t va) { return reinterpret_cast<uint64_t*>(va); }

long memop(uint64_t cmd, const void* arg) { return hypercall(xen::HYPERVISOR_memory_op, cmd, ptr(arg)); }

long reservation(uint64_t op, uint64_t* list, uint64_t nr, uint32_t order = 0, uint16_t domid = xen::DOMID_SELF,
                 uint32_t flags = 0)
{
    xen::xen_memory_reservation r{};
    r.extent_start = ptr(list);
    r.nr_extents = nr;
    r.extent_order = order;
    r.mem_flags = flags;
    r.domid = domid;
    return memop(op, &r);
}

long reservation_at(uint64_t op, uint64_t list_va, uint64_t nr)
{
    return reservation(op, reinterpret_cast<uint64_t*>(list_va), nr);
}

long pages_of(uint64_t op, uint16_t domid = xen::DOMID_SELF)
{
    xen::xen_memory_domain d{domid};
    return memop(op, &d);
}

long current() { return pages_of(xen::XENMEM_current_reservation); }

long map(uint64_t va, uint64_t mfn, uint64_t flags = P | RW | U | A | D)
{
    return hypercall(xen::HYPERVISOR_update_va_mapping, va, mfn == ~uint64_t{0} ? 0 : (mfn << 12) | flags,
                     xen::UVMF_INVLPG);
}

long unmap(uint64_t va) { return map(va, ~uint64_t{0}); }

long mmuext(uint32_t cmd, uint64_t arg1)
{
    xen::mmuext_op op{cmd, 0, arg1, 0};
    return hypercall(xen::HYPERVISOR_mmuext_op, ptr(&op), 1, 0, xen::DOMID_SELF);
}

uint64_t m2p(uint64_t mfn) { return reinterpret_cast<const volatile uint64_t*>(g_m2p.v_start)[mfn]; }

bool all_zero(uint64_t va)
{
    for (unsigned i = 0; i < 512; ++i)
        if (page(va)[i])
            return false;
    return true;
}

// A new frame for pfn: the M2P names pfn, it maps and keeps what is
// written. Whether it came zero-filled is kept apart: Vireo scrubs every
// frame given back, Xen 4.17 only those of a dying domain, so on Xen a
// frame another balloon gave back may come with its old contents.
struct Fresh {
    bool usable = true, zeroed = true;
    void add(uint64_t pfn, uint64_t mfn, uint64_t scratch_va)
    {
        bool ok = m2p(mfn) == pfn && map(scratch_va, mfn) == 0;
        zeroed &= ok && all_zero(scratch_va);
        if (ok) {
            page(scratch_va)[7] = 0x5eed0000 + pfn;
            ok = page(scratch_va)[7] == 0x5eed0000 + pfn;
        }
        usable &= ok;
    }
    void report(const char* what)
    {
        print("%s named in the M2P and usable: %s\n", what, usable ? "yes" : "no");
        print("%s zero-filled: %s\n", what, zeroed ? "yes" : "no");
        check(usable, "%s", what);
    }
};

void print_map(const char* name, const xen::e820entry* e, long r, const xen::xen_memory_map& m)
{
    print("%s: %ld\n", name, r);
    if (r != 0)
        return;
    print("%s entries: %u\n", name, m.nr_entries);
    for (unsigned i = 0; i < m.nr_entries; ++i)
        print("%s %u: %016lx-%016lx type %u\n", name, i, e[i].addr, e[i].addr + e[i].size, e[i].type);
}

void maps(const xen::start_info* si, bool dom0)
{
    xen::e820entry e[32];
    xen::xen_memory_map m{32, 0, ptr(e)};
    long r = memop(xen::XENMEM_memory_map, &m);
    print_map("memory_map", e, r, m);
    if (dom0)
        check(r == -38, "memory_map of dom0: %ld, expected -ENOSYS (no map was set)", r);
    else
        check(r == 0 && m.nr_entries == 1 && e[0].addr == 0 && e[0].type == xen::E820_RAM &&
                  e[0].size >= si->nr_pages * 4096,
              "memory_map of a domU: %ld, %u entries", r, m.nr_entries);

    m = {32, 0, ptr(e)};
    r = memop(xen::XENMEM_machine_memory_map, &m);
    if (!dom0) {
        print("machine_memory_map: %ld\n", r);
        check(r == -1, "machine_memory_map of a domU: %ld, expected -EPERM", r);
        return;
    }
    unsigned ram = 0;
    for (unsigned i = 0; r == 0 && i < m.nr_entries; ++i) {
        print("machine_memory_map %016lx-%016lx type %u\n", e[i].addr, e[i].addr + e[i].size, e[i].type);
        ram += e[i].type == xen::E820_RAM;
    }
    check(r == 0 && ram > 0, "machine_memory_map: %ld, %u RAM entries", r, ram);
    unsigned all = m.nr_entries;
    m = {0, 0, 0};
    r = memop(xen::XENMEM_machine_memory_map, &m);
    print("machine_memory_map count only: %ld\n", r);
    check(r == 0 && m.nr_entries == all, "counting the machine map: %ld, %u of %u", r, m.nr_entries, all);
    m = {1, 0, ptr(e)};
    print("machine_memory_map short buffer: %ld\n", memop(xen::XENMEM_machine_memory_map, &m));
    m = {32, 0, kUnmappedVa};
    print("machine_memory_map bad buffer: %ld\n", memop(xen::XENMEM_machine_memory_map, &m));
}

void sizes(const xen::start_info* si, bool dom0)
{
    long cur = current(), max = pages_of(xen::XENMEM_maximum_reservation);
    print("current_reservation is nr_pages: %s\n", cur == static_cast<long>(si->nr_pages) ? "yes" : "no");
    print("current_reservation: %ld, maximum_reservation: %ld, nr_pages: %lu\n", cur, max, si->nr_pages);
    print("maximum_reservation - current: %ld\n", max - cur);
    check(cur > 0 && max >= cur, "current %ld, maximum %ld", cur, max);

    long r = memop(xen::XENMEM_machphys_mapping, &g_m2p);
    print("machphys_mapping: %ld, %lx-%lx\n", r, g_m2p.v_start, g_m2p.v_end);
    check(r == 0 && g_m2p.v_start == xen::MACH2PHYS_VIRT_START, "machphys_mapping: %ld", r);
    long ram_page = memop(xen::XENMEM_maximum_ram_page, nullptr);
    print("maximum_ram_page: %lx\n", ram_page);
    check(ram_page > 0, "maximum_ram_page: %ld", ram_page);
    if (dom0) {
        print("machphys_mapping max_mfn is maximum_ram_page - 1: %s\n",
              g_m2p.max_mfn + 1 == static_cast<uint64_t>(ram_page) ? "yes" : "no");
    } else {
        print("machphys_mapping max_mfn: %lx\n", g_m2p.max_mfn);
        check(g_m2p.max_mfn == xen::MACH2PHYS_NR_ENTRIES - 1, "domU max_mfn %lx", g_m2p.max_mfn);
    }
    // Our own frames, looked up where every guest reads the M2P.
    uint64_t pfn = (reinterpret_cast<uint64_t>(&g_m2p) - kBase) >> 12;
    bool ok = m2p(g_p2m[0]) == 0 && m2p(g_p2m[pfn]) == pfn;
    print("M2P of our own frames: %s\n", ok ? "ok" : "wrong");
    check(ok, "M2P[%lx] = %lx, expected %lx", g_p2m[pfn], m2p(g_p2m[pfn]), pfn);
}

// Gives kWindowBalloon mapped pages (unmapped first) and kFarBalloon pages
// beyond the boot window back, then populates the same pfns again.
void balloon()
{
    long cur0 = current();
    uint64_t first = g_window_pages - 48, scratch = va_of(g_window_pages - 49);
    static uint64_t list[kFarBalloon];
    for (unsigned i = 0; i < kWindowBalloon; ++i) {
        page(va_of(first + i))[0] = 0xdead0000 + i;  // something a scrub must remove
        check(unmap(va_of(first + i)) == 0, "unmapping pfn %lx", first + i);
        list[i] = g_p2m[first + i];
    }
    long r = reservation(xen::XENMEM_decrease_reservation, list, kWindowBalloon);
    print("decrease_reservation of %u unmapped pages: %ld\n", kWindowBalloon, r);
    check(r == kWindowBalloon && current() == cur0 - kWindowBalloon, "balloon out: %ld, current %ld", r, current());
    print("decrease_reservation of a frame given back already: %ld\n",
          reservation(xen::XENMEM_decrease_reservation, list, 1));

    uint64_t far = g_window_pages + 8;
    for (unsigned i = 0; i < kFarBalloon; ++i)
        list[i] = g_p2m[far + i];
    r = reservation(xen::XENMEM_decrease_reservation, list, kFarBalloon);
    print("decrease_reservation of %u pages beyond the window: %ld\n", kFarBalloon, r);
    check(r == kFarBalloon && current() == cur0 - kWindowBalloon - kFarBalloon, "far balloon out: %ld", r);

    for (unsigned i = 0; i < kWindowBalloon; ++i)
        list[i] = first + i;
    r = reservation(xen::XENMEM_populate_physmap, list, kWindowBalloon);
    print("populate_physmap of %u pages: %ld\n", kWindowBalloon, r);
    check(r == kWindowBalloon, "balloon in: %ld", r);
    Fresh fresh;
    for (unsigned i = 0; i < kWindowBalloon && r == kWindowBalloon; ++i) {
        g_p2m[first + i] = list[i];
        fresh.add(first + i, list[i], va_of(first + i));
    }
    fresh.report("new frames");

    for (unsigned i = 0; i < kFarBalloon; ++i)
        list[i] = far + i;
    r = reservation(xen::XENMEM_populate_physmap, list, kFarBalloon);
    print("populate_physmap of %u pages: %ld\n", kFarBalloon, r);
    check(r == kFarBalloon && current() == cur0, "far balloon in: %ld, current %ld of %ld", r, current(), cur0);
    Fresh far_fresh;
    for (unsigned i = 0; i < kFarBalloon && r == kFarBalloon; ++i) {
        g_p2m[far + i] = list[i];
        if (i % 37 == 0)
            far_fresh.add(far + i, list[i], scratch);
    }
    far_fresh.report("new frames beyond the window");
    map(scratch, g_p2m[g_window_pages - 49]);
}

// decrease_reservation of a frame still in use: taken at once (1), and
// freed, leaving the reservation one lower, only once its last use goes
// (Xen's answer, and Vireo's). Populating restores it.
void decrease_in_use(const char* what, uint64_t pfn, bool pin)
{
    long cur0 = current();
    uint64_t va = va_of(pfn), mfn = g_p2m[pfn];
    if (pin) {
        __builtin_memset(page(va), 0, 4096);
        check(map(va, mfn, P | U | A) == 0 && mmuext(xen::MMUEXT_PIN_L1_TABLE, mfn) == 0, "pinning an L1");
    }
    long r = reservation(xen::XENMEM_decrease_reservation, &mfn, 1);
    print("decrease_reservation of a %s: %ld, reservation %ld\n", what, r, current() - cur0);
    if (pin)
        check(mmuext(xen::MMUEXT_UNPIN_TABLE, mfn) == 0, "unpinning");
    check(unmap(va) == 0, "unmapping");
    if (r == 0)
        r = reservation(xen::XENMEM_decrease_reservation, &mfn, 1);
    check(r == 1 && current() == cur0 - 1, "the %s given back once unused: %ld", what, r);
    uint64_t gpfn = pfn;
    r = reservation(xen::XENMEM_populate_physmap, &gpfn, 1);
    check(r == 1 && current() == cur0, "repopulating: %ld", r);
    g_p2m[pfn] = gpfn;
    check(map(va, gpfn) == 0, "mapping the new frame");
}

void limits()
{
    long cur = current(), room = pages_of(xen::XENMEM_maximum_reservation) - cur;
    uint64_t list[8] = {};
    if (room >= 0 && room <= 4) {
        for (unsigned i = 0; i < 8; ++i)
            list[i] = g_window_pages + 400 + i;  // what is populated beyond the room goes straight back
        long r = reservation(xen::XENMEM_populate_physmap, list, room + 2);
        print("populate_physmap of 2 pages beyond the maximum: %ld of %ld\n", r, room + 2);
        check(r == room, "over the maximum: %ld, room %ld", r, room);
        if (r > 0)
            check(reservation(xen::XENMEM_decrease_reservation, list, r) == r, "giving the extra back");
        print("increase_reservation at the maximum: %ld\n",
              reservation(xen::XENMEM_increase_reservation, nullptr, 1 + room));
    } else {
        print("maximum_reservation leaves %ld pages of room: not tested\n", room);
    }
    // Below the maximum, increase_reservation hands out frames the M2P
    // does not name yet.
    uint64_t mfn = g_p2m[g_window_pages + 600];
    check(reservation(xen::XENMEM_decrease_reservation, &mfn, 1) == 1, "making room");
    long r = reservation(xen::XENMEM_increase_reservation, list, 1);
    print("increase_reservation: %ld, M2P entry invalid: %s\n", r,
          r == 1 && m2p(list[0]) == kInvalidM2p ? "yes" : "no");
    check(r == 1 && reservation(xen::XENMEM_decrease_reservation, list, 1) == 1, "increase and give back");
    uint64_t gpfn = g_window_pages + 600;
    check(reservation(xen::XENMEM_populate_physmap, &gpfn, 1) == 1 && current() == cur, "restoring");
    g_p2m[g_window_pages + 600] = gpfn;
}

void hostile(bool dom0)
{
    uint64_t none[2] = {0, 0xfffffffffull};  // firmware's frame 0, beyond the machine
    print("decrease_reservation of machine frame 0: %ld\n", reservation(xen::XENMEM_decrease_reservation, none, 1));
    print("decrease_reservation beyond the machine: %ld\n",
          reservation(xen::XENMEM_decrease_reservation, none + 1, 1));
    print("populate_physmap, reservation in the hypervisor: %ld\n",
          memop(xen::XENMEM_populate_physmap, reinterpret_cast<void*>(kHypervisorVa)));
    print("populate_physmap, reservation unmapped: %ld\n",
          memop(xen::XENMEM_populate_physmap, reinterpret_cast<void*>(kUnmappedVa)));
    print("populate_physmap, list in the hypervisor: %ld\n",
          reservation_at(xen::XENMEM_populate_physmap, kHypervisorVa, 1));
    print("decrease_reservation, list unmapped: %ld\n",
          reservation_at(xen::XENMEM_decrease_reservation, kUnmappedVa, 1));
    print("decrease_reservation, list not canonical: %ld\n",
          reservation_at(xen::XENMEM_decrease_reservation, 0x0000800000000000ull, 1));
    uint64_t gpfn = g_window_pages + 700;
    print("populate_physmap of 2^58 extents: %ld\n", reservation(xen::XENMEM_populate_physmap, &gpfn, 1ull << 58));
    print("populate_physmap of order 21: %ld\n", reservation(xen::XENMEM_populate_physmap, &gpfn, 1, 21));
    print("populate_physmap for domain 999: %ld\n", reservation(xen::XENMEM_populate_physmap, &gpfn, 1, 0, 999));
    xen::xen_memory_reservation res{ptr(&gpfn), 3, 0, 0, xen::DOMID_SELF, {}};
    print("decrease_reservation starting at extent 5 of 3: %ld\n",
          memop(xen::XENMEM_decrease_reservation | (5 << xen::MEMOP_EXTENT_SHIFT), &res));
    print("current_reservation of domain 999: %ld\n", pages_of(xen::XENMEM_current_reservation, 999));
    print("current_reservation of DOMID_IO: %ld\n", pages_of(xen::XENMEM_current_reservation, xen::DOMID_IO));
    if (!dom0) {
        print("current_reservation of dom0: %ld\n", pages_of(xen::XENMEM_current_reservation, 0));
        print("populate_physmap for dom0: %ld\n", reservation(xen::XENMEM_populate_physmap, &gpfn, 1, 0, 0));
    }
    print("current_reservation, argument unmapped: %ld\n",
          memop(xen::XENMEM_current_reservation, reinterpret_cast<void*>(kUnmappedVa)));
    print("maximum_ram_page with a start extent: %ld\n",
          memop(xen::XENMEM_maximum_ram_page | (1 << xen::MEMOP_EXTENT_SHIFT), nullptr));
    xen::e820entry e[4];
    xen::xen_memory_map m{4, 0, ptr(e)};
    print("memory_map with a start extent: %ld\n", memop(xen::XENMEM_memory_map | (1 << xen::MEMOP_EXTENT_SHIFT), &m));
    print("memory_map, argument unmapped: %ld\n",
          memop(xen::XENMEM_memory_map, reinterpret_cast<void*>(kUnmappedVa)));
    print("machphys_mapping, argument in the hypervisor: %ld\n",
          memop(xen::XENMEM_machphys_mapping, reinterpret_cast<void*>(kHypervisorVa)));
    print("memory_op 63: %ld\n", memop(63, &m));
}

long exchange(xen::xen_memory_exchange& x) { return memop(xen::XENMEM_exchange, &x); }

xen::xen_memory_exchange exchange_of(uint64_t* in, uint64_t nr_in, uint32_t in_order, uint64_t* out, uint64_t nr_out,
                                     uint32_t out_order, uint32_t out_flags = 0)
{
    xen::xen_memory_exchange x{};
    x.in = {ptr(in), nr_in, in_order, 0, xen::DOMID_SELF, {}};
    x.out = {ptr(out), nr_out, out_order, out_flags, xen::DOMID_SELF, {}};
    return x;
}

void exchanges()
{
    long cur = current();
    uint64_t pfn = g_window_pages - 80;  // four pages: pfn..pfn+3
    uint64_t in[4], out[4];
    for (unsigned i = 0; i < 4; ++i)
        in[i] = g_p2m[pfn + i];

    // Still mapped: nothing is exchanged.
    out[0] = pfn;
    xen::xen_memory_exchange x = exchange_of(in, 1, 0, out, 1, 0);
    long r = exchange(x);
    print("exchange of a mapped page: %ld, %lu exchanged\n", r, x.nr_exchanged);
    for (unsigned i = 0; i < 4; ++i)
        check(unmap(va_of(pfn + i)) == 0, "unmapping");

    x = exchange_of(in, 2, 0, out, 1, 0);
    print("exchange of 2 pages for 1: %ld\n", exchange(x));
    x = exchange_of(in, 1, 0, out, 1, 0);
    x.out.domid = 0x7fef;
    print("exchange between two domains: %ld\n", exchange(x));
    x = exchange_of(in, 1, 0, out, 1, 0);
    print("exchange with a start extent: %ld\n", memop(xen::XENMEM_exchange | (1 << xen::MEMOP_EXTENT_SHIFT), &x));

    // One page for one page.
    x = exchange_of(in, 1, 0, out, 1, 0);
    r = exchange(x);
    print("exchange of 1 page: %ld, %lu exchanged\n", r, x.nr_exchanged);
    check(r == 0 && x.nr_exchanged == 1 && out[0] != in[0], "exchange of one page");
    Fresh fresh;
    fresh.add(pfn, out[0], va_of(pfn));
    fresh.report("exchanged frame");
    print("the old frame is gone: %s\n", reservation(xen::XENMEM_decrease_reservation, in, 1) == 0 ? "yes" : "no");
    unmap(va_of(pfn));
    in[0] = out[0];

    // Four pages for one contiguous extent below 4 GiB.
    out[0] = pfn;
    x = exchange_of(in, 4, 0, out, 1, 2, xen::XENMEMF_address_bits(32));
    r = exchange(x);
    uint64_t base = out[0];
    bool ok = r == 0 && x.nr_exchanged == 4 && base % 4 == 0 && base < (1ull << 20);
    print("exchange of 4 pages for an order-2 extent below 4 GiB: %ld, %s\n", r, ok ? "aligned" : "wrong");
    check(ok, "exchange for a contiguous extent: %ld, %lu exchanged, base %lx", r, x.nr_exchanged, base);
    Fresh extent;
    for (unsigned i = 0; ok && i < 4; ++i) {
        extent.add(pfn + i, base + i, va_of(pfn + i));
        g_p2m[pfn + i] = base + i;
    }
    extent.report("exchanged extent");
    check(current() == cur, "exchange changed the reservation: %ld, was %ld", current(), cur);
}

void wait_for_domain(uint16_t id, const xen::start_info* si)
{
    xen::xen_domctl_getdomaininfo info{};
    if (!domain_info(id, info))
        return;
    map_shared_info(si);
    while (domain_info(id, info) && !(info.flags & xen::XEN_DOMINF_shutdown))
        sleep_ns(10000000);
    print("domain %u shut down with reason %u\n", id, (info.flags >> xen::XEN_DOMINF_shutdownshift) & 0xff);
}

}  // namespace

void guest::kernel_main(const xen::start_info* si)
{
    bool dom0 = si->flags & xen::SIF_PRIVILEGED;
    g_p2m = reinterpret_cast<uint64_t*>(si->mfn_list);
    // The boot window ends on a 4 MiB boundary after the boot stack.
    uint64_t after = si->pt_base + si->nr_pt_frames * 4096 + 4096;
    g_v_end = (after + (4ull << 20) - 1) & ~((4ull << 20) - 1);
    if (g_v_end - after < (512u << 10))
        g_v_end += 4ull << 20;
    g_window_pages = (g_v_end - kBase) >> 12;
    if (si->nr_pages < g_window_pages + 1024) {
        check(false, "need 1024 pages beyond the boot window");
        return;
    }
    print("running as %s\n", dom0 ? "dom0" : "a domU");
    maps(si, dom0);
    sizes(si, dom0);
    balloon();
    decrease_in_use("mapped frame", g_window_pages - 60, false);
    decrease_in_use("pinned page table", g_window_pages - 61, true);
    limits();
    hostile(dom0);
    exchanges();
    long cur = current();
    print("current_reservation is nr_pages again: %s\n", cur == static_cast<long>(si->nr_pages) ? "yes" : "no");
    if (dom0)
        wait_for_domain(1, si);
}
