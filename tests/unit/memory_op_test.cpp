// memory_op on a fake machine: frames are an array the platform's
// map_machine points into, the M2P is a vector, and guest memory is one
// buffer at kGuestVa (any other guest address faults). The reservation
// rules come first, then the handler's answers, continuations included.
#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "abi/memory.hpp"
#include "abi/xen.hpp"
#include "hv/core/frame_allocator.hpp"
#include "hv/core/hypercall.hpp"
#include "hv/core/machine_memory.hpp"
#include "hv/core/platform.hpp"
#include "hv/core/reservation.hpp"

using namespace vireo;

namespace {

constexpr uint64_t kFrames = 2048;
constexpr uint64_t kReserved = 16;  // frames 0-15 are never free
constexpr uint64_t kGuestVa = 0x400000;
constexpr size_t kGuestSize = 64 * 1024;
constexpr int64_t kEperm = -1, kEsrch = -3, kEnomem = -12, kEfault = -14, kEinval = -22, kEnosys = -38;

std::vector<uint8_t> g_memory(kFrames * 4096);
std::vector<uint64_t> g_m2p(kFrames);
std::vector<uint8_t> g_guest(kGuestSize);
unsigned g_flushes = 0;

void* map_machine(uint64_t maddr) { return &g_memory.at(maddr); }
void m2p_set(uint64_t mfn, uint64_t pfn) { g_m2p.at(mfn) = pfn; }
void flush_tlb_local() { ++g_flushes; }

bool in_guest(uint64_t va, size_t n) { return va >= kGuestVa && va - kGuestVa <= kGuestSize - n; }

Status copy_from_guest(void* dst, uint64_t va, size_t n)
{
    if (!in_guest(va, n))
        return Status::FAULT;
    std::memcpy(dst, &g_guest[va - kGuestVa], n);
    return Status::OK;
}

Status copy_to_guest(uint64_t va, const void* src, size_t n)
{
    if (!in_guest(va, n))
        return Status::FAULT;
    std::memcpy(&g_guest[va - kGuestVa], src, n);
    return Status::OK;
}

class MemoryOp : public ::testing::Test {
protected:
    MemoryMap map;
    std::vector<PageInfo> entries = std::vector<PageInfo>(kFrames);
    Domain* dom0 = nullptr;
    Domain* domu = nullptr;
    uint64_t next_guest = 0;  // bump allocator in g_guest

    void SetUp() override
    {
        Platform ops{};
        ops.map_machine = map_machine;
        ops.m2p_set = m2p_set;
        ops.copy_from_guest = copy_from_guest;
        ops.copy_to_guest = copy_to_guest;
        ops.flush_tlb_local = flush_tlb_local;
        ops.max_device_mfn = 1ull << 28;
        platform_install(ops);
        std::fill(g_memory.begin(), g_memory.end(), 0xa5);  // free memory is not zero
        std::fill(g_m2p.begin(), g_m2p.end(), kInvalidM2p);
        std::fill(g_guest.begin(), g_guest.end(), 0);
        g_flushes = 0;
        frame_table().init(entries.data(), kFrames);
        ASSERT_EQ(map.add(0, kFrames * 4096, 1), Status::OK);
        ASSERT_EQ(map.reserve(0, kReserved * 4096), Status::OK);
        frame_allocator().init(frame_table(), map);
        dom0 = domain_create(0, "dom0", true);
        domu = domain_create(7, "domu", false);
        ASSERT_TRUE(dom0 && domu);
        for (Domain* d : {dom0, domu}) {
            d->max_pages = 64;
            d->tot_pages = 0;
            d->state = DomainState::RUNNING;
        }
    }
    void TearDown() override
    {
        domain_destroy(*dom0);
        domain_destroy(*domu);
    }

