// Event channels (2-level ABI) on a fake machine: each domain's shared_info
// is a page of an array, the platform's map_machine points into it, and
// guest addresses passed to hypercalls are host pointers. The core
// functions are tested first, then the event_channel_op handlers.
#include "hv/core/event_channel.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <functional>
#include <vector>

#include "abi/event_channel.hpp"
#include "abi/xen.hpp"
#include "hv/core/hypercall.hpp"
#include "hv/core/platform.hpp"

using namespace vireo;

namespace {

constexpr uint64_t kPage = 4096;
constexpr unsigned kVcpus = 2;
// Xen's errno values as hypercalls return them.
constexpr int64_t kEperm = -1, kEnoent = -2, kEsrch = -3, kEexist = -17, kEinval = -22, kEnospc = -28, kEnosys = -38;

// uint64_t elements keep every shared_info word 8-byte aligned for the
// core's atomics.
std::vector<uint64_t> g_memory(4 * kPage / sizeof(uint64_t));
Vcpu* g_running = nullptr;
unsigned g_resched_requests = 0;

void* map_machine(uint64_t maddr) { return reinterpret_cast<uint8_t*>(g_memory.data()) + maddr; }

Status copy_from_guest(void* dst, uint64_t guest_va, size_t n)
{
    std::memcpy(dst, reinterpret_cast<const void*>(guest_va), n);
    return Status::OK;
}

Status copy_to_guest(uint64_t guest_va, const void* src, size_t n)
{
    std::memcpy(reinterpret_cast<void*>(guest_va), src, n);
    return Status::OK;
}

uint64_t now_ns() { return 5000; }
Vcpu* running_vcpu() { return g_running; }
void request_resched() { ++g_resched_requests; }

class EventChannel : public ::testing::Test {
protected:
    Domain* a = nullptr;
    Domain* b = nullptr;

    void SetUp() override
    {
        Platform ops{};
        ops.map_machine = map_machine;
        ops.copy_from_guest = copy_from_guest;
        ops.copy_to_guest = copy_to_guest;
        ops.now_ns = now_ns;
        ops.running_vcpu = running_vcpu;
        ops.request_resched = request_resched;
        platform_install(ops);
        std::fill(g_memory.begin(), g_memory.end(), 0);
        g_running = nullptr;
        g_resched_requests = 0;
        static uint16_t next_id = 600;
        a = make_domain(next_id++, 1 * kPage);
        b = make_domain(next_id++, 2 * kPage);
        ASSERT_NE(a, nullptr);
        ASSERT_NE(b, nullptr);
    }

    void TearDown() override
    {
        for (Domain* d : {a, b})
            if (d)
                domain_destroy(*d);
    }

    // A running domain with two runnable vCPUs whose vcpu_info are the
    // legacy slots in its shared_info, as the domain builder leaves them.
    static Domain* make_domain(uint16_t id, uint64_t shared_info_maddr)
    {
        Domain* d = domain_create(id, "evtchn", false);
        if (!d)
            return nullptr;
        d->state = DomainState::RUNNING;
        d->shared_info_maddr = shared_info_maddr;
        d->nr_vcpus = kVcpus;
        for (unsigned i = 0; i < kVcpus; ++i) {
            d->vcpus[i].state = VcpuState::RUNNABLE;
            d->vcpus[i].vcpu_info_maddr = shared_info_maddr + i * sizeof(xen::vcpu_info);
        }
        return d;
    }

    static xen::shared_info& shared(Domain& d)
    {
        return *static_cast<xen::shared_info*>(map_machine(d.shared_info_maddr));
    }
    static xen::vcpu_info& info(Vcpu& v) { return *static_cast<xen::vcpu_info*>(map_machine(v.vcpu_info_maddr)); }

    static bool bit(const uint64_t* words, uint32_t port) { return (words[port / 64] >> (port % 64)) & 1; }
    static bool pending(Domain& d, uint32_t port) { return bit(shared(d).evtchn_pending, port); }
    static bool masked(Domain& d, uint32_t port) { return bit(shared(d).evtchn_mask, port); }
    static void mask(Domain& d, uint32_t port) { shared(d).evtchn_mask[port / 64] |= uint64_t{1} << (port % 64); }

    static bool nothing_pending(Domain& d)
    {
        for (uint64_t w : shared(d).evtchn_pending)
            if (w)
                return false;
        for (unsigned i = 0; i < kVcpus; ++i)
            if (info(d.vcpus[i]).evtchn_pending_sel || info(d.vcpus[i]).evtchn_upcall_pending)
                return false;
        return true;
    }

    // What the guest's upcall handler does once it has seen everything.
    static void consume_all(Domain& d)
    {
        std::fill(std::begin(shared(d).evtchn_pending), std::end(shared(d).evtchn_pending), 0);
        for (unsigned i = 0; i < kVcpus; ++i) {
            info(d.vcpus[i]).evtchn_pending_sel = 0;
            info(d.vcpus[i]).evtchn_upcall_pending = 0;
        }
    }

