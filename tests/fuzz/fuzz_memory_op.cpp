// Random mixes of ballooning (memory_op: decrease/increase_reservation,
// populate_physmap, exchange) and page-table work (mmu_update, mmuext_op)
// through the real hypercall handlers on a fake machine. After every call:
// tot_pages counts exactly the frames the domain owns and never passes
// max_pages, the free list holds exactly the free frames, every free frame
// is scrubbed, no page table maps a frame the domain no longer owns, and a
// frame given back while still in use stays the domain's exactly as long
// as something holds it (Xen's guest_remove_page). At the end the real
// teardown must free every frame.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "abi/memory.hpp"
#include "abi/mmu.hpp"
#include "abi/xen.hpp"
#include "hv/core/domain.hpp"
#include "hv/core/frame_allocator.hpp"
#include "hv/core/hypercall.hpp"
#include "hv/core/page_tables.hpp"
#include "hv/core/platform.hpp"
#include "hv/core/reservation.hpp"
#include "tests/fuzz/fake_machine.hpp"

using namespace vireo;

namespace {

constexpr uint64_t kFrames = 64;
constexpr uint64_t kGuestBuf = 0x10000;  // "guest virtual address" of the argument area
constexpr uint64_t kArg = kGuestBuf;                 // the reservation or exchange structure
constexpr uint64_t kListIn = kGuestBuf + 0x100;      // extent lists
constexpr uint64_t kListOut = kGuestBuf + 0x200;
std::vector<uint8_t> g_memory(kFrames * 4096);
std::vector<uint8_t> g_guest(0x400);
std::vector<PageInfo> g_info(kFrames);

void* map_machine(uint64_t maddr) { return &g_memory[maddr % g_memory.size()]; }
bool in_guest(uint64_t va, size_t n) { return va >= kGuestBuf && va - kGuestBuf + n <= g_guest.size(); }
Status copy_from(void* dst, uint64_t va, size_t n)
{
    if (!in_guest(va, n))
        return Status::FAULT;
    std::memcpy(dst, &g_guest[va - kGuestBuf], n);
    return Status::OK;
}
Status copy_to(uint64_t va, const void* src, size_t n)
{
    if (!in_guest(va, n))
        return Status::FAULT;
    std::memcpy(&g_guest[va - kGuestBuf], src, n);
    return Status::OK;
}

uint64_t* table(uint64_t mfn) { return reinterpret_cast<uint64_t*>(&g_memory[mfn * 4096]); }

[[noreturn]] void fail(const char* what, uint64_t frame)
{
    fprintf(stderr, "%s (frame %lu)\n", what, frame);
    abort();
}

void check_invariants(const Domain& d)
{
    uint64_t owned = 0, free = 0;
    for (uint64_t f = 0; f < kFrames; ++f) {
        const PageInfo& p = g_info[f];
        owned += p.owner == d.id;
        if (p.owner == d.id && !(p.flags & kPageAllocated) && !p.count && !p.type_count)
            fail("a frame given back and held by nothing was not freed", f);
        if (p.owner == kOwnerFree) {
            ++free;
            if (p.count || p.type_count)
                fail("a free frame is still referenced", f);
            for (unsigned i = 0; i < 512; ++i)
                if (table(f)[i])
                    fail("a free frame was not scrubbed", f);
        }
        if (!(p.type == PageType::L1 && p.type_count))
            continue;
        for (unsigned i = 0; i < 512; ++i) {
            uint64_t e = table(f)[i];
            uint64_t target = (e & 0x000ffffffffff000ull) >> 12;
            if ((e & 1) && (target >= kFrames || g_info[target].owner != d.id))
                fail("a page table maps a frame the domain does not own", f);
        }
    }
    if (owned != d.tot_pages)
        fail("tot_pages does not count the domain's frames", d.tot_pages);
    if (d.tot_pages > d.max_pages)
        fail("tot_pages passed max_pages", d.tot_pages);
    if (free != frame_allocator().free_frames())
        fail("the free list and the owners disagree", free);
}

void put_list(uint64_t va, const uint8_t* b, unsigned n)
{
    for (unsigned i = 0; i < n; ++i) {
        uint64_t v = b[i] % (kFrames + 2);
        std::memcpy(&g_guest[va - kGuestBuf + i * 8], &v, 8);
    }
}

// One call built from 8 bytes of input.
HypercallResult one_call(Vcpu& v, const uint8_t* b)
{
    unsigned kind = b[0] % 6, n = 1 + b[1] % 4, order = b[2] % 3;
    HypercallArgs args{};
    if (kind == 0 || kind == 1) {  // mmu_update / mmuext_op of one entry
        if (kind == 0) {
            xen::mmu_update u{};
            u.ptr = (uint64_t{b[3]} % kFrames) << 12 | (uint64_t{b[4]} % 512) << 3 | (b[5] % 2);
            u.val = (uint64_t{b[6]} % (kFrames + 2)) << 12 | (b[7] & 0x67);
            std::memcpy(&g_guest[0], &u, sizeof u);
        } else {
            xen::mmuext_op op{};
            op.cmd = b[3] % 6;  // pins L1-L4, unpin, new base pointer
            op.arg1 = b[4] % (kFrames + 2);
            std::memcpy(&g_guest[0], &op, sizeof op);
        }
        args.a[0] = kGuestBuf;
        args.a[1] = 1;
        args.a[3] = xen::DOMID_SELF;
        return kind == 0 ? do_mmu_update(v, args) : do_mmuext_op(v, args);
    }
    put_list(kListIn, b + 3, n);
    put_list(kListOut, b + 4, n);
    if (kind == 5) {
        // Mostly sizes that match (n extents of order for out_nr of out_order).
        unsigned out_order = b[5] % 3;
        uint64_t out_nr = (uint64_t{n} << order) >> out_order;
        xen::xen_memory_exchange x{};
        x.in = {kListIn, n, order, 0, xen::DOMID_SELF, {}};
        x.out = {kListOut, out_nr ? out_nr : 1, out_order, 0, xen::DOMID_SELF, {}};
        std::memcpy(&g_guest[0], &x, sizeof x);
        args.a[0] = xen::XENMEM_exchange;
    } else {
        xen::xen_memory_reservation r{kListIn, n, order, 0, xen::DOMID_SELF, {}};
        std::memcpy(&g_guest[0], &r, sizeof r);
        static constexpr uint64_t kOps[] = {xen::XENMEM_decrease_reservation, xen::XENMEM_populate_physmap,
                                            xen::XENMEM_increase_reservation};
        args.a[0] = kOps[kind - 2];
    }
    args.a[1] = kArg;
    return do_memory_op(v, args);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    fuzz::install_platform(copy_from, copy_to, map_machine);
    std::fill(g_memory.begin(), g_memory.end(), 0);
    frame_table().init(g_info.data(), kFrames);
    MemoryMap map;
    (void)map.add(0, (kFrames - 4) * 4096, 1);
    (void)map.reserve(0, 4096);  // frame 0 and the last 4 stay the hypervisor's
    frame_allocator().init(frame_table(), map);
    Domain* d = domain_create(7, "fuzz", false);
    if (!d)
        abort();
    d->max_pages = 40;
    for (int i = 0; i < 24; ++i)
        (void)reservation_grow(*d, 0, 0);
    Vcpu& v = d->vcpus[0];
    GuestRegs regs{};
    v.live_regs = &regs;

    for (size_t pos = 0; pos + 8 <= size; pos += 8) {
        // Lists here are a few frames: one round does them all.
        if (one_call(v, data + pos) == kHypercallRestart)
            fail("a short list was preempted", pos);
        check_invariants(*d);
    }

    // Tear down with the real code: every frame the domain owns, given
    // back and still held or not, must be scrubbed and free afterwards.
    fuzz::teardown_frees_everything(*d, g_info);
    if (d->tot_pages != 0)
        fail("teardown left tot_pages behind", d->tot_pages);
    for (uint64_t i = 0; i < kFrames; ++i) {
        if (g_info[i].owner == d->id || (g_info[i].owner == kOwnerFree && (g_info[i].count || g_info[i].type_count)))
            fail("a reference was left behind", i);
        if (g_info[i].owner == kOwnerFree)
            for (unsigned k = 0; k < 512; ++k)
                if (table(i)[k])
                    fail("a freed frame was not scrubbed", i);
    }
    domain_destroy(*d);
    return 0;
}