    // A frame the domain owns and counts, as the builder leaves it.
    Mfn give(Domain& d)
    {
        Result<Mfn> r = reservation_grow(d, 0, 0);
        EXPECT_TRUE(r.ok());
        return r.value();
    }
    uint8_t* frame(Mfn m) { return &g_memory[m.raw * 4096]; }

    // Room in guest memory for n bytes; returns its guest address.
    uint64_t guest_alloc(size_t n)
    {
        uint64_t va = kGuestVa + next_guest;
        next_guest += (n + 15) & ~size_t{15};
        EXPECT_LE(next_guest, kGuestSize);
        return va;
    }
    template <typename T>
    T* at(uint64_t va) { return reinterpret_cast<T*>(&g_guest[va - kGuestVa]); }
    uint64_t list_of(std::initializer_list<uint64_t> values)
    {
        uint64_t va = guest_alloc(values.size() * 8);
        uint64_t* p = at<uint64_t>(va);
        for (uint64_t v : values)
            *p++ = v;
        return va;
    }
    uint64_t reservation(uint64_t list, uint64_t nr, uint32_t order = 0, uint16_t domid = xen::DOMID_SELF,
                         uint32_t flags = 0)
    {
        uint64_t va = guest_alloc(sizeof(xen::xen_memory_reservation));
        *at<xen::xen_memory_reservation>(va) = {list, nr, order, flags, domid, {}};
        return va;
    }
    int64_t call(Domain& d, uint64_t cmd, uint64_t arg)
    {
        HypercallArgs args{xen::HYPERVISOR_memory_op, {cmd, arg, 0, 0, 0, 0}};
        return do_memory_op(d.vcpus[0], args);
    }
    // Runs a call to completion as a guest would, counting the restarts.
    int64_t call_all(Domain& d, uint64_t cmd, uint64_t arg, unsigned& restarts)
    {
        HypercallArgs args{xen::HYPERVISOR_memory_op, {cmd, arg, 0, 0, 0, 0}};
        restarts = 0;
        for (;;) {
            int64_t r = do_memory_op(d.vcpus[0], args);
            if (r != kHypercallRestart)
                return r;
            ++restarts;
        }
    }
};

}  // namespace

TEST_F(MemoryOp, ContiguousRunsAreAlignedBelowTheLimitAndLeaveTheFreeList)
{
    uint64_t before = frame_allocator().free_frames();
    Mfn taken = frame_allocator().alloc(3).value();  // makes the first aligned run of 8 busy
    Result<Mfn> run = frame_allocator().alloc_contiguous(3, 0, 3);
    ASSERT_TRUE(run.ok());
    EXPECT_EQ(run.value().raw % 8, 0u);
    EXPECT_GT(run.value().raw, taken.raw);
    for (uint64_t k = 0; k < 8; ++k)
        EXPECT_EQ(frame_table().get(run.value() + k)->owner, 3);
    EXPECT_EQ(frame_allocator().free_frames(), before - 9);
    // None of them is handed out again.
    for (uint64_t n = frame_allocator().free_frames(); n; --n) {
        Mfn m = frame_allocator().alloc(4).value();
        EXPECT_TRUE(m.raw < run.value().raw || m.raw >= run.value().raw + 8);
    }
    EXPECT_EQ(frame_allocator().alloc_contiguous(0, 0, 4).status(), Status::NO_MEMORY);
}

TEST_F(MemoryOp, ContiguousRunsRespectTheLimit)
{
    EXPECT_EQ(frame_allocator().alloc_contiguous(4, kReserved, 3).status(), Status::NO_MEMORY);
    Result<Mfn> r = frame_allocator().alloc_contiguous(4, 2 * kReserved, 3);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r.value().raw, kReserved);
}