    // A port in a given state, set up without the hypercalls.
    static uint32_t port_on(Domain& d, PortState state, uint8_t vcpu)
    {
        uint32_t port = evtchn_alloc_port(d).value();
        d.ports[port].state = state;
        d.ports[port].vcpu = vcpu;
        return port;
    }

    // One event_channel_op from vCPU v; `req` is the guest's argument.
    template <typename T>
    static int64_t evtchn_op(Vcpu& v, uint64_t cmd, T& req)
    {
        HypercallArgs args{};
        args.nr = xen::HYPERVISOR_event_channel_op;
        args.a[0] = cmd;
        args.a[1] = reinterpret_cast<uint64_t>(&req);
        return do_event_channel_op(v, args);
    }

    static int64_t send(Domain& d, uint32_t port)
    {
        xen::evtchn_send req{port};
        return evtchn_op(d.vcpus[0], xen::EVTCHNOP_send, req);
    }

    static int64_t close(Domain& d, uint32_t port)
    {
        xen::evtchn_close req{port};
        return evtchn_op(d.vcpus[0], xen::EVTCHNOP_close, req);
    }

    static xen::evtchn_status status(Domain& d, uint32_t port)
    {
        xen::evtchn_status req{};
        req.dom = xen::DOMID_SELF;
        req.port = port;
        EXPECT_EQ(evtchn_op(d.vcpus[0], xen::EVTCHNOP_status, req), 0);
        return req;
    }

    // d offers a port to `remote`; 0 if refused.
    static uint32_t alloc_unbound(Domain& d, uint16_t remote)
    {
        xen::evtchn_alloc_unbound req{xen::DOMID_SELF, remote, 0};
        return evtchn_op(d.vcpus[0], xen::EVTCHNOP_alloc_unbound, req) == 0 ? req.port : 0;
    }

    static int64_t bind_interdomain(Vcpu& v, uint16_t remote_dom, uint32_t remote_port, uint32_t& local_port)
    {
        xen::evtchn_bind_interdomain req{remote_dom, 0, remote_port, 0};
        int64_t rc = evtchn_op(v, xen::EVTCHNOP_bind_interdomain, req);
        local_port = req.local_port;
        return rc;
    }

    static int64_t bind_virq(Domain& d, uint32_t virq, uint32_t vcpu, uint32_t& port)
    {
        xen::evtchn_bind_virq req{virq, vcpu, 0};
        int64_t rc = evtchn_op(d.vcpus[0], xen::EVTCHNOP_bind_virq, req);
        port = req.port;
        return rc;
    }
};

}  // namespace

// ---- The core functions ----

TEST_F(EventChannel, AllocNeverGivesPortZeroAndRunsOut)
{
    std::vector<bool> seen(kMaxEventPorts, false);
    for (unsigned i = 1; i < kMaxEventPorts; ++i) {
        Result<uint32_t> port = evtchn_alloc_port(*a);
        ASSERT_TRUE(port.ok()) << i;
        ASSERT_NE(port.value(), 0u);
        ASSERT_LT(port.value(), kMaxEventPorts);
        ASSERT_FALSE(seen[port.value()]) << port.value();
        seen[port.value()] = true;
        EXPECT_EQ(a->ports[port.value()].state, PortState::RESERVED);
    }
    Result<uint32_t> none = evtchn_alloc_port(*a);
    EXPECT_FALSE(none.ok());
    EXPECT_EQ(none.status(), Status::NO_MEMORY);
    // A freed port is handed out again; the other domain was never short.
    evtchn_free_port(*a, 77);
    EXPECT_EQ(evtchn_alloc_port(*a).value(), 77u);
    EXPECT_EQ(evtchn_alloc_port(*b).value(), 1u);
}

TEST_F(EventChannel, SetPendingRaisesPendingSelectorAndUpcallOfThePortsVcpu)
{
    struct Case {
        uint32_t port;
        uint8_t vcpu;
    };
    const Case cases[] = {{1, 0}, {63, 0}, {64, 1}, {200, 1}, {kMaxEventPorts - 1, 0}};
    for (const Case& c : cases) {
        consume_all(*a);
        a->ports[c.port].state = PortState::IPI;
        a->ports[c.port].vcpu = c.vcpu;
        Vcpu& target = a->vcpus[c.vcpu];
        Vcpu& bystander = a->vcpus[1 - c.vcpu];
        evtchn_set_pending(*a, c.port);
        EXPECT_TRUE(pending(*a, c.port)) << c.port;
        EXPECT_EQ(info(target).evtchn_pending_sel, uint64_t{1} << (c.port / 64)) << c.port;
        EXPECT_EQ(info(target).evtchn_upcall_pending, 1) << c.port;
        EXPECT_TRUE(vcpu_events_pending(target)) << c.port;
        EXPECT_EQ(info(bystander).evtchn_pending_sel, 0u) << c.port;
        EXPECT_FALSE(vcpu_events_pending(bystander)) << c.port;
        EXPECT_TRUE(nothing_pending(*b)) << c.port;
        a->ports[c.port] = EventPort{};
    }
}

