// The guest's LDT (core/ldt): set_ldt's argument checks (Xen 4.17's
// -EINVAL cases), pages shadowed with the SEG_DESC type (descriptors
// checked and raised) when set or on the first #GP, released when the LDT
// is replaced, when a descriptor page loses a mapping, and at teardown.
#include <gtest/gtest.h>

#include "hv/core/descriptors.hpp"
#include "hv/core/domain_teardown.hpp"
#include "hv/core/ldt.hpp"
#include "tests/unit/fake_machine.hpp"

using namespace vireo;

namespace {

constexpr uint64_t P = 1, RW = 2, U = 4;
constexpr uint64_t kLdtVa = 0x0000000040000000;   // the LDT's first page
constexpr uint64_t kDataDpl0 = 0x00cf92000000ffffull;
constexpr uint64_t kDataDpl3 = 0x00cff2000000ffffull;
constexpr uint64_t kTss64 = 0x0000890000000067ull;
constexpr uint64_t kSelectorError = 4;  // #GP error code: LDT entry 0 (TI)

class Ldt : public test::FakeMachine {
protected:
    Vcpu* v = nullptr;
    Mfn l1, page;  // the L1 mapping the LDT, the LDT's page

    void SetUp() override
    {
        start(base_ops(), "ldt");
        d->nr_vcpus = 1;
        v = &d->vcpus[0];
        (void)alloc();  // frame 0: a base table there would read as none
        Mfn l4 = alloc(), l3 = alloc(), l2 = alloc();
        l1 = alloc(), page = alloc();
        table(l4)[(kLdtVa >> 39) & 511] = (l3.raw << 12) | P | RW | U;
        table(l3)[(kLdtVa >> 30) & 511] = (l2.raw << 12) | P | RW | U;
        table(l2)[(kLdtVa >> 21) & 511] = (l1.raw << 12) | P | RW | U;
        map(page);
        table(page)[1] = kDataDpl0;
        v->kernel_cr3 = l4.raw << 12;
    }
    void map(Mfn m, unsigned slot = 0) { table(l1)[((kLdtVa >> 12) & 511) + slot] = (m.raw << 12) | P | U; }
    void unmap(unsigned slot = 0) { table(l1)[((kLdtVa >> 12) & 511) + slot] = 0; }
};

TEST_F(Ldt, BadArgumentsAreEinvalAsOnXen)
{
    EXPECT_EQ(set_guest_ldt(*v, kLdtVa + 8, 1), Status::INVALID);               // misaligned
    EXPECT_EQ(set_guest_ldt(*v, kLdtVa, kMaxLdtEntries + 1), Status::INVALID);  // too many
    EXPECT_EQ(set_guest_ldt(*v, 0x0000800000000000, 1), Status::INVALID);       // in the hole
    EXPECT_EQ(set_guest_ldt(*v, 0xffff830000000000, 1), Status::INVALID);       // the hypervisor's
    EXPECT_EQ(set_guest_ldt(*v, 0x0000800000000008, 0), Status::OK);            // no entries: no LDT
    EXPECT_EQ(v->ldt_entries, 0u);
    EXPECT_EQ(v->ldt_base, 0u);
    EXPECT_EQ(set_guest_ldt(*v, 0xffff880000000000, kMaxLdtEntries), Status::OK);  // above the range
}

TEST_F(Ldt, AMappedPageIsShadowedCheckedAndReleased)
{
    uint64_t generation = v->ldt_generation;
    ASSERT_EQ(set_guest_ldt(*v, kLdtVa, 2), Status::OK);
    EXPECT_EQ(v->ldt_frames[0], page.raw);
    EXPECT_EQ(info(page).type, PageType::SEG_DESC);
    EXPECT_EQ(info(page).type_count, 1u);
    EXPECT_EQ(info(page).count, 2u);
    EXPECT_EQ(table(page)[1], kDataDpl3);  // raised as in a GDT
    EXPECT_NE(v->ldt_generation, generation);
    // The same LDT again changes nothing; another drops the shadow.
    ASSERT_EQ(set_guest_ldt(*v, kLdtVa, 2), Status::OK);
    EXPECT_EQ(info(page).type_count, 1u);
    ASSERT_EQ(set_guest_ldt(*v, 0, 0), Status::OK);
    EXPECT_EQ(v->ldt_frames[0], 0u);
    EXPECT_EQ(info(page).type_count, 0u);
    EXPECT_EQ(info(page).count, 1u);
}

TEST_F(Ldt, APageThatIsNotADescriptorPageIsNotShadowed)
{
    table(page)[2] = kTss64;
    ASSERT_EQ(set_guest_ldt(*v, kLdtVa, 4), Status::OK);
    EXPECT_EQ(v->ldt_frames[0], 0u);
    EXPECT_EQ(info(page).type_count, 0u);
    EXPECT_EQ(info(page).count, 1u);
    EXPECT_EQ(table(page)[1], kDataDpl0);  // untouched
}

TEST_F(Ldt, APageMappedLaterIsShadowedOnTheFirstFault)
{
    unmap();
    ASSERT_EQ(set_guest_ldt(*v, kLdtVa, 2), Status::OK);
    EXPECT_EQ(v->ldt_frames[0], 0u);
    map(page);
    GuestRegs regs{};
    uint64_t generation = v->ldt_generation;
    EXPECT_TRUE(ldt_fault(*v, regs, kSelectorError));
    EXPECT_EQ(v->ldt_frames[0], page.raw);
    EXPECT_NE(v->ldt_generation, generation);
    // Shadowed now: a #GP on it is the guest's own, and so are GDT
    // selectors and those past the LDT's end.
    EXPECT_FALSE(ldt_fault(*v, regs, kSelectorError));
    EXPECT_FALSE(ldt_fault(*v, regs, 1 << 3));
    EXPECT_FALSE(ldt_fault(*v, regs, (2 << 3) | 4));
}

TEST_F(Ldt, LosingAMappingDropsEveryShadow)
{
    ASSERT_EQ(set_guest_ldt(*v, kLdtVa, 2), Status::OK);
    ASSERT_EQ(info(page).type_count, 1u);
    ldt_mapping_dropped(*d);
    EXPECT_EQ(v->ldt_frames[0], 0u);
    EXPECT_EQ(info(page).type_count, 0u);
    EXPECT_EQ(v->ldt_entries, 2u);  // the LDT stays; its pages are found again
}

TEST_F(Ldt, EveryPageOfALongLdtIsHeldOnce)
{
    Mfn second = alloc();
    map(second, 1);
    map(page, 2);  // the same frame twice: two shadow references
    ASSERT_EQ(set_guest_ldt(*v, kLdtVa, 3 * 512), Status::OK);
    EXPECT_EQ(v->ldt_frames[1], second.raw);
    EXPECT_EQ(v->ldt_frames[2], page.raw);
    EXPECT_EQ(info(page).type_count, 2u);
    drop_guest_ldt(*v);
    EXPECT_EQ(info(page).type_count, 0u);
    EXPECT_EQ(info(page).count, 1u);
    EXPECT_EQ(info(second).type_count, 0u);
    EXPECT_EQ(info(second).count, 1u);
}

TEST_F(Ldt, TeardownReleasesTheShadowAndFreesEveryFrame)
{
    Platform ops = base_ops();
    ops.m2p_set = [](uint64_t, uint64_t) {};
    platform_install(ops);
    ASSERT_EQ(set_guest_ldt(*v, kLdtVa, 2), Status::OK);
    uint64_t free_before = frame_allocator().free_frames();
    TeardownReport r = domain_release_resources(*d);
    EXPECT_EQ(r.frames_kept, 0u);
    EXPECT_EQ(r.frames_freed, 6u);
    EXPECT_EQ(frame_allocator().free_frames(), free_before + 6);
    EXPECT_EQ(info(page).owner, kOwnerFree);
}

}  // namespace