TEST_F(MemoryOp, PopulateNamesNewZeroedFramesAndWritesThemBack)
{
    uint64_t list = list_of({100, 200, 300});
    EXPECT_EQ(call(*domu, xen::XENMEM_populate_physmap, reservation(list, 3)), 3);
    EXPECT_EQ(domu->tot_pages, 3u);
    for (unsigned i = 0; i < 3; ++i) {
        Mfn m(at<uint64_t>(list)[i]);
        EXPECT_EQ(g_m2p[m.raw], 100u * (i + 1));
        EXPECT_EQ(frame_table().get(m)->owner, domu->id);
        EXPECT_EQ(frame(m)[0], 0);
        EXPECT_EQ(frame(m)[4095], 0);
    }
}

TEST_F(MemoryOp, IncreaseReportsFramesWithoutNamingThem)
{
    uint64_t list = list_of({0, 0});
    EXPECT_EQ(call(*domu, xen::XENMEM_increase_reservation, reservation(list, 2)), 2);
    EXPECT_EQ(g_m2p[at<uint64_t>(list)[1]], kInvalidM2p);
    EXPECT_EQ(call(*domu, xen::XENMEM_increase_reservation, reservation(0, 2)), 2);  // a null list is allowed
    EXPECT_EQ(domu->tot_pages, 4u);
    // A list the guest cannot receive: the extent goes straight back.
    EXPECT_EQ(call(*domu, xen::XENMEM_increase_reservation, reservation(0x1000, 1)), 0);
    EXPECT_EQ(domu->tot_pages, 4u);
}

TEST_F(MemoryOp, NeverPastMaxPages)
{
    domu->max_pages = 5;
    give(*domu), give(*domu), give(*domu);
    uint64_t list = list_of({1, 2, 3, 4});
    EXPECT_EQ(call(*domu, xen::XENMEM_populate_physmap, reservation(list, 4)), 2);
    EXPECT_EQ(domu->tot_pages, 5u);
    EXPECT_EQ(call(*domu, xen::XENMEM_increase_reservation, reservation(0, 1)), 0);
    // An extent that does not fit whole is not started.
    domu->max_pages = 7;
    EXPECT_EQ(call(*domu, xen::XENMEM_populate_physmap, reservation(list, 1, 2)), 0);
    EXPECT_EQ(domu->tot_pages, 5u);
}

TEST_F(MemoryOp, DecreaseRefusesOnlyFramesThatAreNotItsToGive)
{
    Mfn idle = give(*domu), shared = give(*domu), ring = give(*domu);
    Mfn foreign = give(*dom0);
    domu->shared_info_maddr = shared.raw << 12;
    domu->console_ring_maddr = ring.raw << 12;
    std::memset(frame(idle), 0x77, 4096);
    g_m2p[idle.raw] = 42;
    uint64_t free_before = frame_allocator().free_frames();

    for (Mfn refused : {shared, ring, foreign, Mfn(0), Mfn(kFrames + 5)})
        EXPECT_EQ(call(*domu, xen::XENMEM_decrease_reservation, reservation(list_of({refused.raw}), 1)), 0)
            << "frame " << refused.raw;
    EXPECT_EQ(domu->tot_pages, 3u);
    EXPECT_EQ(g_flushes, 0u);

    EXPECT_EQ(call(*domu, xen::XENMEM_decrease_reservation, reservation(list_of({idle.raw, shared.raw}), 2)), 1);
    EXPECT_EQ(domu->tot_pages, 2u);
    EXPECT_EQ(frame_table().get(idle)->owner, kOwnerFree);
    EXPECT_EQ(frame(idle)[0], 0);  // scrubbed
    EXPECT_EQ(frame(idle)[4095], 0);
    EXPECT_EQ(g_m2p[idle.raw], kInvalidM2p);
    EXPECT_EQ(frame_allocator().free_frames(), free_before + 1);
    EXPECT_EQ(g_flushes, 1u);
}