TEST_F(EventChannel, APortAlreadyPendingIsNotSignalledAgain)
{
    uint32_t port = port_on(*a, PortState::IPI, 0);
    evtchn_set_pending(*a, port);
    // The guest took the selector and the upcall but has not yet cleared
    // the port's pending bit: as on Xen, a second event is the same event.
    info(a->vcpus[0]).evtchn_pending_sel = 0;
    info(a->vcpus[0]).evtchn_upcall_pending = 0;
    evtchn_set_pending(*a, port);
    EXPECT_EQ(info(a->vcpus[0]).evtchn_pending_sel, 0u);
    EXPECT_FALSE(vcpu_events_pending(a->vcpus[0]));
}

TEST_F(EventChannel, AMaskedPortStaysQuietUntilUnmasked)
{
    uint32_t port = port_on(*a, PortState::IPI, 1);
    mask(*a, port);
    evtchn_set_pending(*a, port);
    EXPECT_TRUE(pending(*a, port));
    EXPECT_EQ(info(a->vcpus[1]).evtchn_pending_sel, 0u);
    EXPECT_FALSE(vcpu_events_pending(a->vcpus[1]));

    evtchn_unmask(*a, port);
    EXPECT_FALSE(masked(*a, port));
    EXPECT_EQ(info(a->vcpus[1]).evtchn_pending_sel, uint64_t{1} << (port / 64));
    EXPECT_TRUE(vcpu_events_pending(a->vcpus[1]));
    EXPECT_FALSE(vcpu_events_pending(a->vcpus[0]));
}

TEST_F(EventChannel, UnmaskingAQuietPortRaisesNothing)
{
    uint32_t port = port_on(*a, PortState::IPI, 0);
    mask(*a, port);
    evtchn_unmask(*a, port);
    EXPECT_FALSE(masked(*a, port));
    EXPECT_TRUE(nothing_pending(*a));
}

TEST_F(EventChannel, SetPendingIgnoresPortZeroOutOfRangeAndStoppedDomains)
{
    evtchn_set_pending(*a, 0);
    evtchn_set_pending(*a, kMaxEventPorts);
    EXPECT_TRUE(nothing_pending(*a));
    uint32_t port = port_on(*a, PortState::IPI, 0);
    a->state = DomainState::SHUT_DOWN;
    evtchn_set_pending(*a, port);
    a->state = DomainState::RUNNING;
    EXPECT_TRUE(nothing_pending(*a));
}

TEST_F(EventChannel, AnEventWakesABlockedVcpuAndAsksForAReschedule)
{
    uint32_t port = port_on(*a, PortState::IPI, 1);
    a->vcpus[1].state = VcpuState::BLOCKED;
    evtchn_set_pending(*a, port);
    EXPECT_EQ(a->vcpus[1].state, VcpuState::RUNNABLE);
    // The CPU idles (no running vCPU), so the woken one preempts.
    EXPECT_EQ(g_resched_requests, 1u);
    EXPECT_EQ(a->vcpus[1].bvt.woken_at_ns, now_ns());
}

TEST_F(EventChannel, SendVirqRaisesOnlyABoundVirq)
{
    send_virq(a->vcpus[1], xen::VIRQ_TIMER);
    EXPECT_TRUE(nothing_pending(*a));

    uint32_t port = port_on(*a, PortState::VIRQ, 1);
    a->ports[port].virq = xen::VIRQ_TIMER;
    a->vcpus[1].virq_port[xen::VIRQ_TIMER] = port;
    send_virq(a->vcpus[0], xen::VIRQ_TIMER);  // bound on vCPU 1 only
    send_virq(a->vcpus[1], xen::VIRQ_DEBUG);  // another VIRQ
    send_virq(a->vcpus[1], kNrVirqs);         // no such VIRQ
    EXPECT_TRUE(nothing_pending(*a));

    send_virq(a->vcpus[1], xen::VIRQ_TIMER);
    EXPECT_TRUE(pending(*a, port));
    EXPECT_TRUE(vcpu_events_pending(a->vcpus[1]));
    EXPECT_FALSE(vcpu_events_pending(a->vcpus[0]));
}

TEST_F(EventChannel, CloseAllFreesEveryPort)
{
    uint32_t virq_port = port_on(*a, PortState::VIRQ, 0);
    a->ports[virq_port].virq = xen::VIRQ_CONSOLE;
    a->vcpus[0].virq_port[xen::VIRQ_CONSOLE] = virq_port;
    port_on(*a, PortState::IPI, 1);
    uint32_t offered = alloc_unbound(*a, b->id);
    ASSERT_NE(offered, 0u);
    uint32_t to_b = alloc_unbound(*a, b->id);
    uint32_t b_end = 0;
    ASSERT_EQ(bind_interdomain(b->vcpus[0], a->id, to_b, b_end), 0);

    evtchn_close_all(*a);
    for (uint32_t p = 0; p < kMaxEventPorts; ++p)
        ASSERT_EQ(a->ports[p].state, PortState::FREE) << p;
    EXPECT_EQ(a->vcpus[0].virq_port[xen::VIRQ_CONSOLE], 0u);
    // B's end of the closed channel waits for a new partner.
    EXPECT_EQ(b->ports[b_end].state, PortState::UNBOUND);
    EXPECT_EQ(b->ports[b_end].remote_dom, a->id);
    EXPECT_EQ(evtchn_alloc_port(*a).value(), 1u);
}

