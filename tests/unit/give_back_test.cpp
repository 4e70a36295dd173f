// decrease_reservation of a frame the guest still uses, through the real
// hypercall handlers on a fake machine. As Xen 4.17 (guest_remove_page,
// put_page): the call succeeds at once, the frame stays the domain's (and
// counted in tot_pages) while anything holds it, and it is scrubbed, its
// M2P entry invalidated and freed exactly when its last reference goes: a
// PTE cleared, an unpin, a GDT replaced, teardown.
#include <gtest/gtest.h>

#include <vector>

#include "abi/memory.hpp"
#include "abi/mmu.hpp"
#include "abi/xen.hpp"
#include "hv/core/descriptors.hpp"
#include "hv/core/domain_teardown.hpp"
#include "hv/core/hypercall.hpp"
#include "hv/core/reservation.hpp"
#include "tests/unit/fake_machine.hpp"
#include "tests/unit/host_pointer_copy.hpp"

using namespace vireo;

namespace {

constexpr uint64_t P = 1, RW = 2;

std::vector<uint64_t> g_m2p(test::kFakeFrames);
void m2p_set(uint64_t mfn, uint64_t pfn) { g_m2p.at(mfn) = pfn; }
void nothing() {}

class GiveBack : public test::FakeMachine {
protected:
    Vcpu* v = nullptr;
    GuestRegs regs{};
    Mfn l1, data;  // data is mapped writable by l1's entry 0; l1 is pinned

    void SetUp() override
    {
        Platform ops = base_ops();
        ops.m2p_set = m2p_set;
        ops.copy_from_guest = test::host_copy_from_guest;
        ops.copy_to_guest = test::host_copy_to_guest;
        ops.flush_tlb_local = nothing;
        start(ops, "give-back");
        std::fill(g_m2p.begin(), g_m2p.end(), kInvalidM2p);
        d->nr_vcpus = 1;
        d->max_pages = 32;
        d->state = DomainState::RUNNING;
        v = &d->vcpus[0];
        v->live_regs = &regs;
        (void)frame_allocator().alloc(kOwnerHypervisor);  // frame 0 is never a guest's
        l1 = grow(10), data = grow(11);
        table(l1)[0] = (data.raw << 12) | P | RW;
        ASSERT_EQ(mmuext(xen::MMUEXT_PIN_L1_TABLE, l1), 0);
        std::memset(table(data), 0x5e, 4096);
    }

