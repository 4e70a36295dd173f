// Message-signalled interrupts and dom0's configuration-space accesses on a
// fake PCI bus: one device (bus 0, device 3) with an MSI-X capability whose
// table sits at offset 0x800 of BAR 1 (64-bit at 0xfebf0000), and one
// (device 4) with a 64-bit maskable MSI capability.
#include "hv/core/pci_msi.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <map>
#include <vector>

#include "abi/event_channel.hpp"
#include "abi/physdev.hpp"
#include "abi/xen.hpp"
#include "hv/core/domain_teardown.hpp"
#include "hv/core/hypercall.hpp"
#include "hv/core/mmio_ro.hpp"
#include "hv/core/physical_irq.hpp"
#include "hv/core/platform.hpp"
#include "tests/unit/host_pointer_copy.hpp"
#include "hv/core/port_io.hpp"

using namespace vireo;

namespace {

constexpr uint32_t kMsixDev = 3 << 3, kMsiDev = 4 << 3;
constexpr uint64_t kTableBar = 0xfebf0000;

std::map<uint32_t, std::vector<uint8_t>> g_config;  // devfn -> 256 bytes
std::map<uint64_t, uint32_t> g_mmio;                 // MSI-X table stores
std::vector<uint64_t> g_memory(2 * 4096 / 8);

void put(std::vector<uint8_t>& c, unsigned off, uint32_t v, unsigned bytes)
{
    for (unsigned i = 0; i < bytes; ++i)
        c[off + i] = static_cast<uint8_t>(v >> (8 * i));
}

uint32_t get(const std::vector<uint8_t>& c, unsigned off, unsigned bytes)
{
    uint32_t v = 0;
    for (unsigned i = 0; i < bytes; ++i)
        v |= uint32_t{c[off + i]} << (8 * i);
    return v;
}

uint32_t config_read(uint32_t cf8, unsigned offset, unsigned bytes)
{
    uint32_t devfn = (cf8 >> 8) & 0xff;
    if (((cf8 >> 16) & 0xff) != 0 || !g_config.count(devfn))
        return 0xffffffffu;
    return get(g_config[devfn], (cf8 & 0xfc) + offset, bytes);
}

void config_write(uint32_t cf8, unsigned offset, unsigned bytes, uint32_t value)
{
    uint32_t devfn = (cf8 >> 8) & 0xff;
    if (((cf8 >> 16) & 0xff) == 0 && g_config.count(devfn))
        put(g_config[devfn], (cf8 & 0xfc) + offset, value, bytes);
}

void msi_message(unsigned source, uint64_t* address, uint32_t* data)
{
    *address = 0xfee00000;
    *data = 0x100 + source;  // recognisable per source
}

void msix_write(unsigned, uint64_t paddr, uint32_t value) { g_mmio[paddr] = value; }

void* map_machine(uint64_t maddr) { return reinterpret_cast<uint8_t*>(g_memory.data()) + maddr; }
Vcpu* no_vcpu() { return nullptr; }

class PciMsi : public ::testing::Test {
protected:
    Domain* dom0 = nullptr;

    void SetUp() override
    {
        g_config.clear();
        g_mmio.clear();
        std::fill(g_memory.begin(), g_memory.end(), 0);
        std::vector<uint8_t> msix(256, 0);
        put(msix, 0x00, 0x10001af4, 4);           // virtio
        put(msix, 0x06, 1u << 4, 2);              // capability list
        put(msix, 0x14, (kTableBar & 0xffffffff) | 0x4, 4);  // BAR 1: 64-bit memory
        put(msix, 0x18, 0, 4);
        put(msix, 0x34, 0x40, 1);
        put(msix, 0x40, 0x09, 1);                 // a vendor capability first
        put(msix, 0x41, 0x50, 1);
        put(msix, 0x50, 0x11, 1);                 // MSI-X: 4 entries, table in BAR 1 at 0x800
        put(msix, 0x52, 3, 2);
        put(msix, 0x54, 0x800 | 1, 4);
        put(msix, 0x58, 0x1000 | 1, 4);           // its pending bits in BAR 1 at 0x1000
        g_config[kMsixDev] = msix;
        std::vector<uint8_t> msi(256, 0);
        put(msi, 0x00, 0x12348086, 4);
        put(msi, 0x06, 1u << 4, 2);
        put(msi, 0x34, 0x60, 1);
        put(msi, 0x60, 0x05, 1);                  // MSI: 64-bit, per-vector masking
        put(msi, 0x62, (1u << 7) | (1u << 8), 2);
        g_config[kMsiDev] = msi;

        Platform ops{};
        ops.map_machine = map_machine;
        ops.copy_from_guest = test::host_copy_from_guest;
        ops.copy_to_guest = test::host_copy_to_guest;
        ops.running_vcpu = no_vcpu;
        ops.request_resched = [] {};
        ops.now_ns = [] { return uint64_t{0}; };
        ops.pci_config_read = config_read;
        ops.pci_config_write = config_write;
        ops.msi_message = msi_message;
        ops.msix_write = msix_write;
        ops.port_in = [](uint16_t, unsigned) { return 0u; };
        ops.port_out = [](uint16_t, unsigned, uint32_t) {};
        platform_install(ops);
        IrqLineSetup s;
        s.nr_lines = 24;
        irq_lines_init(s);
        static uint16_t next_id = 800;
        dom0 = domain_create(next_id++, "msi", true);
        ASSERT_NE(dom0, nullptr);
        dom0->state = DomainState::RUNNING;
        dom0->shared_info_maddr = 0;
        dom0->nr_vcpus = 1;
        dom0->vcpus[0].state = VcpuState::RUNNABLE;
        dom0->vcpus[0].vcpu_info_maddr = 0;
        dom0->vcpus[0].virtual_iopl = 1;
        dom0->vcpus[0].in_kernel_mode = true;
    }

