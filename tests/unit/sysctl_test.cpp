// sysctl physinfo on the fake machine: the free count is the allocator's
// and follows allocations, and the checks come in Xen 4.17's order
// (-EFAULT, then -EACCES for another interface version, then -EPERM).
#include <gtest/gtest.h>

#include <cstring>

#include "abi/sysctl.hpp"
#include "abi/xen.hpp"
#include "hv/core/hypercall.hpp"
#include "tests/unit/fake_machine.hpp"

using namespace vireo;
using namespace vireo::test;

namespace {

constexpr uint64_t kArgVa = 0x10000;
constexpr int64_t kEperm = -1, kEfault = -14, kEacces = -13, kEnosys = -38;

xen::xen_sysctl g_arg;
Status copy_from(void* dst, uint64_t va, size_t n)
{
    if (va != kArgVa || n > sizeof g_arg)
        return Status::FAULT;
    std::memcpy(dst, &g_arg, n);
    return Status::OK;
}
Status copy_to(uint64_t va, const void* src, size_t n)
{
    if (va != kArgVa || n > sizeof g_arg)
        return Status::FAULT;
    std::memcpy(&g_arg, src, n);
    return Status::OK;
}
unsigned two_cpus() { return 2; }

class Sysctl : public FakeMachine {
protected:
    void SetUp() override
    {
        Platform ops = base_ops();
        ops.copy_from_guest = copy_from;
        ops.copy_to_guest = copy_to;
        ops.nr_cpus = two_cpus;
        ops.tsc_hz = 2'000'000'000;
        start(ops, "sysctl");
        d->privileged = true;
        g_arg = {};
        g_arg.cmd = xen::XEN_SYSCTL_physinfo;
        g_arg.interface_version = xen::XEN_SYSCTL_INTERFACE_VERSION;
    }
    int64_t call(uint64_t va = kArgVa)
    {
        HypercallArgs args{};
        args.a[0] = va;
        return do_sysctl(d->vcpus[0], args);
    }
};

TEST_F(Sysctl, PhysinfoReportsTheAllocatorsFramesAndTheCpus)
{
    ASSERT_EQ(call(), 0);
    const xen::xen_sysctl_physinfo& pi = g_arg.u.physinfo;
    EXPECT_EQ(pi.total_pages, kFakeFrames);
    EXPECT_EQ(pi.free_pages, kFakeFrames);
    EXPECT_EQ(pi.nr_cpus, 2u);
    EXPECT_EQ(pi.max_cpu_id, 1u);
    EXPECT_EQ(pi.cpu_khz, 2'000'000u);
    EXPECT_EQ(pi.max_mfn, kFakeFrames - 1);
    EXPECT_TRUE(pi.capabilities & xen::XEN_SYSCTL_PHYSCAP_pv);
}

TEST_F(Sysctl, FreePagesFollowAllocationAndFreeing)
{
    Mfn a = alloc(), b = alloc();
    ASSERT_EQ(call(), 0);
    EXPECT_EQ(g_arg.u.physinfo.free_pages, kFakeFrames - 2);
    ASSERT_EQ(frame_allocator().free(a, d->id), Status::OK);
    ASSERT_EQ(frame_allocator().free(b, d->id), Status::OK);
    ASSERT_EQ(call(), 0);
    EXPECT_EQ(g_arg.u.physinfo.free_pages, kFakeFrames);
    EXPECT_EQ(g_arg.u.physinfo.total_pages, kFakeFrames);
}

TEST_F(Sysctl, AnUnprivilegedDomainGetsEperm)
{
    d->privileged = false;
    EXPECT_EQ(call(), kEperm);
}

TEST_F(Sysctl, ChecksComeInXensOrder)
{
    d->privileged = false;
    EXPECT_EQ(call(kArgVa + 4096), kEfault);  // unreadable before anything else
    g_arg.interface_version = 0x14;
    EXPECT_EQ(call(), kEacces);  // the version before the privilege
    d->privileged = true;
    EXPECT_EQ(call(), kEacces);
}

TEST_F(Sysctl, AnUnknownCommandIsEnosys)
{
    g_arg.cmd = 1;  // readconsole: not implemented
    EXPECT_EQ(call(), kEnosys);
}

}  // namespace