// Xen 4.17 (guest_remove_page, put_page): a frame still held is taken at
// once and freed, uncounted, with its last reference.
TEST_F(MemoryOp, DecreaseOfAFrameInUseFreesItWithItsLastReference)
{
    Mfn mapped = give(*domu), typed = give(*domu);
    ASSERT_EQ(frame_table().get_page(mapped, domu->id), Status::OK);  // as a mapping holds it
    ASSERT_EQ(frame_table().get_type(typed, PageType::WRITABLE, nullptr), Status::OK);
    std::memset(frame(mapped), 0x77, 4096);
    g_m2p[mapped.raw] = 42;
    uint64_t free_before = frame_allocator().free_frames();

    EXPECT_EQ(call(*domu, xen::XENMEM_decrease_reservation, reservation(list_of({mapped.raw, typed.raw}), 2)), 2);
    EXPECT_EQ(domu->tot_pages, 2u);
    EXPECT_EQ(frame_allocator().free_frames(), free_before);
    EXPECT_EQ(frame_table().get(mapped)->owner, domu->id);
    EXPECT_EQ(frame_table().get(mapped)->count, 1u);
    EXPECT_EQ(frame(mapped)[100], 0x77);
    EXPECT_EQ(g_m2p[mapped.raw], 42u);

    ASSERT_EQ(frame_table().put_page(mapped), Status::OK);
    EXPECT_EQ(frame_table().get(mapped)->owner, kOwnerFree);
    EXPECT_EQ(frame(mapped)[100], 0);
    EXPECT_EQ(g_m2p[mapped.raw], kInvalidM2p);
    EXPECT_EQ(domu->tot_pages, 1u);
    ASSERT_EQ(frame_table().put_type(typed, nullptr), Status::OK);
    EXPECT_EQ(frame_table().get(typed)->owner, kOwnerFree);
    EXPECT_EQ(domu->tot_pages, 0u);
    EXPECT_EQ(frame_allocator().free_frames(), free_before + 2);
}

TEST_F(MemoryOp, DecreaseOfAnExtentStopsAtTheFirstRefusedFrame)
{
    Result<Mfn> run = reservation_grow(*domu, 2, 0);
    ASSERT_TRUE(run.ok());
    domu->shared_info_maddr = (run.value().raw + 2) << 12;
    EXPECT_EQ(call(*domu, xen::XENMEM_decrease_reservation, reservation(list_of({run.value().raw}), 1, 2)), 0);
    EXPECT_EQ(domu->tot_pages, 2u);  // frames 0 and 1 went, as in Xen
    EXPECT_EQ(frame_table().get(run.value() + 3)->owner, domu->id);
}

TEST_F(MemoryOp, BadArgumentsEndTheListWithTheCountSoFar)
{
    uint64_t list = list_of({1});
    EXPECT_EQ(call(*domu, xen::XENMEM_populate_physmap, 0x1000), 0);
    EXPECT_EQ(call(*domu, xen::XENMEM_populate_physmap, reservation(0xffff800000000000ull, 1)), 0);
    EXPECT_EQ(call(*domu, xen::XENMEM_populate_physmap, reservation(0x1000, 1)), 0);
    EXPECT_EQ(call(*domu, xen::XENMEM_populate_physmap, reservation(list, 1ull << 58)), 0);
    EXPECT_EQ(call(*domu, xen::XENMEM_populate_physmap, reservation(list, 1, 10)), 0);  // domU max order 9
    EXPECT_EQ(call(*domu, xen::XENMEM_populate_physmap, reservation(list, 1, 0, 999)), 0);
    EXPECT_EQ(call(*domu, xen::XENMEM_populate_physmap, reservation(list, 1, 0, 0)), 0);  // dom0's: not ours
    EXPECT_EQ(call(*domu, xen::XENMEM_populate_physmap, reservation(list, 1, 0, xen::DOMID_SELF, 12)), 0);
    EXPECT_EQ(call(*domu, xen::XENMEM_populate_physmap | (5 << xen::MEMOP_EXTENT_SHIFT), reservation(list, 3)), 5);
    EXPECT_EQ(domu->tot_pages, 0u);
    // The privileged domain may fill another's reservation.
    EXPECT_EQ(call(*dom0, xen::XENMEM_populate_physmap, reservation(list, 1, 0, domu->id)), 1);
    EXPECT_EQ(domu->tot_pages, 1u);
}

