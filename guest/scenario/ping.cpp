// dom0 of the inter-domain scenario: finds the port its peer (domain 1)
// offered with alloc_unbound, binds to it, and plays ping-pong: 100 000
// events each way in lock-step, every one answered, none lost. Prints the
// round-trip time.
#include "abi/event_channel.hpp"
#include "guest/lib/evtchn.hpp"
#include "guest/lib/runtime.hpp"
#include "guest/lib/time.hpp"

using namespace guest;

const char* const guest::kTestName = "ping";

namespace {

constexpr uint16_t kPeer = 1;
constexpr unsigned kRounds = 100000;

// The peer's first unbound port offered to us (status of another
// domain's port: a privileged domain's right).
uint32_t find_offer()
{
    for (int tries = 0; tries < 1000; ++tries) {
        for (uint32_t port = 1; port < 64; ++port) {
            xen::evtchn_status st{};
            st.dom = kPeer;
            st.port = port;
            if (evtchn_op(xen::EVTCHNOP_status, &st) == 0 && st.status == xen::EVTCHNSTAT_unbound &&
                st.u.unbound.dom == 0)
                return port;
        }
        sleep_ns(1000000);  // the peer has not offered yet
    }
    return 0;
}

}  // namespace

void guest::kernel_main(const xen::start_info* si)
{
    map_shared_info(si);
    uint32_t remote = find_offer();
    check(remote != 0, "domain %u offered no port", kPeer);
    if (!remote)
        return;
    xen::evtchn_bind_interdomain b{kPeer, 0, remote, 0};
    long r = evtchn_op(xen::EVTCHNOP_bind_interdomain, &b);
    check(r == 0, "bind_interdomain to d%u port %u: %ld", kPeer, remote, r);
    uint32_t port = b.local_port;
    evtchn_take(port);  // binding raises the new port once

    uint64_t start = system_time_ns();
    unsigned answered = 0;
    for (unsigned i = 0; i < kRounds; ++i) {
        check(evtchn_send(port) == 0, "send %u", i);
        evtchn_wait(port);
        ++answered;
    }
    uint64_t took = system_time_ns() - start;
    print("ping-pong: %u events each way, %u answered, none lost; %lu ns per round trip\n", kRounds, answered,
          took / kRounds);
    check(answered == kRounds, "answered %u of %u", answered, kRounds);
    evtchn_send(port);  // tells the peer to stop
}