TEST_F(EventChannel, CloseRefusesPortZeroAndFreePorts)
{
    EXPECT_EQ(evtchn_close(*a, 0), Status::INVALID);
    EXPECT_EQ(evtchn_close(*a, 9), Status::INVALID);
    EXPECT_EQ(evtchn_close(*a, kMaxEventPorts), Status::INVALID);
}

// A port closed while pending must not be handed out again already
// pending (Xen's evtchn_free clears the bit too): its next user would see
// an event nobody sent.
TEST_F(EventChannel, ClosingAPortClearsItsPendingBit)
{
    uint32_t port = port_on(*a, PortState::IPI, 0);
    evtchn_set_pending(*a, port);
    ASSERT_TRUE(pending(*a, port));
    ASSERT_EQ(evtchn_close(*a, port), Status::OK);
    EXPECT_FALSE(pending(*a, port));
}

// ---- The event_channel_op handlers ----

TEST_F(EventChannel, InterdomainChannelCarriesEventsBothWays)
{
    uint32_t pa = alloc_unbound(*a, b->id);
    ASSERT_NE(pa, 0u);
    xen::evtchn_status st = status(*a, pa);
    EXPECT_EQ(st.status, xen::EVTCHNSTAT_unbound);
    EXPECT_EQ(st.u.unbound.dom, b->id);

    uint32_t pb = 0;
    ASSERT_EQ(bind_interdomain(b->vcpus[0], a->id, pa, pb), 0);
    ASSERT_NE(pb, 0u);
    // Xen raises the new local port once, in case A sent before the bind.
    EXPECT_TRUE(pending(*b, pb));
    st = status(*a, pa);
    EXPECT_EQ(st.status, xen::EVTCHNSTAT_interdomain);
    EXPECT_EQ(st.u.interdomain.dom, b->id);
    EXPECT_EQ(st.u.interdomain.port, pb);
    st = status(*b, pb);
    EXPECT_EQ(st.status, xen::EVTCHNSTAT_interdomain);
    EXPECT_EQ(st.u.interdomain.dom, a->id);
    EXPECT_EQ(st.u.interdomain.port, pa);

    consume_all(*a);
    consume_all(*b);
    EXPECT_EQ(send(*a, pa), 0);
    EXPECT_TRUE(pending(*b, pb));
    EXPECT_TRUE(vcpu_events_pending(b->vcpus[0]));
    EXPECT_TRUE(nothing_pending(*a));

    consume_all(*b);
    EXPECT_EQ(send(*b, pb), 0);
    EXPECT_TRUE(pending(*a, pa));
    EXPECT_TRUE(vcpu_events_pending(a->vcpus[0]));
    EXPECT_TRUE(nothing_pending(*b));
}

TEST_F(EventChannel, ClosingOneEndLeavesTheOtherUnbound)
{
    uint32_t pa = alloc_unbound(*a, b->id);
    uint32_t pb = 0;
    ASSERT_EQ(bind_interdomain(b->vcpus[0], a->id, pa, pb), 0);
    ASSERT_EQ(close(*b, pb), 0);
    EXPECT_EQ(b->ports[pb].state, PortState::FREE);
    xen::evtchn_status st = status(*a, pa);
    EXPECT_EQ(st.status, xen::EVTCHNSTAT_unbound);
    EXPECT_EQ(st.u.unbound.dom, b->id);
    EXPECT_EQ(status(*b, pb).status, xen::EVTCHNSTAT_closed);

    // Sending into the void is dropped quietly, as on Xen.
    consume_all(*b);
    EXPECT_EQ(send(*a, pa), 0);
    EXPECT_TRUE(nothing_pending(*b));
    // B may bind to it again.
    uint32_t again = 0;
    EXPECT_EQ(bind_interdomain(b->vcpus[0], a->id, pa, again), 0);
    EXPECT_EQ(send(*b, again), 0);
    EXPECT_TRUE(pending(*a, pa));
}

TEST_F(EventChannel, LoopbackChannelWithinOneDomain)
{
    uint32_t offered = alloc_unbound(*a, xen::DOMID_SELF);
    ASSERT_NE(offered, 0u);
    uint32_t bound = 0;
    ASSERT_EQ(bind_interdomain(a->vcpus[0], xen::DOMID_SELF, offered, bound), 0);
    consume_all(*a);
    EXPECT_EQ(send(*a, bound), 0);
    EXPECT_TRUE(pending(*a, offered));
    EXPECT_FALSE(pending(*a, bound));
    ASSERT_EQ(close(*a, bound), 0);
    EXPECT_EQ(status(*a, offered).status, xen::EVTCHNSTAT_unbound);
}

TEST_F(EventChannel, IpiRaisesTheChosenVcpu)
{
    xen::evtchn_bind_ipi req{1, 0};
    ASSERT_EQ(evtchn_op(a->vcpus[0], xen::EVTCHNOP_bind_ipi, req), 0);
    EXPECT_EQ(status(*a, req.port).status, xen::EVTCHNSTAT_ipi);
    EXPECT_EQ(send(*a, req.port), 0);
    EXPECT_TRUE(pending(*a, req.port));
    EXPECT_TRUE(vcpu_events_pending(a->vcpus[1]));
    EXPECT_FALSE(vcpu_events_pending(a->vcpus[0]));
}