TEST_F(MemoryOp, AddressBitsKeepNewFramesLow)
{
    uint64_t list = list_of({9});
    // 2^(12 + 5) bytes: frames below 32; frames 16-31 are free.
    EXPECT_EQ(call(*domu, xen::XENMEM_populate_physmap, reservation(list, 1, 0, xen::DOMID_SELF, 17)), 1);
    EXPECT_LT(at<uint64_t>(list)[0], 32u);
}

TEST_F(MemoryOp, LongListsContinueWithTheirProgressInCmd)
{
    domu->max_pages = 1000;
    constexpr uint64_t kN = 600;
    uint64_t list = guest_alloc(kN * 8);
    for (uint64_t i = 0; i < kN; ++i)
        at<uint64_t>(list)[i] = 1000 + i;
    HypercallArgs args{xen::HYPERVISOR_memory_op, {xen::XENMEM_populate_physmap, reservation(list, kN), 0, 0, 0, 0}};
    ASSERT_EQ(do_memory_op(domu->vcpus[0], args), kHypercallRestart);
    uint64_t done = args.a[0] >> xen::MEMOP_EXTENT_SHIFT;
    EXPECT_EQ(args.a[0] & xen::MEMOP_CMD_MASK, xen::XENMEM_populate_physmap);
    EXPECT_GT(done, 0u);
    EXPECT_LT(done, kN);
    EXPECT_EQ(domu->tot_pages, done);
    unsigned restarts = 0;
    EXPECT_EQ(call_all(*domu, args.a[0], args.a[1], restarts), static_cast<int64_t>(kN));
    EXPECT_EQ(domu->tot_pages, kN);
    EXPECT_EQ(g_m2p[at<uint64_t>(list)[kN - 1]], 1000 + kN - 1);

    EXPECT_EQ(call_all(*domu, xen::XENMEM_decrease_reservation, reservation(list, kN), restarts),
              static_cast<int64_t>(kN));
    EXPECT_GE(restarts, 2u);
    EXPECT_EQ(domu->tot_pages, 0u);
    EXPECT_EQ(g_flushes, restarts + 1);  // every round ends with a flush
}

TEST_F(MemoryOp, ReservationSizes)
{
    give(*domu), give(*domu);
    uint64_t self = guest_alloc(2), other = guest_alloc(2), missing = guest_alloc(2);
    *at<uint16_t>(self) = xen::DOMID_SELF;
    *at<uint16_t>(other) = 0;
    *at<uint16_t>(missing) = 999;
    EXPECT_EQ(call(*domu, xen::XENMEM_current_reservation, self), 2);
    EXPECT_EQ(call(*domu, xen::XENMEM_maximum_reservation, self), 64);
    EXPECT_EQ(call(*domu, xen::XENMEM_current_reservation, other), kEperm);
    EXPECT_EQ(call(*domu, xen::XENMEM_current_reservation, missing), kEsrch);
    EXPECT_EQ(call(*domu, xen::XENMEM_current_reservation, 0x1000), kEfault);
    EXPECT_EQ(call(*domu, xen::XENMEM_current_reservation | (1 << xen::MEMOP_EXTENT_SHIFT), self), kEinval);
    *at<uint16_t>(other) = domu->id;
    EXPECT_EQ(call(*dom0, xen::XENMEM_current_reservation, other), 2);
    EXPECT_EQ(call(*domu, xen::XENMEM_maximum_ram_page, 0), static_cast<int64_t>(kFrames));
    // maximum_gpfn: what the guest wrote into shared_info (a count).
    Mfn si = frame_allocator().alloc(domu->id).value();
    domu->shared_info_maddr = si.raw << 12;
    reinterpret_cast<xen::shared_info*>(frame(si))->arch.max_pfn = 0;
    EXPECT_EQ(call(*domu, xen::XENMEM_maximum_gpfn, self), 0);
    reinterpret_cast<xen::shared_info*>(frame(si))->arch.max_pfn = 100;
    EXPECT_EQ(call(*domu, xen::XENMEM_maximum_gpfn, self), 99);
}

