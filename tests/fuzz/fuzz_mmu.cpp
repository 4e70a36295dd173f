// Random batches of mmu_update and mmuext_op through the real hypercall
// handlers on a fake machine, checking after every batch that no page
// table is mapped writable anywhere and no frame of another owner is
// mapped, and that a frame the domain gave back (decrease_reservation while
// it may still be mapped or pinned) stays its own while anything holds it
// and no longer; at the end the domain is destroyed by the real teardown
// code and every count must be zero, every frame back in the allocator.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

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

constexpr uint64_t kFrames = 48;
constexpr uint64_t kGuestBuf = 0x10000;  // "guest virtual address" of the request array
std::vector<uint8_t> g_memory(kFrames * 4096);
std::vector<uint8_t> g_guest(64 * 24);
std::vector<PageInfo> g_info(kFrames);

void* map_machine(uint64_t maddr) { return &g_memory[maddr % g_memory.size()]; }
Status copy_from(void* dst, uint64_t va, size_t n)
{
    if (va < kGuestBuf || va - kGuestBuf + n > g_guest.size())
        return Status::FAULT;
    std::memcpy(dst, &g_guest[va - kGuestBuf], n);
    return Status::OK;
}
Status copy_to(uint64_t, const void*, size_t) { return Status::OK; }

uint64_t* table(uint64_t mfn) { return reinterpret_cast<uint64_t*>(&g_memory[mfn * 4096]); }

void check_invariants(const Domain& d)
{
    for (uint64_t t = 0; t < kFrames; ++t) {
        const PageInfo& ti = g_info[t];
        if (ti.owner == d.id && !(ti.flags & kPageAllocated) && !ti.count && !ti.type_count)
            abort();  // given back, held by nothing, yet not freed
        if (ti.owner == kOwnerFree && (ti.count || ti.type_count))
            abort();  // freed while still referenced
        if (ti.type != PageType::L1 || ti.type_count == 0)
            continue;
        for (unsigned i = 0; i < 512; ++i) {
            uint64_t e = table(t)[i];
            if (!(e & 1))
                continue;
            uint64_t target = (e & 0x000ffffffffff000ull) >> 12;
            if (target >= kFrames)
                abort();  // a domU mapped something beyond RAM
            const PageInfo& gi = g_info[target];
            if (gi.owner != d.id)
                abort();  // a frame it does not own
            if ((e & 2) && gi.type != PageType::WRITABLE)
                abort();  // a page table (or other typed frame) mapped writable
        }
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    fuzz::install_platform(copy_from, copy_to, map_machine);
    std::fill(g_memory.begin(), g_memory.end(), 0);
    frame_table().init(g_info.data(), kFrames);
    MemoryMap map;
    (void)map.add(0, kFrames * 4096, 1);
    frame_allocator().init(frame_table(), map);
    Domain* d = domain_create(7, "fuzz", false);
    if (!d)
        abort();
    // Frame 0 and the last 4 stay the hypervisor's (as the first MiB and the
    // hypervisor's own memory on a real machine); the rest is the domain's.
    for (uint64_t i = 0; i < kFrames - 4; ++i)
        (void)frame_allocator().alloc(d->id);
    for (uint64_t i : {uint64_t{0}, kFrames - 4, kFrames - 3, kFrames - 2, kFrames - 1})
        frame_table().set_owner_unchecked(Mfn(i), kOwnerHypervisor);
    Vcpu& v = d->vcpus[0];
    GuestRegs regs{};
    v.live_regs = &regs;

    size_t pos = 0;
    while (pos + 2 <= size) {
        bool ext = data[pos] & 1;
        // Bits 1-2 set: one frame (bits 3-7) is given back after the batch.
        bool give_back = (data[pos] & 6) == 6;
        Mfn given(uint64_t{data[pos]} >> 3);
        unsigned n = 1 + (data[pos + 1] % 8);
        pos += 2;
        size_t need = n * (ext ? 24 : 16);
        if (pos + need > size)
            break;
        std::memset(g_guest.data(), 0, g_guest.size());
        for (unsigned i = 0; i < n; ++i) {
            const uint8_t* b = data + pos + i * (ext ? 24 : 16);
            if (ext) {
                xen::mmuext_op op{};
                op.cmd = b[0] % 22;
                op.arg1 = b[1] % (kFrames + 2);
                op.arg2 = b[2];
                std::memcpy(&g_guest[i * 24], &op, sizeof op);
            } else {
                xen::mmu_update u{};
                u.ptr = (uint64_t{b[0]} % kFrames) << 12 | (uint64_t{b[1]} % 512) << 3 | (b[2] % 4);
                u.val = (uint64_t{b[3]} % (kFrames + 2)) << 12 | b[4] |
                        static_cast<uint64_t>(b[5] & 0x81) << 56;
                std::memcpy(&g_guest[i * 16], &u, sizeof u);
            }
        }
        pos += need;
        HypercallArgs args{};
        args.a[0] = kGuestBuf;
        args.a[1] = n;
        args.a[3] = xen::DOMID_SELF;
        for (int round = 0; round < 4; ++round) {
            HypercallResult r = ext ? do_mmuext_op(v, args) : do_mmu_update(v, args);
            if (r != kHypercallRestart)
                break;
        }
        if (give_back)
            (void)reservation_release(*d, given);
        check_invariants(*d);
    }

    // Destroy the domain with the real teardown code (what the reaper runs
    // for a stopped domU): every count must drop to zero and every frame
    // the domain owned must be back in the allocator.
    fuzz::teardown_frees_everything(*d, g_info);
    for (uint64_t i = 1; i < kFrames - 4; ++i) {
        if (g_info[i].owner != kOwnerFree || g_info[i].type_count != 0 || g_info[i].count != 0 ||
            g_info[i].flags != 0) {
            fprintf(stderr, "frame %lu: owner %x type %d type_count %u count %u flags %x\n", i, g_info[i].owner,
                    static_cast<int>(g_info[i].type), g_info[i].type_count, g_info[i].count, g_info[i].flags);
            abort();
        }
    }
    domain_destroy(*d);
    return 0;
}