TEST_F(EventChannel, BoundVirqIsRaisedAndCannotBeBoundTwice)
{
    uint32_t port = 0;
    ASSERT_EQ(bind_virq(*a, xen::VIRQ_TIMER, 1, port), 0);
    xen::evtchn_status st = status(*a, port);
    EXPECT_EQ(st.status, xen::EVTCHNSTAT_virq);
    EXPECT_EQ(st.u.virq, xen::VIRQ_TIMER);
    EXPECT_EQ(st.vcpu, 1u);
    send_virq(a->vcpus[1], xen::VIRQ_TIMER);
    EXPECT_TRUE(pending(*a, port));

    uint32_t second = 0;
    EXPECT_EQ(bind_virq(*a, xen::VIRQ_TIMER, 1, second), kEexist);
    // The same VIRQ on the other vCPU is a different binding.
    EXPECT_EQ(bind_virq(*a, xen::VIRQ_TIMER, 0, second), 0);
    // A guest raises a VIRQ port only through the hypervisor.
    EXPECT_EQ(send(*a, port), kEinval);
    // Once closed it may be bound again.
    ASSERT_EQ(close(*a, port), 0);
    EXPECT_EQ(a->vcpus[1].virq_port[xen::VIRQ_TIMER], 0u);
    EXPECT_EQ(bind_virq(*a, xen::VIRQ_TIMER, 1, second), 0);
}

// A per-vCPU VIRQ cannot move (Xen: -EINVAL), and closing it unbinds it, so
// it can be bound again.
TEST_F(EventChannel, APerVcpuVirqCannotMoveAndClosingUnbindsIt)
{
    uint32_t port = 0;
    ASSERT_EQ(bind_virq(*a, xen::VIRQ_TIMER, 1, port), 0);
    xen::evtchn_bind_vcpu move{port, 0};
    EXPECT_EQ(evtchn_op(a->vcpus[0], xen::EVTCHNOP_bind_vcpu, move), -22);
    ASSERT_EQ(close(*a, port), 0);
    EXPECT_EQ(a->vcpus[1].virq_port[xen::VIRQ_TIMER], 0u);
    uint32_t again = 0;
    EXPECT_EQ(bind_virq(*a, xen::VIRQ_TIMER, 1, again), 0);
}

TEST_F(EventChannel, UnmaskHypercallDeliversWhatArrivedWhileMasked)
{
    uint32_t pa = alloc_unbound(*a, b->id);
    uint32_t pb = 0;
    ASSERT_EQ(bind_interdomain(b->vcpus[0], a->id, pa, pb), 0);
    consume_all(*b);
    mask(*b, pb);
    EXPECT_EQ(send(*a, pa), 0);
    EXPECT_TRUE(pending(*b, pb));
    EXPECT_FALSE(vcpu_events_pending(b->vcpus[0]));
    xen::evtchn_unmask req{pb};
    EXPECT_EQ(evtchn_op(b->vcpus[0], xen::EVTCHNOP_unmask, req), 0);
    EXPECT_TRUE(vcpu_events_pending(b->vcpus[0]));
}

TEST_F(EventChannel, BindVcpuRedirectsAPort)
{
    uint32_t pa = alloc_unbound(*a, b->id);
    uint32_t pb = 0;
    ASSERT_EQ(bind_interdomain(b->vcpus[0], a->id, pa, pb), 0);
    xen::evtchn_bind_vcpu req{pb, 1};
    ASSERT_EQ(evtchn_op(b->vcpus[0], xen::EVTCHNOP_bind_vcpu, req), 0);
    consume_all(*b);
    EXPECT_EQ(send(*a, pa), 0);
    EXPECT_TRUE(vcpu_events_pending(b->vcpus[1]));
    EXPECT_FALSE(vcpu_events_pending(b->vcpus[0]));
}

TEST_F(EventChannel, ResetClosesEverything)
{
    uint32_t pa = alloc_unbound(*a, b->id);
    uint32_t pb = 0;
    ASSERT_EQ(bind_interdomain(b->vcpus[0], a->id, pa, pb), 0);
    uint32_t virq = 0;
    ASSERT_EQ(bind_virq(*a, xen::VIRQ_DEBUG, 0, virq), 0);
    xen::evtchn_reset req{xen::DOMID_SELF};
    ASSERT_EQ(evtchn_op(a->vcpus[0], xen::EVTCHNOP_reset, req), 0);
    EXPECT_EQ(status(*a, pa).status, xen::EVTCHNSTAT_closed);
    EXPECT_EQ(status(*a, virq).status, xen::EVTCHNSTAT_closed);
    EXPECT_EQ(status(*b, pb).status, xen::EVTCHNSTAT_unbound);
}

