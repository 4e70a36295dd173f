// Physical interrupts for dom0 (pirqs) on a fake machine: the I/O APIC is a
// record of what the core asked of each line, shared_info is a page of an
// array, guest addresses are host pointers. Everything goes through the
// physdev_op and event_channel_op handlers, as Linux drives them.
#include "hv/core/physical_irq.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <vector>

#include "abi/event_channel.hpp"
#include "abi/physdev.hpp"
#include "abi/xen.hpp"
#include "hv/core/domain_teardown.hpp"
#include "hv/core/event_channel.hpp"
#include "hv/core/hypercall.hpp"
#include "hv/core/platform.hpp"
#include "tests/unit/host_pointer_copy.hpp"

using namespace vireo;

namespace {

constexpr uint64_t kPage = 4096;
constexpr int64_t kEperm = -1, kEsrch = -3, kEbusy = -16, kEexist = -17, kEinval = -22, kEnosys = -38;

std::vector<uint64_t> g_memory(4 * kPage / sizeof(uint64_t));

// What the fake I/O APIC was told, per GSI.
struct FakeLine {
    bool programmed = false, level = false, active_low = false, masked = true;
};
FakeLine g_lines[24];

void* map_machine(uint64_t maddr) { return reinterpret_cast<uint8_t*>(g_memory.data()) + maddr; }
Vcpu* running_vcpu() { return nullptr; }
void request_resched() {}
uint64_t now_ns() { return 0; }

class PhysicalIrq : public ::testing::Test {
protected:
    Domain* dom0 = nullptr;
    Domain* domu = nullptr;

    void SetUp() override
    {
        Platform ops{};
        ops.map_machine = map_machine;
        ops.copy_from_guest = test::host_copy_from_guest;
        ops.copy_to_guest = test::host_copy_to_guest;
        ops.running_vcpu = running_vcpu;
        ops.request_resched = request_resched;
        ops.now_ns = now_ns;
        ops.irq_line_program = [](unsigned gsi, bool level, bool active_low) {
            ASSERT_LT(gsi, 24u);
            g_lines[gsi] = FakeLine{true, level, active_low, true};
        };
        ops.irq_line_mask = [](unsigned gsi, bool masked) {
            ASSERT_LT(gsi, 24u);
            g_lines[gsi].masked = masked;
        };
        platform_install(ops);
        std::fill(g_memory.begin(), g_memory.end(), 0);
        std::fill(std::begin(g_lines), std::end(g_lines), FakeLine{});
        // QEMU's PC: 24 GSIs; IRQ 0 on GSI 2; IRQ 9 level, active high;
        // COM1's IRQ 4 kept by the hypervisor.
        IrqLineSetup s;
        s.nr_lines = 24;
        for (unsigned i = 0; i < 16; ++i)
            s.isa_line[i] = static_cast<uint8_t>(i);
        s.isa_line[0] = 2;
        s.isa_flags[9] = 0xd;
        s.reserved_lines = 1u << 4;
        irq_lines_init(s);
        static uint16_t next_id = 700;
        dom0 = make_domain(next_id++, 1 * kPage, true);
        domu = make_domain(next_id++, 2 * kPage, false);
        ASSERT_NE(dom0, nullptr);
        ASSERT_NE(domu, nullptr);
    }

    void TearDown() override
    {
        for (Domain* d : {dom0, domu}) {
            if (d) {
                (void)domain_release_resources(*d);
                domain_destroy(*d);
            }
        }
    }

    static Domain* make_domain(uint16_t id, uint64_t shared_info_maddr, bool privileged)
    {
        Domain* d = domain_create(id, "pirq", privileged);
        if (!d)
            return nullptr;
        d->state = DomainState::RUNNING;
        d->shared_info_maddr = shared_info_maddr;
        d->nr_vcpus = 1;
        d->vcpus[0].state = VcpuState::RUNNABLE;
        d->vcpus[0].vcpu_info_maddr = shared_info_maddr;
        return d;
    }

    static bool pending(Domain& d, uint32_t port)
    {
        auto& s = *static_cast<xen::shared_info*>(map_machine(d.shared_info_maddr));
        return (s.evtchn_pending[port / 64] >> (port % 64)) & 1;
    }
    static void clear_pending(Domain& d, uint32_t port)
    {
        auto& s = *static_cast<xen::shared_info*>(map_machine(d.shared_info_maddr));
        s.evtchn_pending[port / 64] &= ~(uint64_t{1} << (port % 64));
    }