TEST_F(MemoryOp, MachphysMapping)
{
    uint64_t va = guest_alloc(sizeof(xen::xen_machphys_mapping));
    ASSERT_EQ(call(*domu, xen::XENMEM_machphys_mapping, va), 0);
    auto* m = at<xen::xen_machphys_mapping>(va);
    EXPECT_EQ(m->v_start, xen::MACH2PHYS_VIRT_START);
    EXPECT_EQ(m->v_end, xen::MACH2PHYS_VIRT_END);
    EXPECT_EQ(m->max_mfn, xen::MACH2PHYS_NR_ENTRIES - 1);
    ASSERT_EQ(call(*dom0, xen::XENMEM_machphys_mapping, va), 0);
    EXPECT_EQ(m->max_mfn, kFrames - 1);
    EXPECT_EQ(call(*dom0, xen::XENMEM_machphys_mapping, 0x1000), kEfault);
    EXPECT_EQ(call(*dom0, xen::XENMEM_machphys_mapping | (1 << xen::MEMOP_EXTENT_SHIFT), va), kEnosys);
}

TEST_F(MemoryOp, MemoryMapIsOneRamEntryForADomUAndNoneForDom0)
{
    uint64_t buf = guest_alloc(4 * sizeof(xen::e820entry)), va = guest_alloc(sizeof(xen::xen_memory_map));
    *at<xen::xen_memory_map>(va) = {4, 0, buf};
    ASSERT_EQ(call(*domu, xen::XENMEM_memory_map, va), 0);
    EXPECT_EQ(at<xen::xen_memory_map>(va)->nr_entries, 1u);
    auto* e = at<xen::e820entry>(buf);
    EXPECT_EQ(e->addr, 0u);
    EXPECT_EQ(e->size, 64u * 4096);
    EXPECT_EQ(e->type, xen::E820_RAM);
    EXPECT_EQ(call(*dom0, xen::XENMEM_memory_map, va), kEnosys);
    EXPECT_EQ(call(*domu, xen::XENMEM_memory_map, 0x1000), kEfault);
    *at<xen::xen_memory_map>(va) = {4, 0, 0x1000};
    EXPECT_EQ(call(*domu, xen::XENMEM_memory_map, va), kEfault);
}

