#include "guest/lib/ping_pong.hpp"

#include "abi/event_channel.hpp"
#include "abi/sched.hpp"
#include "guest/lib/evtchn.hpp"
#include "guest/lib/runtime.hpp"
#include "guest/lib/time.hpp"

namespace guest {
namespace {

long poll(const uint32_t* ports, uint32_t n, uint64_t deadline_ns)
{
    xen::sched_poll p{ptr(ports), n, 0, deadline_ns};
    return hypercall(xen::HYPERVISOR_sched_op, xen::SCHEDOP_poll, ptr(&p));
}

// The peer's first unbound port offered to dom0 (reading the status of
// another domain's port is a privileged domain's right).
uint32_t find_offer(uint16_t peer)
{
    for (int tries = 0; tries < 1000; ++tries) {
        for (uint32_t port = 1; port < 64; ++port) {
            xen::evtchn_status st{};
            st.dom = peer;
            st.port = port;
            if (evtchn_op(xen::EVTCHNOP_status, &st) == 0 && st.status == xen::EVTCHNSTAT_unbound &&
                st.u.unbound.dom == 0)
                return port;
        }
        poll_sleep_ns(1000000);  // the peer has not offered yet
    }
    return 0;
}

}  // namespace

void poll_wait(uint32_t port)
{
    while (!evtchn_take(port))
        poll(&port, 1, 0);
}

void poll_sleep_ns(uint64_t ns)
{
    uint64_t deadline = system_time_ns() + ns;
    while (system_time_ns() < deadline)
        poll(nullptr, 0, deadline);
}

uint32_t ping_connect(uint16_t peer)
{
    uint32_t remote = find_offer(peer);
    check(remote != 0, "domain %u offered no port", peer);
    if (!remote)
        return 0;
    xen::evtchn_bind_interdomain b{peer, 0, remote, 0};
    long r = evtchn_op(xen::EVTCHNOP_bind_interdomain, &b);
    check(r == 0, "bind_interdomain to d%u port %u: %ld", peer, remote, r);
    if (r != 0)
        return 0;
    evtchn_take(b.local_port);  // binding raises the new port once
    return b.local_port;
}

PingPongFigures ping_play(uint32_t port, WaitStyle wait)
{
    constexpr unsigned kPerBatch = kPingPongRounds / kPingPongBatches;
    PingPongFigures f{0, 0, ~uint64_t{0}};
    uint64_t start = system_time_ns();
    for (unsigned batch = 0; batch < kPingPongBatches; ++batch) {
        uint64_t t0 = rdtsc();
        for (unsigned i = 0; i < kPerBatch; ++i) {
            check(evtchn_send(port) == 0, "send %u", f.answered);
            if (wait == WaitStyle::poll)
                poll_wait(port);
            else
                evtchn_wait(port);
            ++f.answered;
        }
        uint64_t per = (rdtsc() - t0) / kPerBatch;
        f.best_cycles_per_round = per < f.best_cycles_per_round ? per : f.best_cycles_per_round;
    }
    f.ns_per_round = (system_time_ns() - start) / kPingPongRounds;
    print("ping-pong: %u events each way, %u answered, none lost; %lu ns per round trip\n", kPingPongRounds,
          f.answered, f.ns_per_round);
    print("cycles-per-domain-pingpong %lu\n", f.best_cycles_per_round);
    check(f.answered == kPingPongRounds, "answered %u of %u", f.answered, kPingPongRounds);
    evtchn_send(port);  // tells the peer to stop
    return f;
}

unsigned pong_serve()
{
    xen::evtchn_alloc_unbound a{xen::DOMID_SELF, 0, 0};
    long r = evtchn_op(xen::EVTCHNOP_alloc_unbound, &a);
    check(r == 0, "alloc_unbound for dom0: %ld", r);
    if (r != 0)
        return 0;
    unsigned seen = 0;
    for (; seen < kPingPongRounds; ++seen) {
        poll_wait(a.port);
        evtchn_send(a.port);
    }
    poll_wait(a.port);
    return seen;
}

}  // namespace guest
