// Event channels and time: the event callback (callback_op) and upcall
// delivery, IPIs, per-port and per-vCPU masking, an inter-domain channel
// looped back to the domain itself, status and close, the refusals with
// their error codes, the wall clock and the vCPU time info, and VIRQ_TIMER
// from set_timer_op, the single-shot and the periodic vCPU timers.
#include "abi/callback.hpp"
#include "abi/event_channel.hpp"
#include "abi/sched.hpp"
#include "abi/xen.hpp"
#include "guest/lib/evtchn.hpp"
#include "guest/lib/runtime.hpp"
#include "guest/lib/time.hpp"
#include "guest/lib/trap_stub.hpp"

using namespace guest;

const char* const guest::kTestName = "events";

namespace {

constexpr long kEINVAL = -22, kENOENT = -2, kEEXIST = -17;
constexpr unsigned kPorts = 4096;

volatile xen::shared_info* g_shared;
volatile unsigned g_upcalls;
volatile unsigned g_count[kPorts];

volatile xen::vcpu_info& vcpu0() { return g_shared->vcpu_info[0]; }

}  // namespace

// The upcall: take the selector, then each pending and unmasked port.
extern "C" void on_event()
{
    g_upcalls = g_upcalls + 1;
    volatile xen::vcpu_info& vi = vcpu0();
    vi.evtchn_upcall_pending = 0;
    uint64_t sel = __atomic_exchange_n(&vi.evtchn_pending_sel, 0, __ATOMIC_SEQ_CST);
    while (sel) {
        unsigned word = __builtin_ctzll(sel);
        sel &= sel - 1;
        uint64_t bits = g_shared->evtchn_pending[word] & ~g_shared->evtchn_mask[word];
        while (bits) {
            unsigned bit = __builtin_ctzll(bits);
            bits &= bits - 1;
            __atomic_fetch_and(&g_shared->evtchn_pending[word], ~(1ull << bit), __ATOMIC_SEQ_CST);
            g_count[word * 64 + bit] = g_count[word * 64 + bit] + 1;
        }
    }
}

// Entered like an exception without error code: RCX R11 RIP CS RFLAGS RSP
// SS. Saves what C may clobber, then leaves through the iret hypercall,
// which restores the event mask from the saved RFLAGS.IF.
GUEST_TRAP_STUB(event_callback, 0, 0, on_event)