TEST_F(MemoryOp, MachineMapAddsTheKeptRangesInItsHoles)
{
    MachineMemory& mm = machine_memory();
    mm = MachineMemory{};
    ASSERT_EQ(mm.firmware.add(0, 0x9fc00, 1), Status::OK);
    ASSERT_EQ(mm.firmware.add(0x100000, 0x1ff00000, 1), Status::OK);
    ASSERT_EQ(mm.firmware.add(0xfffc0000, 0x40000, 2), Status::OK);
    ASSERT_TRUE(mm.keep(0xfee00000, 0xfef00000));
    ASSERT_TRUE(mm.keep(0xfec00000, 0xfec01000));
    uint64_t buf = guest_alloc(8 * sizeof(xen::e820entry)), va = guest_alloc(sizeof(xen::xen_memory_map));

    *at<xen::xen_memory_map>(va) = {8, 0, buf};
    EXPECT_EQ(call(*domu, xen::XENMEM_machine_memory_map, va), kEperm);
    ASSERT_EQ(call(*dom0, xen::XENMEM_machine_memory_map, va), 0);
    ASSERT_EQ(at<xen::xen_memory_map>(va)->nr_entries, 5u);
    auto* e = at<xen::e820entry>(buf);
    EXPECT_EQ(e[0].addr + e[0].size, 0x9fc00u);
    EXPECT_EQ(e[1].addr, 0x100000u);
    EXPECT_EQ(e[2].addr, 0xfec00000u);
    EXPECT_EQ(e[2].type, xen::E820_RESERVED);
    EXPECT_EQ(e[3].addr, 0xfee00000u);
    EXPECT_EQ(e[3].size, 0x100000u);
    EXPECT_EQ(e[4].addr, 0xfffc0000u);

    *at<xen::xen_memory_map>(va) = {0, 0, 0};
    ASSERT_EQ(call(*dom0, xen::XENMEM_machine_memory_map, va), 0);
    EXPECT_EQ(at<xen::xen_memory_map>(va)->nr_entries, 5u);
    *at<xen::xen_memory_map>(va) = {3, 0, buf};
    EXPECT_EQ(call(*dom0, xen::XENMEM_machine_memory_map, va), kEinval);
    *at<xen::xen_memory_map>(va) = {5, 0, buf};  // room for the firmware's, not for the holes'
    EXPECT_EQ(call(*dom0, xen::XENMEM_machine_memory_map, va), kEinval);
    *at<xen::xen_memory_map>(va) = {8, 0, 0xffff800000000000ull};
    EXPECT_EQ(call(*dom0, xen::XENMEM_machine_memory_map, va), kEfault);
    mm = MachineMemory{};
}

TEST_F(MemoryOp, ExchangeTradesForAContiguousExtent)
{
    Mfn in[4] = {give(*domu), give(*domu), give(*domu), give(*domu)};
    std::memset(frame(in[1]), 0x33, 4096);
    uint64_t in_list = list_of({in[0].raw, in[1].raw, in[2].raw, in[3].raw}), out_list = list_of({500});
    uint64_t va = guest_alloc(sizeof(xen::xen_memory_exchange));
    *at<xen::xen_memory_exchange>(va) = {{in_list, 4, 0, 0, xen::DOMID_SELF, {}},
                                         {out_list, 1, 2, xen::XENMEMF_address_bits(12 + 10), xen::DOMID_SELF, {}},
                                         0};
    ASSERT_EQ(call(*domu, xen::XENMEM_exchange, va), 0);
    EXPECT_EQ(at<xen::xen_memory_exchange>(va)->nr_exchanged, 4u);
    Mfn base(at<uint64_t>(out_list)[0]);
    EXPECT_EQ(base.raw % 4, 0u);
    EXPECT_LT(base.raw, 1024u);
    for (unsigned k = 0; k < 4; ++k) {
        EXPECT_EQ(g_m2p[base.raw + k], 500u + k);
        EXPECT_EQ(frame_table().get(base + k)->owner, domu->id);
        EXPECT_EQ(frame_table().get(in[k])->owner, kOwnerFree);
    }
    EXPECT_EQ(frame(in[1])[7], 0);  // scrubbed
    EXPECT_EQ(domu->tot_pages, 4u);
}