    void TearDown() override
    {
        (void)domain_release_resources(*dom0);
        domain_destroy(*dom0);
    }

    int64_t map_msi(int32_t type, int32_t bus, int32_t devfn, int32_t entry, uint64_t table_base)
    {
        xen::physdev_map_pirq req{};
        req.domid = xen::DOMID_SELF;
        req.type = type;
        req.index = -1;
        req.pirq = -1;
        req.bus = bus;
        req.devfn = devfn;
        req.entry_nr = entry;
        req.table_base = table_base;
        HypercallArgs args{};
        args.a[0] = xen::PHYSDEVOP_map_pirq;
        args.a[1] = reinterpret_cast<uint64_t>(&req);
        int64_t rc = do_physdev_op(dom0->vcpus[0], args);
        return rc ? rc : req.pirq;
    }

    int64_t bind(uint32_t pirq)
    {
        xen::evtchn_bind_pirq req{pirq, 0, 0};
        HypercallArgs args{};
        args.a[0] = xen::EVTCHNOP_bind_pirq;
        args.a[1] = reinterpret_cast<uint64_t>(&req);
        int64_t rc = do_event_channel_op(dom0->vcpus[0], args);
        return rc ? rc : req.port;
    }

    // dom0 executing `out`/`in` with the value in EAX and the port in DX.
    uint32_t io(uint16_t port, unsigned bytes, bool out, uint32_t value)
    {
        GuestRegs regs{};
        regs.rax = value;
        regs.rdx = port;
        uint8_t insn[2] = {0, 0};
        size_t n = 0;
        if (bytes == 2)
            insn[n++] = 0x66;
        insn[n++] = static_cast<uint8_t>((out ? 0xee : 0xec) | (bytes == 1 ? 0 : 1));
        EXPECT_TRUE(emulate_port_io(dom0->vcpus[0], regs, insn, n));
        return static_cast<uint32_t>(regs.rax);
    }
};

TEST_F(PciMsi, MsixEntryIsProgrammedMaskedAndUnmaskedOnBind)
{
    constexpr uint64_t kEntry2 = kTableBar + 0x800 + 2 * 16;
    int64_t pirq = map_msi(xen::MAP_PIRQ_TYPE_MSI_SEG, 0, kMsixDev, 2, kTableBar);
    ASSERT_GE(pirq, 16);
    EXPECT_EQ(g_mmio[kEntry2 + 0], 0xfee00000u);
    EXPECT_EQ(g_mmio[kEntry2 + 4], 0u);
    unsigned source = g_mmio[kEntry2 + 8] - 0x100;
    EXPECT_LT(source, kMaxMsiSources);
    EXPECT_EQ(g_mmio[kEntry2 + 12], 1u);  // masked until bound
    // The same entry again is the same pirq.
    EXPECT_EQ(map_msi(xen::MAP_PIRQ_TYPE_MSI_SEG, 0, kMsixDev, 2, kTableBar), pirq);
    int64_t port = bind(static_cast<uint32_t>(pirq));
    ASSERT_GT(port, 0);
    EXPECT_EQ(g_mmio[kEntry2 + 12], 0u);
    irq_source_fired(kMaxIrqLines + source);
    auto& sh = *static_cast<xen::shared_info*>(map_machine(0));
    EXPECT_TRUE((sh.evtchn_pending[port / 64] >> (port % 64)) & 1);
    EXPECT_EQ(g_mmio[kEntry2 + 12], 0u);  // edge: nothing to wait for

    xen::physdev_unmap_pirq unmap{xen::DOMID_SELF, static_cast<int32_t>(pirq)};
    HypercallArgs args{};
    args.a[0] = xen::PHYSDEVOP_unmap_pirq;
    args.a[1] = reinterpret_cast<uint64_t>(&unmap);
    EXPECT_EQ(do_physdev_op(dom0->vcpus[0], args), 0);
    EXPECT_EQ(g_mmio[kEntry2 + 12], 1u);
}

TEST_F(PciMsi, PlainMsiIsWrittenIntoTheCapability)
{
    int64_t pirq = map_msi(xen::MAP_PIRQ_TYPE_MSI, 0, kMsiDev, 0, 0);
    ASSERT_GE(pirq, 16);
    const auto& c = g_config[kMsiDev];
    EXPECT_EQ(get(c, 0x64, 4), 0xfee00000u);
    EXPECT_EQ(get(c, 0x68, 4), 0u);
    EXPECT_GE(get(c, 0x6c, 2), 0x100u);
    EXPECT_EQ(get(c, 0x70, 4) & 1, 1u);  // masked until bound
    ASSERT_GT(bind(static_cast<uint32_t>(pirq)), 0);
    EXPECT_EQ(get(g_config[kMsiDev], 0x70, 4) & 1, 0u);
}

TEST_F(PciMsi, WhatDom0SaysIsCheckedAgainstTheDevice)
{
    constexpr int64_t kEinval = -22;
    EXPECT_EQ(map_msi(xen::MAP_PIRQ_TYPE_MSI_SEG, 0, 5 << 3, 0, 0), kEinval);             // no device
    EXPECT_EQ(map_msi(xen::MAP_PIRQ_TYPE_MSI_SEG, 1 << 16, kMsixDev, 0, kTableBar), kEinval);  // segment 1
    EXPECT_EQ(map_msi(xen::MAP_PIRQ_TYPE_MSI_SEG, 0, kMsixDev, 4, kTableBar), kEinval);   // past the table
    EXPECT_EQ(map_msi(xen::MAP_PIRQ_TYPE_MSI_SEG, 0, kMsixDev, 0, 0x100000), kEinval);    // not its BAR (RAM)
    EXPECT_EQ(map_msi(xen::MAP_PIRQ_TYPE_MSI_SEG, 0, kMsiDev, 0, kTableBar), kEinval);    // no MSI-X there
    EXPECT_EQ(map_msi(xen::MAP_PIRQ_TYPE_MSI, 0, kMsiDev, 1, 0), kEinval);                // one vector only
    EXPECT_EQ(map_msi(xen::MAP_PIRQ_TYPE_MULTI_MSI, 0, kMsiDev, 0, 0), kEinval);
    EXPECT_EQ(map_msi(xen::MAP_PIRQ_TYPE_MSI, 0, -1, 0, 0), kEinval);
    EXPECT_TRUE(g_mmio.empty());
}

TEST_F(PciMsi, Dom0sConfigurationAddressIsKeptPerDomain)
{
    // dom0 selects device 3's register 0, then the hypervisor uses the
    // ports itself (an MSI set-up) before dom0 reads the data port.
    io(0xcf8, 4, true, 0x80000000u | (kMsixDev << 8));
    ASSERT_GE(map_msi(xen::MAP_PIRQ_TYPE_MSI, 0, kMsiDev, 0, 0), 16);
    EXPECT_EQ(io(0xcfc, 4, false, 0), 0x10001af4u);
    EXPECT_EQ(io(0xcfe, 2, false, 0), 0x1000u);
    EXPECT_EQ(io(0xcf8, 4, false, 0), 0x80000000u | (kMsixDev << 8));
    // Writes go to the selected register; with the enable bit clear
    // nothing answers.
    io(0xcf8, 4, true, 0x80000000u | (kMsixDev << 8) | 0x3c);
    io(0xcfc, 1, true, 0x0b);
    EXPECT_EQ(get(g_config[kMsixDev], 0x3c, 1), 0x0bu);
    io(0xcf8, 4, true, kMsixDev << 8);
    EXPECT_EQ(io(0xcfc, 4, false, 0), 0xffffffffu);
}

}  // namespace