TEST_F(EventChannel, NoSpaceWhenEveryPortIsTaken)
{
    while (evtchn_alloc_port(*a).ok()) {
    }
    xen::evtchn_alloc_unbound unbound{xen::DOMID_SELF, b->id, 0};
    EXPECT_EQ(evtchn_op(a->vcpus[0], xen::EVTCHNOP_alloc_unbound, unbound), kEnospc);
    uint32_t port = 0;
    EXPECT_EQ(bind_virq(*a, xen::VIRQ_TIMER, 0, port), kEnospc);
    EXPECT_EQ(a->vcpus[0].virq_port[xen::VIRQ_TIMER], 0u);  // nothing half-bound
}

TEST_F(EventChannel, Refusals)
{
    // A port that exists, for the requests that need one.
    uint32_t ipi = port_on(*a, PortState::IPI, 0);
    // A port B offers to somebody else than A.
    uint32_t offered_elsewhere = alloc_unbound(*b, 0x1234);
    ASSERT_NE(offered_elsewhere, 0u);
    Vcpu& v = a->vcpus[0];

    struct Case {
        const char* what;
        std::function<int64_t()> call;
        int64_t expected;
    };
    const Case cases[] = {
        {"send on port 0", [&] { return send(*a, 0); }, kEinval},
        {"send beyond the last port", [&] { return send(*a, kMaxEventPorts); }, kEinval},
        {"send on a free port", [&] { return send(*a, 9); }, kEinval},
        {"close port 0", [&] { return close(*a, 0); }, kEinval},
        {"close beyond the last port", [&] { return close(*a, kMaxEventPorts); }, kEinval},
        {"unmask beyond the last port",
         [&] {
             xen::evtchn_unmask r{kMaxEventPorts};
             return evtchn_op(v, xen::EVTCHNOP_unmask, r);
         },
         kEinval},
        {"status beyond the last port",
         [&] {
             xen::evtchn_status r{};
             r.dom = xen::DOMID_SELF;
             r.port = kMaxEventPorts;
             return evtchn_op(v, xen::EVTCHNOP_status, r);
         },
         kEinval},
        {"bind a VIRQ that does not exist",
         [&] {
             uint32_t p;
             return bind_virq(*a, kNrVirqs, 0, p);
         },
         kEinval},
        {"bind a VIRQ on a missing vCPU",
         [&] {
             uint32_t p;
             return bind_virq(*a, xen::VIRQ_TIMER, kVcpus, p);
         },
         kEnoent},
        {"bind an IPI on a missing vCPU",
         [&] {
             xen::evtchn_bind_ipi r{kMaxVcpusPerDomain, 0};
             return evtchn_op(v, xen::EVTCHNOP_bind_ipi, r);
         },
         kEnoent},
        {"move a port to a missing vCPU",
         [&] {
             xen::evtchn_bind_vcpu r{ipi, kVcpus};
             return evtchn_op(v, xen::EVTCHNOP_bind_vcpu, r);
         },
         kEnoent},
        {"bind to remote port 0",
         [&] {
             uint32_t p;
             return bind_interdomain(v, b->id, 0, p);
         },
         kEinval},
        {"bind beyond the remote's last port",
         [&] {
             uint32_t p;
             return bind_interdomain(v, b->id, kMaxEventPorts, p);
         },
         kEinval},
        {"bind to a port offered to another domain",
         [&] {
             uint32_t p;
             return bind_interdomain(v, b->id, offered_elsewhere, p);
         },
         kEinval},
        {"bind to a domain that does not exist",
         [&] {
             uint32_t p;
             return bind_interdomain(v, 0x7000, 1, p);
         },
         kEsrch},
        {"unprivileged alloc_unbound for another domain",
         [&] {
             xen::evtchn_alloc_unbound r{b->id, a->id, 0};
             return evtchn_op(v, xen::EVTCHNOP_alloc_unbound, r);
         },
         kEperm},
        {"unprivileged reset of another domain",
         [&] {
             xen::evtchn_reset r{b->id};
             return evtchn_op(v, xen::EVTCHNOP_reset, r);
         },
         kEperm},
        {"unprivileged status of another domain",
         [&] {
             xen::evtchn_status r{};
             r.dom = b->id;
             r.port = offered_elsewhere;
             return evtchn_op(v, xen::EVTCHNOP_status, r);
         },
         kEperm},
        {"FIFO ABI (falls back to 2-level)",
         [&] {
             uint64_t r[2] = {};
             return evtchn_op(v, xen::EVTCHNOP_init_control, r);
         },
         kEnosys},
    };
    for (const Case& c : cases)
        EXPECT_EQ(c.call(), c.expected) << c.what;
    // Nothing refused left a port behind.
    for (uint32_t p = 1; p < kMaxEventPorts; ++p) {
        if (p != ipi) {
            EXPECT_EQ(a->ports[p].state, PortState::FREE) << p;
        }
    }
    EXPECT_TRUE(nothing_pending(*a));
    EXPECT_TRUE(nothing_pending(*b));
}

// ---- alloc_unbound in another domain (a toolstack's call) ----

