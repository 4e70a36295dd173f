// Thousands of address spaces, then a balloon, and the hypervisor's free
// frames counted before and after (sysctl physinfo, dom0 only): nothing the
// hypervisor did on the way may keep a frame.
//
// Each round builds a full tree of spare frames (L4, L3, L2, L1 and a data
// page holding the round's number), the L4 also mapping our kernel as the
// boot L4 does, pins the L4 (validating the tree), switches to it, reads
// the number back through the new tables, switches back, unpins it (every
// level's type goes), and the frames are filled afresh by a later round.
// The balloon gives frames back with decrease_reservation (the free count
// grows by exactly that many) and takes the same pfns again with
// populate_physmap. On Xen 4.17 and on Vireo alike the free count after
// equals the count before: neither allocates for a guest's page tables or
// base pointers, and a frame given back is free at once (Xen scrubs it
// later, when it is handed out again).
#include "abi/memory.hpp"
#include "abi/mmu.hpp"
#include "abi/sysctl.hpp"
#include "abi/xen.hpp"
#include "guest/lib/domctl.hpp"
#include "guest/lib/mm.hpp"
#include "guest/lib/runtime.hpp"

using namespace guest;

const char* const guest::kTestName = "address_spaces";

namespace {

constexpr unsigned kRounds = 2000;
constexpr unsigned kSets = 8;            // sets of frames the rounds cycle through
constexpr unsigned kFramesPerSet = 5;    // L4, L3, L2, L1, data
constexpr unsigned kTestSlot = 1;        // L4 slot of the test mapping
constexpr uint64_t kTestVa = uint64_t{kTestSlot} << 39;
constexpr unsigned kBalloon = 64;
constexpr unsigned kBalloonFirstSpare = kSets * kFramesPerSet;  // after the sets' frames
constexpr uint64_t kTable = kPteP | kPteRw | kPteUser | kPteA;
constexpr long kEACCES = -13;

long sysctl(xen::xen_sysctl& op) { return hypercall(xen::HYPERVISOR_sysctl, ptr(&op)); }

void physinfo()
{
    xen::xen_sysctl op{};
    op.cmd = xen::XEN_SYSCTL_physinfo;
    op.interface_version = xen::XEN_SYSCTL_INTERFACE_VERSION - 1;
    long r = sysctl(op);
    print("sysctl physinfo, an older interface version: %ld\n", r);
    check(r == kEACCES, "sysctl with interface version %x: %ld", op.interface_version, r);
    op.interface_version = xen::XEN_SYSCTL_INTERFACE_VERSION;
    r = sysctl(op);
    print("sysctl physinfo: %ld\n", r);
    const xen::xen_sysctl_physinfo& pi = op.u.physinfo;
    check(r == 0, "sysctl physinfo: %ld", r);
    check(pi.nr_cpus >= 1 && pi.total_pages > pi.free_pages && pi.free_pages > 0 && pi.max_mfn >= pi.total_pages / 2,
          "physinfo: %u CPUs, %lu pages, %lu free, max_mfn %lx", pi.nr_cpus, pi.total_pages, pi.free_pages,
          pi.max_mfn);
    check(pi.capabilities & xen::XEN_SYSCTL_PHYSCAP_pv, "physinfo capabilities %x: no PV", pi.capabilities);
}

struct Set {
    uint64_t l4, l3, l2, l1, data;
};

Set set_of(unsigned n)
{
    unsigned b = n * kFramesPerSet;
    return Set{spare_mfn(b), spare_mfn(b + 1), spare_mfn(b + 2), spare_mfn(b + 3), spare_mfn(b + 4)};
}

// Builds one tree; the L4 copies the boot L4's guest slots (our kernel).
bool build(const Set& s, uint64_t marker)
{
    static const unsigned zero[] = {0};
    uint64_t* data = scratch_open(s.data);
    if (!data)
        return false;
    __builtin_memset(data, 0, 4096);
    data[0] = marker;
    uint64_t l1e = (s.data << 12) | kPteRo, l2e = (s.l1 << 12) | kTable, l3e = (s.l2 << 12) | kTable;
    if (scratch_close() || fill_frame(s.l1, zero, &l1e, 1) || fill_frame(s.l2, zero, &l2e, 1) ||
        fill_frame(s.l3, zero, &l3e, 1))
        return false;
    const uint64_t* boot = reinterpret_cast<const uint64_t*>(boot_window().l4_va);
    uint64_t* l4 = scratch_open(s.l4);
    if (!l4)
        return false;
    for (unsigned i = 0; i < 512; ++i)
        l4[i] = (i >= 256 && i < 272) ? 0 : boot[i];  // the hypervisor fills its own slots
    l4[kTestSlot] = (s.l3 << 12) | kTable;
    return scratch_close() == 0;
}

void address_spaces()
{
    uint64_t boot_l4 = mfn_of_va(boot_window().l4_va);
    const uint64_t* boot = reinterpret_cast<const uint64_t*>(boot_window().l4_va);
    check(!(boot[kTestSlot] & kPteP), "the boot L4 uses slot %u", kTestSlot);
    unsigned good = 0;
    for (unsigned round = 0; round < kRounds; ++round) {
        Set s = set_of(round % kSets);
        uint64_t marker = 0x5eed0000ull + round;
        if (!build(s, marker)) {
            check(false, "round %u: building the tables", round);
            break;
        }
        long pin = mmuext(xen::MMUEXT_PIN_L4_TABLE, s.l4);
        long to = pin ? pin : mmuext(xen::MMUEXT_NEW_BASEPTR, s.l4);
        uint64_t seen = to ? 0 : *reinterpret_cast<const volatile uint64_t*>(kTestVa);
        long back = to ? 0 : mmuext(xen::MMUEXT_NEW_BASEPTR, boot_l4);
        long unpin = pin ? 0 : mmuext(xen::MMUEXT_UNPIN_TABLE, s.l4);
        if (pin || to || back || unpin || seen != marker) {
            check(false, "round %u: pin %ld, switch %ld, read %lx (expected %lx), back %ld, unpin %ld", round, pin,
                  to, seen, marker, back, unpin);
            break;
        }
        ++good;
    }
    print("address spaces built, switched to and torn down: %u\n", good);
    // Every frame is an ordinary page again: each can be mapped writable.
    for (unsigned i = 0; i < kSets * kFramesPerSet; ++i) {
        long r;
        check(scratch_open(spare_mfn(i), &r) != nullptr, "spare frame %u after the rounds: %ld", i, r);
    }
    scratch_close();
}

long reservation(uint64_t op, uint64_t* list, uint64_t nr)
{
    xen::xen_memory_reservation r{};
    r.extent_start = ptr(list);
    r.nr_extents = nr;
    r.domid = xen::DOMID_SELF;
    return hypercall(xen::HYPERVISOR_memory_op, op, ptr(&r));
}

// Frames beyond the boot window (mapped nowhere) out and back in.
void balloon(long free_before)
{
    uint64_t first_pfn = boot_window().window_pages + 8 + kBalloonFirstSpare;  // as spare_mfn counts
    static uint64_t list[kBalloon];
    for (unsigned i = 0; i < kBalloon; ++i)
        list[i] = pfn_to_mfn(first_pfn + i);
    long r = reservation(xen::XENMEM_decrease_reservation, list, kBalloon);
    long out = machine_free_pages();
    print("decrease_reservation of %u pages: %ld, free pages grew by %ld\n", kBalloon, r, out - free_before);
    check(r == kBalloon && out == free_before + kBalloon, "balloon out: %ld, free %ld -> %ld", r, free_before, out);
    for (unsigned i = 0; i < kBalloon; ++i)
        list[i] = first_pfn + i;
    r = reservation(xen::XENMEM_populate_physmap, list, kBalloon);
    print("populate_physmap of %u pages: %ld\n", kBalloon, r);
    check(r == kBalloon, "balloon in: %ld", r);
    for (unsigned i = 0; i < kBalloon && r == kBalloon; ++i)
        set_pfn_to_mfn(first_pfn + i, list[i]);
}

}  // namespace

void guest::kernel_main(const xen::start_info* si)
{
    mm_init(si);
    physinfo();
    long before = machine_free_pages();
    address_spaces();
    long between = machine_free_pages();
    print("free pages after the address spaces: %s\n", between == before ? "unchanged" : "changed");
    check(between == before, "free pages %ld before the address spaces, %ld after", before, between);
    balloon(between);
    long after = machine_free_pages();
    print("free pages after the balloon: %s\n", after == before ? "unchanged" : "changed");
    check(after == before, "free pages %ld before, %ld after", before, after);
}