TEST_F(MemoryOp, ExchangeIsAllOrNothing)
{
    Mfn a = give(*domu), b = give(*domu);
    ASSERT_EQ(frame_table().get_page(b, domu->id), Status::OK);  // still mapped
    uint64_t free_before = frame_allocator().free_frames();
    uint64_t in_list = list_of({a.raw, b.raw}), out_list = list_of({0});
    uint64_t va = guest_alloc(sizeof(xen::xen_memory_exchange));
    auto set = [&](uint64_t nr_in, uint32_t in_order, uint64_t nr_out, uint32_t out_order) {
        *at<xen::xen_memory_exchange>(va) = {{in_list, nr_in, in_order, 0, xen::DOMID_SELF, {}},
                                             {out_list, nr_out, out_order, 0, xen::DOMID_SELF, {}},
                                             0};
    };
    set(2, 0, 1, 1);
    EXPECT_EQ(call(*domu, xen::XENMEM_exchange, va), kEinval);
    EXPECT_EQ(at<xen::xen_memory_exchange>(va)->nr_exchanged, 0u);
    EXPECT_EQ(frame_table().get(a)->count, 1u);  // the claim on a was dropped
    EXPECT_EQ(frame_allocator().free_frames(), free_before);
    EXPECT_EQ(domu->tot_pages, 2u);

    *at<uint64_t>(in_list + 8) = a.raw;  // the same frame twice
    set(2, 0, 1, 1);
    EXPECT_EQ(call(*domu, xen::XENMEM_exchange, va), kEinval);
    set(2, 0, 1, 0);
    EXPECT_EQ(call(*domu, xen::XENMEM_exchange, va), kEinval);  // sizes differ
    set(1, 10, 1, 10);
    EXPECT_EQ(call(*domu, xen::XENMEM_exchange, va), kEperm);  // order beyond a domU's
    set(1, 0, 1, 0);
    at<xen::xen_memory_exchange>(va)->out.mem_flags = xen::XENMEMF_address_bits(12);
    EXPECT_EQ(call(*domu, xen::XENMEM_exchange, va), kEnomem);
    EXPECT_EQ(frame_table().get(a)->owner, domu->id);
    EXPECT_EQ(call(*domu, xen::XENMEM_exchange | (1 << xen::MEMOP_EXTENT_SHIFT), va), kEinval);
    at<xen::xen_memory_exchange>(va)->in.domid = 999;
    at<xen::xen_memory_exchange>(va)->out.domid = 999;
    at<xen::xen_memory_exchange>(va)->out.mem_flags = 0;
    EXPECT_EQ(call(*domu, xen::XENMEM_exchange, va), kEsrch);
}

TEST_F(MemoryOp, LongExchangesContinueWithProgressInTheirStructure)
{
    domu->max_pages = 1000;
    constexpr uint64_t kN = 600;
    uint64_t in_list = guest_alloc(kN * 8), out_list = guest_alloc(kN * 8);
    for (uint64_t i = 0; i < kN; ++i) {
        at<uint64_t>(in_list)[i] = give(*domu).raw;
        at<uint64_t>(out_list)[i] = i;
    }
    uint64_t va = guest_alloc(sizeof(xen::xen_memory_exchange));
    *at<xen::xen_memory_exchange>(va) = {{in_list, kN, 0, 0, xen::DOMID_SELF, {}},
                                         {out_list, kN, 0, 0, xen::DOMID_SELF, {}},
                                         0};
    HypercallArgs args{xen::HYPERVISOR_memory_op, {xen::XENMEM_exchange, va, 0, 0, 0, 0}};
    ASSERT_EQ(do_memory_op(domu->vcpus[0], args), kHypercallRestart);
    EXPECT_EQ(args.a[0], xen::XENMEM_exchange);
    uint64_t part = at<xen::xen_memory_exchange>(va)->nr_exchanged;
    EXPECT_GT(part, 0u);
    EXPECT_LT(part, kN);
    unsigned restarts = 0;
    EXPECT_EQ(call_all(*domu, args.a[0], va, restarts), 0);
    EXPECT_EQ(at<xen::xen_memory_exchange>(va)->nr_exchanged, kN);
    EXPECT_EQ(domu->tot_pages, kN);
    EXPECT_EQ(g_m2p[at<uint64_t>(out_list)[kN - 1]], kN - 1);
}

TEST_F(MemoryOp, UnknownSubOpsAreNotSupported)
{
    EXPECT_EQ(call(*domu, 63, 0), kEnosys);
    EXPECT_EQ(call(*domu, xen::XENMEM_add_to_physmap, 0), kEnosys);
    EXPECT_EQ(call(*domu, xen::XENMEM_memory_map | (1 << xen::MEMOP_EXTENT_SHIFT), 0), kEnosys);
}