TEST_F(EventChannel, PrivilegedDomainAllocatesUnboundPortInAnotherDomain)
{
    a->privileged = true;
    // In b, offered to a (DOMID_SELF names the caller, not b).
    xen::evtchn_alloc_unbound req{b->id, xen::DOMID_SELF, 0};
    ASSERT_EQ(evtchn_op(a->vcpus[0], xen::EVTCHNOP_alloc_unbound, req), 0);
    ASSERT_NE(req.port, 0u);
    xen::evtchn_status st = status(*b, req.port);
    EXPECT_EQ(st.status, xen::EVTCHNSTAT_unbound);
    EXPECT_EQ(st.u.unbound.dom, a->id);
    // a binds to it: events flow between a and b.
    uint32_t local = 0;
    ASSERT_EQ(bind_interdomain(a->vcpus[0], b->id, req.port, local), 0);
    EXPECT_TRUE(pending(*a, local));  // binding raises the new port once
    EXPECT_EQ(send(*a, local), 0);
    EXPECT_TRUE(pending(*b, req.port));
    // For a third domain: a sets up a port in b that b itself may give to b.
    xen::evtchn_alloc_unbound loop{b->id, b->id, 0};
    ASSERT_EQ(evtchn_op(a->vcpus[0], xen::EVTCHNOP_alloc_unbound, loop), 0);
    EXPECT_EQ(status(*b, loop.port).u.unbound.dom, b->id);
}

TEST_F(EventChannel, UnprivilegedDomainMayNotAllocateInAnotherDomain)
{
    xen::evtchn_alloc_unbound req{b->id, xen::DOMID_SELF, 0};
    EXPECT_EQ(evtchn_op(a->vcpus[0], xen::EVTCHNOP_alloc_unbound, req), kEperm);
    // Nothing was left allocated in b: its first port is still free.
    EXPECT_EQ(alloc_unbound(*b, a->id), 1u);
    // Its own id is itself.
    xen::evtchn_alloc_unbound own{a->id, b->id, 0};
    EXPECT_EQ(evtchn_op(a->vcpus[0], xen::EVTCHNOP_alloc_unbound, own), 0);
    EXPECT_EQ(status(*a, own.port).u.unbound.dom, b->id);
}

TEST_F(EventChannel, AllocUnboundInAMissingDomainIsEsrch)
{
    xen::evtchn_alloc_unbound req{999, xen::DOMID_SELF, 0};
    EXPECT_EQ(evtchn_op(a->vcpus[0], xen::EVTCHNOP_alloc_unbound, req), kEsrch);
    a->privileged = true;
    EXPECT_EQ(evtchn_op(a->vcpus[0], xen::EVTCHNOP_alloc_unbound, req), kEsrch);
}

TEST_F(EventChannel, AllocUnboundInAFullDomainIsEnospcBeforeEperm)
{
    while (alloc_unbound(*b, a->id) != 0) {
    }
    xen::evtchn_alloc_unbound req{b->id, xen::DOMID_SELF, 0};
    EXPECT_EQ(evtchn_op(a->vcpus[0], xen::EVTCHNOP_alloc_unbound, req), kEnospc);
}

// ---- Domain-local calls (hypercall.hpp) ----
// Send, status and unmask on a domain's own ports run beside other CPUs'
// work; anything that reaches another domain or would wake a vCPU asks for
// the whole hypervisor before it changes anything.

TEST_F(EventChannel, LocalSendOnItsOwnPortsRaisesThemAsUsual)
{
    uint32_t offered = alloc_unbound(*a, xen::DOMID_SELF);
    uint32_t bound = 0;
    ASSERT_EQ(bind_interdomain(a->vcpus[0], xen::DOMID_SELF, offered, bound), 0);
    uint32_t ipi = port_on(*a, PortState::IPI, 1);
    consume_all(*a);
    a->vcpus[0].in_local_hypercall = true;
    EXPECT_EQ(send(*a, bound), 0);
    EXPECT_EQ(send(*a, ipi), 0);
    EXPECT_EQ(status(*a, ipi).status, xen::EVTCHNSTAT_ipi);
    a->vcpus[0].in_local_hypercall = false;
    EXPECT_TRUE(pending(*a, offered));
    EXPECT_TRUE(vcpu_events_pending(a->vcpus[1]));
    EXPECT_EQ(g_resched_requests, 0u);
}

TEST_F(EventChannel, LocalSendThatWouldWakeAVcpuAsksForTheWholeHypervisor)
{
    uint32_t ipi = port_on(*a, PortState::IPI, 1);
    consume_all(*a);
    a->vcpus[1].state = VcpuState::BLOCKED;
    a->vcpus[0].in_local_hypercall = true;
    EXPECT_EQ(send(*a, ipi), kHypercallNeedsExclusive);
    a->vcpus[1].state = VcpuState::RUNNABLE;
    a->vcpus[1].polling = true;  // a poller may wake whatever the port
    EXPECT_EQ(send(*a, ipi), kHypercallNeedsExclusive);
    a->vcpus[1].polling = false;
    a->vcpus[0].in_local_hypercall = false;
    EXPECT_TRUE(nothing_pending(*a));
}

