// The answers the hostile test kernels (guest/kernels/hostile_*.cpp) get,
// checked here on the core alone: Xen 4.17's error codes for page-table
// entries that name the wrong thing, for event ports that exist but are
// closed, and for entry points in the hypervisor's range.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <vector>

#include "abi/event_channel.hpp"
#include "abi/xen.hpp"
#include "hv/core/event_channel.hpp"
#include "hv/core/frame_allocator.hpp"
#include "hv/core/guest_traps.hpp"
#include "hv/core/hypercall.hpp"
#include "hv/core/page_tables.hpp"
#include "hv/core/platform.hpp"
#include "tests/unit/host_pointer_copy.hpp"
#include "tests/unit/fake_machine.hpp"

using namespace vireo;

namespace {

constexpr uint64_t P = 1, RW = 2, PS = 0x80;
constexpr uint64_t kFrames = test::kFakeFrames;
constexpr uint64_t kAllOnesMfn = 0xffffffffffull;


class HostileAnswers : public test::FakeMachine {
protected:
    void SetUp() override
    {
        Platform ops = base_ops();
        ops.copy_from_guest = test::host_copy_from_guest;
        ops.copy_to_guest = test::host_copy_to_guest;
        start(ops, "hostile");
    }

    // A table of `level` whose entry 0 is e, typed (validated) as such.
    Status table_with(unsigned level, uint64_t e)
    {
        Mfn t = alloc();
        table(t)[0] = e;
        return type(t, table_type(level));
    }
};

}  // namespace

TEST_F(HostileAnswers, HigherLevelEntriesNamingAnythingButATableAreInvalid)
{
    Mfn writable = alloc(), l1 = alloc(), foreign = alloc();
    ASSERT_EQ(type(writable, PageType::WRITABLE), Status::OK);
    ASSERT_EQ(type(l1, PageType::L1), Status::OK);
    frame_table().set_owner_unchecked(foreign, kOwnerHypervisor);
    EXPECT_EQ(table_with(2, (writable.raw << 12) | P | RW), Status::INVALID);
    EXPECT_EQ(table_with(2, (foreign.raw << 12) | P | RW), Status::INVALID);
    EXPECT_EQ(table_with(3, ((kFrames + 5) << 12) | P | RW), Status::INVALID);  // beyond RAM
    EXPECT_EQ(table_with(4, (l1.raw << 12) | P | RW), Status::INVALID);         // an L1 as an L3
    EXPECT_EQ(table_with(2, (l1.raw << 12) | P | RW | PS), Status::INVALID);    // a superpage
    // An L1 entry keeps -EBUSY for what it cannot take.
    EXPECT_EQ(table_with(1, (l1.raw << 12) | P | RW), Status::BUSY);
    EXPECT_EQ(table_with(1, (foreign.raw << 12) | P), Status::BUSY);
    EXPECT_EQ(info(writable).type_count, 1u);  // nothing taken or dropped
    EXPECT_EQ(info(l1).type_count, 1u);
}

TEST_F(HostileAnswers, LoopsOfTables)
{
    // L3 a -> L2 b -> a again (as an L1): a type clash, writable or not.
    Mfn a = alloc(), b = alloc(), c = alloc();
    table(a)[0] = (b.raw << 12) | P | RW;
    for (uint64_t flags : {P | RW, P}) {
        table(b)[0] = (a.raw << 12) | flags;
        EXPECT_EQ(type(a, PageType::L3), Status::INVALID) << flags;
        EXPECT_EQ(info(a).type_count, 0u);
        EXPECT_EQ(info(b).type_count, 0u);
        EXPECT_EQ(info(a).count, 1u);
        EXPECT_EQ(info(b).count, 1u);
    }
    // An L3 naming itself: writable is a clash, read-only the self-map.
    table(a)[0] = (a.raw << 12) | P | RW;
    EXPECT_EQ(type(a, PageType::L3), Status::INVALID);
    table(a)[0] = (a.raw << 12) | P;
    EXPECT_EQ(type(a, PageType::L3), Status::OK);
    // L2 b -> L1 c -> b writable: the L1's own error (a table mapped
    // writable) comes through; read-only is fine.
    table(b)[0] = (c.raw << 12) | P | RW;
    table(c)[0] = (b.raw << 12) | P | RW;
    EXPECT_EQ(type(b, PageType::L2), Status::BUSY);
    table(c)[0] = (b.raw << 12) | P;
    EXPECT_EQ(type(b, PageType::L2), Status::OK);
}

TEST_F(HostileAnswers, FramesBeyondMemoryInL1Entries)
{
    // For a domU, device memory is -EPERM, Xen's INVALID_MFN -EINVAL.
    EXPECT_EQ(table_with(1, ((kFrames + 5) << 12) | P), Status::PERMISSION);
    EXPECT_EQ(table_with(1, (kAllOnesMfn << 12) | P), Status::INVALID);
    d->privileged = true;
    EXPECT_EQ(table_with(1, ((kFrames + 5) << 12) | P), Status::OK);  // below max_device_mfn: MMIO
    EXPECT_EQ(table_with(1, (kAllOnesMfn << 12) | P), Status::INVALID);
}

TEST_F(HostileAnswers, EntryPointsAreAnyCanonicalAddress)
{
    EXPECT_TRUE(guest_code_address(0xffffffff80001000ull));
    EXPECT_TRUE(guest_code_address(0xffff830000001000ull));  // the hypervisor's range: faults when used
    EXPECT_FALSE(guest_code_address(0x8000000000001000ull));
}

TEST_F(HostileAnswers, EventPortsThatExistButAreClosed)
{
    d->state = DomainState::RUNNING;
    d->shared_info_maddr = 4096;
    d->nr_vcpus = 1;
    d->vcpus[0].vcpu_info_maddr = 4096;
    Vcpu& v = d->vcpus[0];
    auto op = [&](uint64_t cmd, auto& arg) {
        HypercallArgs args{};
        args.a[0] = cmd;
        args.a[1] = reinterpret_cast<uint64_t>(&arg);
        return do_event_channel_op(v, args);
    };
    xen::evtchn_unmask unmask{0};
    EXPECT_EQ(op(xen::EVTCHNOP_unmask, unmask), 0);  // port 0: reserved, but a port
    unmask.port = 9;                                // never bound
    EXPECT_EQ(op(xen::EVTCHNOP_unmask, unmask), 0);
    unmask.port = kMaxEventPorts;
    EXPECT_EQ(op(xen::EVTCHNOP_unmask, unmask), -22);
    // The vCPU is checked before the port, as by Xen.
    xen::evtchn_bind_vcpu bind{kMaxEventPorts, 5};
    EXPECT_EQ(op(xen::EVTCHNOP_bind_vcpu, bind), -2);
    bind.vcpu = 0;
    EXPECT_EQ(op(xen::EVTCHNOP_bind_vcpu, bind), -22);
    bind.port = 0;
    EXPECT_EQ(op(xen::EVTCHNOP_bind_vcpu, bind), -22);
}