// The MSI-X table and pending bits become read-only device memory for dom0
// (mmio_ro.hpp) as soon as dom0 announces the device, before any driver
// maps them; a device it never announced, when a vector is mapped.
TEST_F(PciMsi, MsixStructuresBecomeReadOnlyWhenTheDeviceIsAnnounced)
{
    mmio_ro_reset();
    xen::physdev_pci_device_add add{};
    add.bus = 0;
    add.devfn = kMsiDev;  // MSI only: nothing to protect
    HypercallArgs args{};
    args.a[0] = xen::PHYSDEVOP_pci_device_add;
    args.a[1] = reinterpret_cast<uint64_t>(&add);
    EXPECT_EQ(do_physdev_op(dom0->vcpus[0], args), 0);
    add.devfn = kMsixDev;
    EXPECT_EQ(do_physdev_op(dom0->vcpus[0], args), 0);
    EXPECT_TRUE(mmio_ro_contains((kTableBar + 0x800) >> 12));   // the table
    EXPECT_TRUE(mmio_ro_contains((kTableBar + 0x1000) >> 12));  // the pending bits
    EXPECT_FALSE(mmio_ro_contains((kTableBar + 0x2000) >> 12));
    add.devfn = 7 << 3;  // nobody there: acknowledged, as Xen's notice is
    EXPECT_EQ(do_physdev_op(dom0->vcpus[0], args), 0);

    mmio_ro_reset();
    ASSERT_GE(map_msi(xen::MAP_PIRQ_TYPE_MSI_SEG, 0, kMsixDev, 1, kTableBar), 16);
    EXPECT_TRUE(mmio_ro_contains((kTableBar + 0x800) >> 12));
    EXPECT_TRUE(mmio_ro_contains((kTableBar + 0x1000) >> 12));
    mmio_ro_reset();
}
