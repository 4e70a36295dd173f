// platform_op on a fake machine: the answers Linux gets as dom0 while it
// boots (Xen 4.17's for a multiboot machine without EFI), the privilege and
// version checks, the wall clock, and S5.
#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "abi/platform.hpp"
#include "abi/xen.hpp"
#include "hv/core/hypercall.hpp"
#include "hv/core/platform.hpp"

using namespace vireo;

namespace {

constexpr uint64_t kGuestVa = 0x400000;
constexpr int64_t kEperm = -1, kEsrch = -3, kEacces = -13, kEinval = -22, kEnosys = -38;

std::vector<uint8_t> g_guest(4096);
std::vector<uint8_t> g_memory(2 * 4096);  // frame 1: dom0's shared_info

void* map_machine(uint64_t maddr) { return &g_memory.at(maddr); }
Status copy_from_guest(void* dst, uint64_t va, size_t n)
{
    if (va < kGuestVa || va - kGuestVa + n > g_guest.size())
        return Status::FAULT;
    std::memcpy(dst, &g_guest[va - kGuestVa], n);
    return Status::OK;
}
Status copy_to_guest(uint64_t va, const void* src, size_t n)
{
    if (va < kGuestVa || va - kGuestVa + n > g_guest.size())
        return Status::FAULT;
    std::memcpy(&g_guest[va - kGuestVa], src, n);
    return Status::OK;
}
unsigned two_cpus() { return 2; }
uint32_t apic_id(unsigned cpu) { return 4 * cpu; }
int g_power_off = -1;  // the exit value the machine stopped with
void power_off(uint8_t value) { g_power_off = value; }

class PlatformOp : public ::testing::Test {
protected:
    Domain* dom0 = nullptr;
    Domain* domu = nullptr;

    void SetUp() override
    {
        Platform ops{};
        ops.map_machine = map_machine;
        ops.copy_from_guest = copy_from_guest;
        ops.copy_to_guest = copy_to_guest;
        ops.nr_cpus = two_cpus;
        ops.cpu_apic_id = apic_id;
        ops.boot_wallclock_sec = 1000;
        ops.power_off = power_off;
        g_power_off = -1;
        platform_install(ops);
        std::fill(g_guest.begin(), g_guest.end(), 0);
        std::fill(g_memory.begin(), g_memory.end(), 0);
        dom0 = domain_create(0, "dom0", true);
        domu = domain_create(9, "domu", false);
        ASSERT_TRUE(dom0 && domu);
        dom0->state = domu->state = DomainState::RUNNING;
        dom0->shared_info_maddr = 4096;
    }
    void TearDown() override
    {
        domain_destroy(*dom0);
        domain_destroy(*domu);
    }

    xen::xen_platform_op& op() { return *reinterpret_cast<xen::xen_platform_op*>(g_guest.data()); }
    int64_t call(Domain& d, uint32_t cmd)
    {
        op().cmd = cmd;
        op().interface_version = xen::XENPF_INTERFACE_VERSION;
        HypercallArgs args{xen::HYPERVISOR_platform_op, {kGuestVa, 0, 0, 0, 0, 0}};
        return do_platform_op(d.vcpus[0], args);
    }
    int64_t firmware_info(uint32_t type, uint32_t index)
    {
        op().u.firmware_info.type = type;
        op().u.firmware_info.index = index;
        return call(*dom0, xen::XENPF_firmware_info);
    }
    const xen::shared_info& shared_info() { return *reinterpret_cast<xen::shared_info*>(&g_memory[4096]); }
};

}  // namespace

TEST_F(PlatformOp, OnlyTheHardwareDomainWithXensInterfaceVersion)
{
    EXPECT_EQ(call(*domu, xen::XENPF_get_cpuinfo), kEperm);
    op().cmd = xen::XENPF_get_cpuinfo;
    op().interface_version = 0x03000000;
    HypercallArgs args{xen::HYPERVISOR_platform_op, {kGuestVa, 0, 0, 0, 0, 0}};
    EXPECT_EQ(do_platform_op(dom0->vcpus[0], args), kEacces);
    HypercallArgs bad{xen::HYPERVISOR_platform_op, {0x1000, 0, 0, 0, 0, 0}};
    EXPECT_EQ(do_platform_op(dom0->vcpus[0], bad), -14);
    EXPECT_EQ(call(*dom0, 999), kEnosys);
}