    Mfn grow(uint64_t pfn)
    {
        Mfn m = reservation_grow(*d, 0, 0).value();
        reservation_map(m, 0, pfn);
        return m;
    }
    int64_t decrease(Mfn m)
    {
        uint64_t list = m.raw;
        xen::xen_memory_reservation r{reinterpret_cast<uint64_t>(&list), 1, 0, 0, xen::DOMID_SELF, {}};
        HypercallArgs args{xen::HYPERVISOR_memory_op,
                           {xen::XENMEM_decrease_reservation, reinterpret_cast<uint64_t>(&r), 0, 0, 0, 0}};
        return do_memory_op(*v, args);
    }
    int64_t mmuext(unsigned cmd, Mfn m)
    {
        xen::mmuext_op op{};
        op.cmd = cmd;
        op.arg1 = m.raw;
        HypercallArgs args{xen::HYPERVISOR_mmuext_op, {reinterpret_cast<uint64_t>(&op), 1, 0, xen::DOMID_SELF, 0, 0}};
        return do_mmuext_op(*v, args);
    }
    int64_t set_entry(Mfn t, unsigned index, uint64_t value)
    {
        xen::mmu_update u{(t.raw << 12) | (index * 8) | xen::MMU_NORMAL_PT_UPDATE, value};
        HypercallArgs args{xen::HYPERVISOR_mmu_update, {reinterpret_cast<uint64_t>(&u), 1, 0, xen::DOMID_SELF, 0, 0}};
        return do_mmu_update(*v, args);
    }
    bool scrubbed(Mfn m)
    {
        for (unsigned i = 0; i < 512; ++i)
            if (table(m)[i])
                return false;
        return true;
    }
    // Given back, still held: the domain's, counted, untouched.
    void expect_held(Mfn m, uint64_t pfn)
    {
        EXPECT_EQ(info(m).owner, d->id);
        EXPECT_FALSE(info(m).flags & kPageAllocated);
        EXPECT_EQ(g_m2p[m.raw], pfn);
    }
    void expect_freed(Mfn m)
    {
        EXPECT_EQ(info(m).owner, kOwnerFree);
        EXPECT_EQ(info(m).count, 0u);
        EXPECT_EQ(info(m).type_count, 0u);
        EXPECT_TRUE(scrubbed(m));
        EXPECT_EQ(g_m2p[m.raw], kInvalidM2p);
    }
};

TEST_F(GiveBack, AMappedFrameIsFreedWhenItsPteGoes)
{
    uint64_t free_before = frame_allocator().free_frames();
    EXPECT_EQ(decrease(data), 1);
    expect_held(data, 11);
    EXPECT_EQ(table(data)[7], 0x5e5e5e5e5e5e5e5eull);  // still the guest's data, still mapped
    EXPECT_EQ(d->tot_pages, 2u);                       // Xen uncounts it when it is freed
    EXPECT_EQ(frame_allocator().free_frames(), free_before);
    // Again: Xen's guest_remove_page finds no allocation reference to drop.
    EXPECT_EQ(decrease(data), 1);
    expect_held(data, 11);

    EXPECT_EQ(set_entry(l1, 0, 0), 0);  // the last mapping goes
    expect_freed(data);
    EXPECT_EQ(d->tot_pages, 1u);
    EXPECT_EQ(frame_allocator().free_frames(), free_before + 1);
    EXPECT_EQ(decrease(data), 0);  // no longer the domain's
}

// While a given-back frame awaits its last reference, no page-table call
// runs as a domain-local one (hypercall.hpp): dropping a reference could
// reclaim it, which reaches the allocator and every domain's TLBs.
TEST_F(GiveBack, NoLocalPageTableWorkWhileAFrameAwaitsReclaim)
{
    auto local_set_entry = [&](unsigned index, uint64_t value) {
        v->in_local_hypercall = true;
        int64_t r = set_entry(l1, index, value);
        v->in_local_hypercall = false;
        return r;
    };
    EXPECT_EQ(d->frames_awaiting_reclaim, 0u);
    EXPECT_EQ(local_set_entry(1, (data.raw << 12) | P), 0);  // local: nothing awaits
    EXPECT_EQ(decrease(data), 1);
    EXPECT_EQ(d->frames_awaiting_reclaim, 1u);
    EXPECT_EQ(local_set_entry(1, 0), kHypercallNeedsExclusive);
    EXPECT_EQ(table(l1)[1] & ~uint64_t{0xfff}, data.raw << 12);  // untouched
    EXPECT_EQ(set_entry(l1, 1, 0), 0);
    EXPECT_EQ(d->frames_awaiting_reclaim, 1u);  // entry 0 still maps it
    EXPECT_EQ(set_entry(l1, 0, 0), 0);
    expect_freed(data);
    EXPECT_EQ(d->frames_awaiting_reclaim, 0u);
    EXPECT_EQ(local_set_entry(0, 0), 0);
    // Counted per domain: another's frame awaiting reclaim (a hostile
    // domain giving back frames it still maps) changes nothing here.
    Domain* other = domain_create(static_cast<uint16_t>(d->id + 1000), "other", false);
    ASSERT_NE(other, nullptr);
    other->frames_awaiting_reclaim = 1;
    Mfn fresh = grow(12);
    EXPECT_EQ(local_set_entry(3, (fresh.raw << 12) | P), 0);
    domain_destroy(*other);
}

// A privileged domain's page-table work (foreign and device mappings) is
// never domain-local.
TEST_F(GiveBack, APrivilegedDomainsPageTableWorkIsNotLocal)
{
    d->privileged = true;
    v->in_local_hypercall = true;
    EXPECT_EQ(set_entry(l1, 1, (data.raw << 12) | P), kHypercallNeedsExclusive);
    EXPECT_EQ(mmuext(xen::MMUEXT_UNPIN_TABLE, l1), kHypercallNeedsExclusive);
    v->in_local_hypercall = false;
    EXPECT_EQ(table(l1)[1], 0u);
    EXPECT_TRUE(info(l1).flags & kPagePinned);
    d->privileged = false;
}

TEST_F(GiveBack, AFrameMappedTwiceWaitsForBothMappings)
{
    ASSERT_EQ(set_entry(l1, 1, (data.raw << 12) | P), 0);
    EXPECT_EQ(decrease(data), 1);
    EXPECT_EQ(set_entry(l1, 0, 0), 0);
    expect_held(data, 11);
    // A new mapping of it may still be made, as on Xen (the frame is owned).
    EXPECT_EQ(set_entry(l1, 2, (data.raw << 12) | P | RW), 0);
    EXPECT_EQ(set_entry(l1, 1, 0), 0);
    expect_held(data, 11);
    EXPECT_EQ(set_entry(l1, 2, 0), 0);
    expect_freed(data);
    EXPECT_EQ(d->tot_pages, 1u);
}

TEST_F(GiveBack, APinnedTableIsFreedAtUnpinAndDropsWhatItMapped)
{
    EXPECT_EQ(decrease(l1), 1);
    expect_held(l1, 10);
    EXPECT_EQ(info(l1).type, PageType::L1);
    EXPECT_EQ(info(l1).count, 0u);  // only the pin's type reference holds it
    EXPECT_EQ(mmuext(xen::MMUEXT_UNPIN_TABLE, l1), 0);
    expect_freed(l1);
    // Its entry's reference on the data frame went with it.
    EXPECT_EQ(info(data).owner, d->id);
    EXPECT_EQ(info(data).count, 1u);
    EXPECT_EQ(info(data).type_count, 0u);
    EXPECT_EQ(d->tot_pages, 1u);
}

TEST_F(GiveBack, ATableThatMapsItselfIsReadWholeBeforeItIsFreed)
{
    // Entry 1 maps the L1 itself read-only: unpinning drops that reference
    // too, and the entries after it must still be read from the table.
    ASSERT_EQ(set_entry(l1, 1, (l1.raw << 12) | P), 0);
    ASSERT_EQ(set_entry(l1, 2, (data.raw << 12) | P), 0);
    EXPECT_EQ(decrease(l1), 1);
    EXPECT_EQ(mmuext(xen::MMUEXT_UNPIN_TABLE, l1), 0);
    expect_freed(l1);
    EXPECT_EQ(info(data).count, 1u);  // both of its mappings were dropped
    EXPECT_EQ(info(data).type_count, 0u);
}

TEST_F(GiveBack, AnUnpinnedTableIsFreedWhenTheEntryNamingItGoes)
{
    Mfn l2 = grow(12);
    table(l2)[3] = (l1.raw << 12) | P | RW;
    ASSERT_EQ(mmuext(xen::MMUEXT_PIN_L2_TABLE, l2), 0);
    ASSERT_EQ(mmuext(xen::MMUEXT_UNPIN_TABLE, l1), 0);  // typed now only through l2's entry
    EXPECT_EQ(decrease(l1), 1);
    expect_held(l1, 10);
    EXPECT_EQ(info(l1).type, PageType::L1);
    EXPECT_EQ(set_entry(l2, 3, 0), 0);
    expect_freed(l1);
    EXPECT_EQ(info(data).count, 1u);
    EXPECT_EQ(d->tot_pages, 2u);
}

TEST_F(GiveBack, ADescriptorPageIsFreedWhenTheGdtIsReplaced)
{
    Mfn gdt = grow(13);
    uint64_t frames[] = {gdt.raw};
    ASSERT_EQ(set_guest_gdt(*v, frames, 16), Status::OK);
    EXPECT_EQ(decrease(gdt), 1);
    expect_held(gdt, 13);
    EXPECT_EQ(info(gdt).type, PageType::SEG_DESC);
    drop_guest_gdt(*v);
    expect_freed(gdt);
    EXPECT_EQ(d->tot_pages, 2u);
}

TEST_F(GiveBack, TheHypervisorsPagesForTheDomainAreStillRefused)
{
    Mfn si = grow(14);
    d->shared_info_maddr = si.raw << 12;
    EXPECT_EQ(decrease(si), 0);
    EXPECT_TRUE(info(si).flags & kPageAllocated);
    d->shared_info_maddr = 0;
}

TEST_F(GiveBack, TeardownFreesFramesGivenBackAndStillHeld)
{
    Mfn l4 = grow(15), gdt = grow(16);
    ASSERT_EQ(mmuext(xen::MMUEXT_NEW_BASEPTR, l4), 0);
    uint64_t frames[] = {gdt.raw};
    ASSERT_EQ(set_guest_gdt(*v, frames, 16), Status::OK);
    for (Mfn m : {l1, data, l4, gdt})
        EXPECT_EQ(decrease(m), 1);
    EXPECT_EQ(d->tot_pages, 4u);
    uint64_t owned = 0;
    for (uint64_t f = 0; f < test::kFakeFrames; ++f)
        owned += info(Mfn(f)).owner == d->id;
    uint64_t free_before = frame_allocator().free_frames();
    TeardownReport r = domain_release_resources(*d);
    EXPECT_EQ(r.frames_kept, 0u);
    EXPECT_EQ(r.frames_freed, owned);
    EXPECT_EQ(frame_allocator().free_frames(), free_before + owned);
    EXPECT_EQ(d->tot_pages, 0u);
    for (Mfn m : {l1, data, l4, gdt})
        expect_freed(m);
}

}  // namespace