namespace {


long close(uint32_t port)
{
    xen::evtchn_close c{port};
    return evtchn_op(xen::EVTCHNOP_close, &c);
}

xen::evtchn_status status(uint32_t port, long* r)
{
    xen::evtchn_status st{};
    st.dom = xen::DOMID_SELF;
    st.port = port;
    *r = evtchn_op(xen::EVTCHNOP_status, &st);
    return st;
}

long bind_virq(uint32_t virq, uint32_t vcpu, uint32_t* port)
{
    xen::evtchn_bind_virq b{virq, vcpu, 0};
    long r = evtchn_op(xen::EVTCHNOP_bind_virq, &b);
    *port = b.port;
    return r;
}

long vcpu_op(uint64_t op, void* arg) { return hypercall(xen::HYPERVISOR_vcpu_op, op, 0, ptr(arg)); }

void set_port_mask(uint32_t port, bool masked)
{
    uint64_t bit = 1ull << (port % 64);
    if (masked)
        __atomic_fetch_or(&g_shared->evtchn_mask[port / 64], bit, __ATOMIC_SEQ_CST);
    else
        __atomic_fetch_and(&g_shared->evtchn_mask[port / 64], ~bit, __ATOMIC_SEQ_CST);
}

bool port_pending(uint32_t port) { return g_shared->evtchn_pending[port / 64] & (1ull << (port % 64)); }

// Blocks until `port` has fired `n` times (SCHEDOP_block enables events and
// returns once one was delivered), or gives up after `limit_ns`.
bool wait_for(uint32_t port, unsigned n, uint64_t limit_ns)
{
    uint64_t start = system_time_ns();
    while (g_count[port] < n) {
        if (system_time_ns() - start > limit_ns)
            return false;
        hypercall(xen::HYPERVISOR_sched_op, xen::SCHEDOP_block, 0);
    }
    return true;
}

void test_ipi()
{
    xen::evtchn_bind_ipi b{0, 0};
    long r = evtchn_op(xen::EVTCHNOP_bind_ipi, &b);
    check(r == 0 && b.port > 0 && b.port < kPorts, "bind_ipi: %ld, port %u", r, b.port);
    uint32_t p = b.port;
    r = evtchn_send(p);
    check(r == 0 && g_count[p] == 1, "send to our IPI: %ld, delivered %u times", r, g_count[p]);

    // A masked port stays pending; unmasking delivers it.
    set_port_mask(p, true);
    evtchn_send(p);
    check(g_count[p] == 1 && port_pending(p), "masked port: delivered %u times, pending %d", g_count[p],
          port_pending(p));
    xen::evtchn_unmask u{p};
    r = evtchn_op(xen::EVTCHNOP_unmask, &u);
    check(r == 0 && g_count[p] == 2, "unmask: %ld, delivered %u times", r, g_count[p]);

    // Masked upcalls (the guest's virtual IF): delivered once it clears the
    // mask and makes any hypercall.
    vcpu0().evtchn_upcall_mask = 1;
    evtchn_send(p);
    check(g_count[p] == 2, "upcall mask set: delivered %u times", g_count[p]);
    vcpu0().evtchn_upcall_mask = 0;
    hypercall(xen::HYPERVISOR_xen_version, 0, 0);
    check(g_count[p] == 3, "upcall mask cleared: delivered %u times", g_count[p]);

    xen::evtchn_status st = status(p, &r);
    check(r == 0 && st.status == xen::EVTCHNSTAT_ipi && st.vcpu == 0, "status of the IPI: %ld, %u vcpu %u", r,
          st.status, st.vcpu);
    check(close(p) == 0, "close of the IPI");
    st = status(p, &r);
    check(r == 0 && st.status == xen::EVTCHNSTAT_closed, "status after close: %ld, %u", r, st.status);
    r = evtchn_send(p);
    check(r == kEINVAL, "send on a closed port: %ld, expected -EINVAL", r);
}

void test_interdomain()
{
    xen::evtchn_alloc_unbound a{xen::DOMID_SELF, xen::DOMID_SELF, 0};
    long r = evtchn_op(xen::EVTCHNOP_alloc_unbound, &a);
    check(r == 0, "alloc_unbound: %ld", r);
    uint32_t unbound = a.port;
    xen::evtchn_status st = status(unbound, &r);
    check(r == 0 && st.status == xen::EVTCHNSTAT_unbound, "status of the unbound port: %ld, %u", r, st.status);

    xen::evtchn_bind_interdomain b{xen::DOMID_SELF, 0, unbound, 0};
    r = evtchn_op(xen::EVTCHNOP_bind_interdomain, &b);
    uint32_t local = b.local_port;
    check(r == 0 && local != unbound, "bind_interdomain: %ld, local port %u", r, local);
    // Binding marks the new local port pending.
    check(g_count[local] == 1, "bind_interdomain raised the local port %u times", g_count[local]);
    st = status(local, &r);
    check(r == 0 && st.status == xen::EVTCHNSTAT_interdomain && st.u.interdomain.port == unbound,
          "status of the bound port: %ld, %u, peer %u", r, st.status, st.u.interdomain.port);

    constexpr unsigned kRounds = 1000;
    unsigned before_unbound = g_count[unbound], before_local = g_count[local];
    for (unsigned i = 0; i < kRounds; ++i) {
        evtchn_send(local);
        evtchn_send(unbound);
    }
    unsigned got_unbound = g_count[unbound] - before_unbound, got_local = g_count[local] - before_local;
    check(got_unbound == kRounds && got_local == kRounds, "%u sends each way: %u and %u delivered", kRounds,
          got_unbound, got_local);
    r = evtchn_op(xen::EVTCHNOP_bind_interdomain, &b);
    check(r == kEINVAL, "binding a port already bound: %ld, expected -EINVAL", r);

    // Closing one end leaves the other unbound.
    check(close(local) == 0, "close of the local end");
    st = status(unbound, &r);
    check(r == 0 && st.status == xen::EVTCHNSTAT_unbound, "the peer after close: %ld, %u", r, st.status);
    check(close(unbound) == 0, "close of the other end");
    print("interdomain loopback: %u events each way, none lost\n", kRounds);
}

void test_refusals()
{
    long r = evtchn_send(kPorts + 10);
    check(r == kEINVAL, "send past the last port: %ld, expected -EINVAL", r);
    r = evtchn_send(0);
    check(r == kEINVAL, "send on port 0: %ld, expected -EINVAL", r);
    r = close(0x7fffffff);
    check(r == kEINVAL, "close of a huge port: %ld, expected -EINVAL", r);
    uint32_t port;
    r = bind_virq(100, 0, &port);
    check(r == kEINVAL, "bind_virq of VIRQ 100: %ld, expected -EINVAL", r);
    r = bind_virq(xen::VIRQ_DEBUG, 7, &port);
    check(r == kENOENT, "bind_virq to a missing vCPU: %ld, expected -ENOENT", r);
    xen::evtchn_bind_ipi ipi{5, 0};
    r = evtchn_op(xen::EVTCHNOP_bind_ipi, &ipi);
    check(r == kENOENT, "bind_ipi to a missing vCPU: %ld, expected -ENOENT", r);
    r = evtchn_op(99, &port);
    check(r == -38, "unknown event_channel_op: %ld, expected -ENOSYS", r);
    r = hypercall(xen::HYPERVISOR_event_channel_op, xen::EVTCHNOP_send, 0xffff830000000000ull);
    check(r == -14, "send with the argument in hypervisor memory: %ld, expected -EFAULT", r);
}

void test_time()
{
    uint32_t sec = g_shared->wc_sec;
    check(sec > 1577836800u, "wall clock %u is before 2020", sec);
    uint64_t t0 = system_time_ns();
    for (int i = 0; i < 100000; ++i)
        asm volatile("");
    uint64_t t1 = system_time_ns();
    check(t1 > t0, "system time does not advance: %lu then %lu", t0, t1);

    uint32_t timer;
    long r = bind_virq(xen::VIRQ_TIMER, 0, &timer);
    check(r == 0, "bind_virq(VIRQ_TIMER): %ld", r);
    uint32_t again;
    r = bind_virq(xen::VIRQ_TIMER, 0, &again);
    check(r == kEEXIST, "binding VIRQ_TIMER twice: %ld, expected -EEXIST", r);
    // Xen starts PV vCPUs with a periodic timer; Linux stops it first.
    r = vcpu_op(xen::VCPUOP_stop_periodic_timer, nullptr);
    check(r == 0, "stop_periodic_timer: %ld", r);
    // Let a tick that was already on its way arrive, then count from zero.
    uint64_t settle = system_time_ns() + 30000000;
    while (system_time_ns() < settle)
        hypercall(xen::HYPERVISOR_sched_op, xen::SCHEDOP_yield, 0);
    g_count[timer] = 0;

    // set_timer_op: an absolute deadline 5 ms ahead.
    uint64_t start = system_time_ns(), deadline = start + 5000000;
    r = hypercall(xen::HYPERVISOR_set_timer_op, deadline);
    check(r == 0, "set_timer_op: %ld", r);
    bool fired = wait_for(timer, 1, 2000000000ull);
    uint64_t late = system_time_ns() - deadline;
    check(fired, "set_timer_op: VIRQ_TIMER did not fire within 2 s");
    check(system_time_ns() >= deadline, "VIRQ_TIMER fired early");
    print("set_timer_op: fired %lu us after the deadline\n", late / 1000);

    // The single-shot timer; a deadline in the past fires at once (Xen
    // 4.17 ignores VCPU_SSHOTTMR_future); another vCPU's timer is refused.
    xen::vcpu_set_singleshot_timer ss{system_time_ns() + 3000000, 0, 0};
    r = vcpu_op(xen::VCPUOP_set_singleshot_timer, &ss);
    check(r == 0 && wait_for(timer, 2, 2000000000ull), "singleshot timer: %ld, fired %u", r, g_count[timer]);
    ss = {system_time_ns() - 1000000, xen::VCPU_SSHOTTMR_future, 0};
    r = vcpu_op(xen::VCPUOP_set_singleshot_timer, &ss);
    check(r == 0 && wait_for(timer, 3, 2000000000ull), "singleshot timer in the past: %ld, fired %u", r,
          g_count[timer]);
    r = hypercall(xen::HYPERVISOR_vcpu_op, xen::VCPUOP_set_singleshot_timer, 3, ptr(&ss));
    check(r == kENOENT, "singleshot timer of a vCPU we lack: %ld, expected -ENOENT", r);

    // The periodic timer: five ticks of 10 ms. It ticks only while the
    // vCPU runs (as on Xen, it never wakes a blocked vCPU): poll.
    xen::vcpu_set_periodic_timer pt{10000000};
    unsigned before = g_count[timer];
    start = system_time_ns();
    r = vcpu_op(xen::VCPUOP_set_periodic_timer, &pt);
    check(r == 0, "set_periodic_timer: %ld", r);
    while (g_count[timer] < before + 5 && system_time_ns() - start < 5000000000ull)
        hypercall(xen::HYPERVISOR_sched_op, xen::SCHEDOP_yield, 0);
    uint64_t took = system_time_ns() - start;
    // The first tick comes at once: the last one was long ago (as on Xen).
    check(g_count[timer] >= before + 5 && took >= 35000000, "five periodic ticks: fired %u, took %lu us",
          g_count[timer] - before, took / 1000);
    vcpu_op(xen::VCPUOP_stop_periodic_timer, nullptr);
    pt.period_ns = 10000;
    r = vcpu_op(xen::VCPUOP_set_periodic_timer, &pt);
    check(r == kEINVAL, "a 10 us period: %ld, expected -EINVAL", r);
    print("timers: one-shot and periodic VIRQ_TIMER on time (5 ticks in %lu ms)\n", took / 1000000);
    close(timer);
}

}  // namespace

void guest::kernel_main(const xen::start_info* si)
{
    g_shared = map_shared_info(si);
    xen::callback_register cb{xen::CALLBACKTYPE_event, 0, 0, reinterpret_cast<uint64_t>(event_callback)};
    long r = hypercall(xen::HYPERVISOR_callback_op, xen::CALLBACKOP_register, ptr(&cb));
    check(r == 0, "registering the event callback: %ld", r);
    vcpu0().evtchn_upcall_mask = 0;  // events on, like Linux's local_irq_enable

    test_ipi();
    test_interdomain();
    test_refusals();
    test_time();
    print("%u upcalls\n", g_upcalls);
}