TEST_F(PlatformOp, FirmwareInfoAsXenWithoutBiosData)
{
    EXPECT_EQ(firmware_info(xen::XEN_FW_DISK_INFO, 0), kEsrch);
    EXPECT_EQ(firmware_info(xen::XEN_FW_DISK_MBR_SIGNATURE, 0), kEsrch);
    EXPECT_EQ(firmware_info(xen::XEN_FW_VBEDDC_INFO, 0), kEsrch);
    EXPECT_EQ(firmware_info(xen::XEN_FW_EFI_INFO, 0), kEnosys);
    op().u.firmware_info.u[0] = 0x5a;
    EXPECT_EQ(firmware_info(xen::XEN_FW_KBD_SHIFT_FLAGS, 0), 0);
    EXPECT_EQ(op().u.firmware_info.u[0], 0);
    EXPECT_EQ(firmware_info(xen::XEN_FW_KBD_SHIFT_FLAGS, 1), kEinval);
    EXPECT_EQ(firmware_info(77, 0), kEinval);
}

TEST_F(PlatformOp, CpuInfoNamesEveryPhysicalCpu)
{
    op().u.pcpu_info.xen_cpuid = 1;
    ASSERT_EQ(call(*dom0, xen::XENPF_get_cpuinfo), 0);
    EXPECT_EQ(op().u.pcpu_info.max_present, 1u);
    EXPECT_EQ(op().u.pcpu_info.flags, xen::XEN_PCPU_FLAGS_ONLINE);
    EXPECT_EQ(op().u.pcpu_info.apic_id, 4u);
    EXPECT_EQ(op().u.pcpu_info.acpi_id, 1u);
    op().u.pcpu_info.xen_cpuid = 2;
    ASSERT_EQ(call(*dom0, xen::XENPF_get_cpuinfo), 0);
    EXPECT_EQ(op().u.pcpu_info.flags, xen::XEN_PCPU_FLAGS_INVALID);
    EXPECT_EQ(op().u.pcpu_info.max_present, 1u);
}

TEST_F(PlatformOp, SettimeMovesEveryDomainsWallClock)
{
    // 12:00:05.25 at system time 2.5 s: the wall clock at system time 0 is
    // 12:00:02.75.
    op().u.settime64 = {43205, 250000000, 0, 2500000000};
    ASSERT_EQ(call(*dom0, xen::XENPF_settime64), 0);
    EXPECT_EQ(shared_info().wc_sec, 43202u);
    EXPECT_EQ(shared_info().wc_nsec, 750000000u);
    EXPECT_EQ(shared_info().wc_version % 2, 0u);
    op().u.settime64 = {1, 0, 1, 0};
    EXPECT_EQ(call(*dom0, xen::XENPF_settime64), kEinval);
    op().u.settime32 = {100, 0, 1000000000};
    ASSERT_EQ(call(*dom0, xen::XENPF_settime32), 0);
    EXPECT_EQ(shared_info().wc_sec, 99u);
    EXPECT_EQ(shared_info().wc_nsec, 0u);
}

TEST_F(PlatformOp, S5PowersOffOtherSleepStatesAreNotSupported)
{
    op().u.enter_acpi_sleep = {0, 0, 3, 0};
    EXPECT_EQ(call(*dom0, xen::XENPF_enter_acpi_sleep), kEnosys);
    op().u.enter_acpi_sleep = {0, 0, 5, 2};
    EXPECT_EQ(call(*dom0, xen::XENPF_enter_acpi_sleep), kEinval);
    EXPECT_EQ(dom0->state, DomainState::RUNNING);
    op().u.enter_acpi_sleep = {0x1c00, 0, 5, 0};
    EXPECT_EQ(call(*dom0, xen::XENPF_enter_acpi_sleep), 0);
    EXPECT_EQ(dom0->state, DomainState::SHUT_DOWN);
    EXPECT_EQ(dom0->shutdown_reason, 0);
    EXPECT_EQ(g_power_off, 0);  // dom0 stopping stops the machine
}