TEST_F(EventChannel, LocalCallsReachingAnotherDomainAskForTheWholeHypervisor)
{
    uint32_t offered = alloc_unbound(*b, a->id);
    uint32_t bound = 0;
    ASSERT_EQ(bind_interdomain(a->vcpus[0], b->id, offered, bound), 0);
    consume_all(*b);
    a->vcpus[0].in_local_hypercall = true;
    EXPECT_EQ(send(*a, bound), kHypercallNeedsExclusive);
    xen::evtchn_status st{};
    st.dom = b->id;
    st.port = offered;
    EXPECT_EQ(evtchn_op(a->vcpus[0], xen::EVTCHNOP_status, st), kHypercallNeedsExclusive);
    xen::evtchn_bind_ipi ipi{0, 0};
    EXPECT_EQ(evtchn_op(a->vcpus[0], xen::EVTCHNOP_bind_ipi, ipi), kHypercallNeedsExclusive);
    a->vcpus[0].in_local_hypercall = false;
    EXPECT_TRUE(nothing_pending(*b));
    EXPECT_EQ(ipi.port, 0u);
}

// A local batch runs its local entries and leaves the rest, from the first
// that is not, to the whole hypervisor: the registers then name that entry
// and how many remain, and RIP is where it was (it runs again at once, not
// after a return to the guest).
TEST_F(EventChannel, ALocalMulticallStopsAtItsFirstEntryThatIsNotLocal)
{
    uint32_t ipi = port_on(*a, PortState::IPI, 0);
    consume_all(*a);
    xen::evtchn_send req{ipi};
    xen::multicall_entry calls[3] = {
        {xen::HYPERVISOR_event_channel_op, 0, {xen::EVTCHNOP_send, reinterpret_cast<uint64_t>(&req), 0, 0, 0, 0}},
        {xen::HYPERVISOR_xen_version, 0, {0, 0, 0, 0, 0, 0}},
        {xen::HYPERVISOR_sched_op, 0, {0, 0, 0, 0, 0, 0}},
    };
    GuestRegs regs{};
    regs.rax = xen::HYPERVISOR_multicall;
    regs.rdi = reinterpret_cast<uint64_t>(calls);
    regs.rsi = 3;
    regs.rip = 0x1000;
    EXPECT_TRUE(hypercall_runs_local(xen::HYPERVISOR_multicall));
    EXPECT_FALSE(hypercall_dispatch_local(a->vcpus[0], regs));
    EXPECT_FALSE(a->vcpus[0].in_local_hypercall);
    EXPECT_EQ(calls[0].result, 0u);
    EXPECT_EQ(calls[1].result, (4u << 16) | 17u);
    EXPECT_TRUE(pending(*a, ipi));
    EXPECT_EQ(regs.rdi, reinterpret_cast<uint64_t>(&calls[2]));
    EXPECT_EQ(regs.rsi, 1u);
    EXPECT_EQ(regs.rip, 0x1000u);
    EXPECT_EQ(regs.rax, xen::HYPERVISOR_multicall);
}

TEST_F(EventChannel, OnlyTheListedHypercallsStartLocal)
{
    for (uint64_t nr : {xen::HYPERVISOR_sched_op, xen::HYPERVISOR_domctl, xen::HYPERVISOR_memory_op,
                        xen::HYPERVISOR_vcpu_op, xen::HYPERVISOR_console_io, uint64_t{63},
                        uint64_t{64}, ~uint64_t{0}})
        EXPECT_FALSE(hypercall_runs_local(nr)) << nr;
    GuestRegs regs{};
    regs.rax = xen::HYPERVISOR_sched_op;
    EXPECT_FALSE(hypercall_dispatch_local(a->vcpus[0], regs));
}

namespace {
uint64_t g_armed_here = 0;
void timer_arm_here(uint64_t deadline) { g_armed_here = deadline; }
}  // namespace

// set_timer_op: local when the deadline is ahead (this CPU's timer is armed
// by it); one already due fires now, which takes the whole hypervisor.
TEST_F(EventChannel, ALocalSetTimerOpArmsThisCpuOrAsksForTheWholeHypervisor)
{
    Vcpu& v = a->vcpus[0];
    HypercallArgs ahead{xen::HYPERVISOR_set_timer_op, {now_ns() + 20000, 0, 0, 0, 0, 0}};
    v.in_local_hypercall = true;
    EXPECT_EQ(do_set_timer_op(v, ahead), kHypercallNeedsExclusive);  // no hook: hosted
    Platform ops = platform();
    ops.timer_arm_here = timer_arm_here;
    platform_install(ops);
    g_armed_here = 0;
    EXPECT_EQ(do_set_timer_op(v, ahead), 0);
    EXPECT_EQ(v.timer_deadline_ns, now_ns() + 20000);
    EXPECT_EQ(g_armed_here, now_ns() + 20000);
    HypercallArgs due{xen::HYPERVISOR_set_timer_op, {now_ns(), 0, 0, 0, 0, 0}};
    EXPECT_EQ(do_set_timer_op(v, due), kHypercallNeedsExclusive);
    EXPECT_EQ(v.timer_deadline_ns, now_ns() + 20000);
    v.in_local_hypercall = false;
}