    template <typename T>
    static int64_t physdev(Domain& d, uint64_t cmd, T& req)
    {
        HypercallArgs args{};
        args.a[0] = cmd;
        args.a[1] = reinterpret_cast<uint64_t>(&req);
        return do_physdev_op(d.vcpus[0], args);
    }
    template <typename T>
    static int64_t evtchn(Domain& d, uint64_t cmd, T& req)
    {
        HypercallArgs args{};
        args.a[0] = cmd;
        args.a[1] = reinterpret_cast<uint64_t>(&req);
        return do_event_channel_op(d.vcpus[0], args);
    }

    static int64_t map(Domain& d, int32_t index, int32_t pirq, int32_t type = xen::MAP_PIRQ_TYPE_GSI,
                       uint16_t domid = xen::DOMID_SELF)
    {
        xen::physdev_map_pirq req{};
        req.domid = domid;
        req.type = type;
        req.index = index;
        req.pirq = pirq;
        int64_t rc = physdev(d, xen::PHYSDEVOP_map_pirq, req);
        return rc ? rc : req.pirq;
    }
    static int64_t bind(Domain& d, uint32_t pirq)
    {
        xen::evtchn_bind_pirq req{pirq, xen::BIND_PIRQ__WILL_SHARE, 0};
        int64_t rc = evtchn(d, xen::EVTCHNOP_bind_pirq, req);
        return rc ? rc : req.port;
    }
    static int64_t eoi(Domain& d, uint32_t pirq)
    {
        xen::physdev_eoi req{pirq};
        return physdev(d, xen::PHYSDEVOP_eoi, req);
    }
    static int64_t status_flags(Domain& d, uint32_t pirq)
    {
        xen::physdev_irq_status_query req{pirq, 0xffffffffu};
        int64_t rc = physdev(d, xen::PHYSDEVOP_irq_status_query, req);
        return rc ? rc : req.flags;
    }
    static int64_t setup_gsi(Domain& d, int32_t gsi, uint8_t level, uint8_t low)
    {
        xen::physdev_setup_gsi req{gsi, level, low};
        return physdev(d, xen::PHYSDEVOP_setup_gsi, req);
    }
};

TEST_F(PhysicalIrq, LevelLineIsHeldMaskedUntilTheDomainsEoi)
{
    ASSERT_EQ(map(*dom0, 11, 11), 11);
    EXPECT_EQ(setup_gsi(*dom0, 11, 1, 1), 0);
    EXPECT_EQ(status_flags(*dom0, 11), xen::XENIRQSTAT_needs_eoi);
    EXPECT_FALSE(g_lines[11].programmed);  // nothing is routed before a bind
    int64_t port = bind(*dom0, 11);
    ASSERT_GT(port, 0);
    EXPECT_TRUE(g_lines[11].programmed);
    EXPECT_TRUE(g_lines[11].level);
    EXPECT_TRUE(g_lines[11].active_low);
    EXPECT_FALSE(g_lines[11].masked);

    irq_source_fired(11);
    EXPECT_TRUE(pending(*dom0, static_cast<uint32_t>(port)));
    EXPECT_TRUE(g_lines[11].masked);  // until the device is serviced
    clear_pending(*dom0, static_cast<uint32_t>(port));
    EXPECT_EQ(eoi(*dom0, 11), 0);
    EXPECT_FALSE(g_lines[11].masked);

    xen::evtchn_status st{};
    st.dom = xen::DOMID_SELF;
    st.port = static_cast<uint32_t>(port);
    ASSERT_EQ(evtchn(*dom0, xen::EVTCHNOP_status, st), 0);
    EXPECT_EQ(st.status, xen::EVTCHNSTAT_pirq);
    EXPECT_EQ(st.u.pirq, 11u);
}

TEST_F(PhysicalIrq, IsaIrqsFollowTheOverridesAndEdgeLinesNeedNoEoi)
{
    // IRQ 0 lives on GSI 2; the ISA default is edge, active high.
    ASSERT_EQ(map(*dom0, 0, -1), 0);
    EXPECT_EQ(status_flags(*dom0, 0), 0);
    int64_t port = bind(*dom0, 0);
    ASSERT_GT(port, 0);
    EXPECT_TRUE(g_lines[2].programmed);
    EXPECT_FALSE(g_lines[2].level);
    EXPECT_FALSE(g_lines[2].active_low);
    irq_source_fired(2);
    EXPECT_TRUE(pending(*dom0, static_cast<uint32_t>(port)));
    EXPECT_FALSE(g_lines[2].masked);
    // IRQ 9's override makes it level, active high.
    ASSERT_EQ(map(*dom0, 9, 9), 9);
    EXPECT_EQ(status_flags(*dom0, 9), xen::XENIRQSTAT_needs_eoi);
    ASSERT_GT(bind(*dom0, 9), 0);
    EXPECT_TRUE(g_lines[9].level);
    EXPECT_FALSE(g_lines[9].active_low);
}

TEST_F(PhysicalIrq, RefusalsCarryXensErrorCodes)
{
    EXPECT_EQ(map(*domu, 11, 11), kEperm);              // not privileged
    EXPECT_EQ(map(*dom0, 4, 4), kEperm);                // the hypervisor's serial line
    EXPECT_EQ(map(*dom0, 24, 24), kEinval);             // no such line
    EXPECT_EQ(map(*dom0, -1, -1), kEinval);
    EXPECT_EQ(map(*dom0, 11, 256), kEinval);            // pirq out of range
    EXPECT_EQ(map(*dom0, 11, 11, xen::MAP_PIRQ_TYPE_MSI_SEG), kEnosys);
    EXPECT_EQ(map(*dom0, 11, 11, xen::MAP_PIRQ_TYPE_GSI, 0x7000), kEsrch);
    EXPECT_EQ(map(*dom0, 11, 11, xen::MAP_PIRQ_TYPE_GSI, domu->id), kEperm);
    EXPECT_EQ(bind(*dom0, 11), kEinval);                // not mapped
    EXPECT_EQ(bind(*dom0, 300), kEinval);
    ASSERT_EQ(map(*dom0, 11, 11), 11);
    EXPECT_EQ(map(*dom0, 11, 11), 11);                  // again, same name: fine
    EXPECT_EQ(map(*dom0, 11, 12), kEexist);             // one line, two names
    EXPECT_EQ(map(*dom0, 10, 11), kEexist);             // one name, two lines
    EXPECT_EQ(bind(*domu, 11), kEperm);
    ASSERT_GT(bind(*dom0, 11), 0);
    EXPECT_EQ(bind(*dom0, 11), kEexist);                // already bound
    EXPECT_EQ(setup_gsi(*dom0, 4, 0, 0), kEperm);
    EXPECT_EQ(setup_gsi(*dom0, 30, 0, 0), kEinval);
    EXPECT_EQ(setup_gsi(*dom0, 11, 2, 0), kEinval);
    EXPECT_EQ(status_flags(*dom0, 300), kEinval);
    xen::physdev_apic apic{0xfec00000, 1, 0};
    EXPECT_EQ(physdev(*dom0, xen::PHYSDEVOP_apic_read, apic), kEinval);  // no I/O APIC in this fake
    EXPECT_EQ(physdev(*domu, xen::PHYSDEVOP_apic_read, apic), kEperm);
}

TEST_F(PhysicalIrq, ClosingUnmappingAndTeardownQuietTheLine)
{
    ASSERT_EQ(map(*dom0, 10, 10), 10);
    int64_t port = bind(*dom0, 10);
    ASSERT_GT(port, 0);
    xen::evtchn_close close{static_cast<uint32_t>(port)};
    ASSERT_EQ(evtchn(*dom0, xen::EVTCHNOP_close, close), 0);
    EXPECT_TRUE(g_lines[10].masked);
    // A line that fires with nobody bound is masked and raises nothing.
    g_lines[10].masked = false;
    irq_source_fired(10);
    EXPECT_TRUE(g_lines[10].masked);
    ASSERT_GT(bind(*dom0, 10), 0);  // bound again after the close

    xen::physdev_unmap_pirq unmap{xen::DOMID_SELF, 10};
    ASSERT_EQ(physdev(*dom0, xen::PHYSDEVOP_unmap_pirq, unmap), 0);
    EXPECT_TRUE(g_lines[10].masked);
    EXPECT_EQ(physdev(*dom0, xen::PHYSDEVOP_unmap_pirq, unmap), kEinval);

    // Teardown frees every line the domain held for the next owner.
    ASSERT_EQ(map(*dom0, 5, 5), 5);
    ASSERT_GT(bind(*dom0, 5), 0);
    (void)domain_release_resources(*dom0);
    EXPECT_TRUE(g_lines[5].masked);
    Domain* next = make_domain(dom0->id + 100, 3 * kPage, true);
    ASSERT_NE(next, nullptr);
    EXPECT_EQ(map(*next, 5, 5), 5);
    (void)domain_release_resources(*next);
    domain_destroy(*next);
}

TEST_F(PhysicalIrq, ALineHasOneOwner)
{
    Domain* other = make_domain(dom0->id + 200, 3 * kPage, true);
    ASSERT_NE(other, nullptr);
    ASSERT_EQ(map(*dom0, 11, 11), 11);
    EXPECT_EQ(map(*other, 11, 11), kEbusy);
    EXPECT_EQ(setup_gsi(*other, 11, 1, 1), kEbusy);
    (void)domain_release_resources(*other);
    domain_destroy(*other);
}

}  // namespace
