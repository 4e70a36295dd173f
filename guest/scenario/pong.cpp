// The peer of the ping scenario: offers dom0 a port (alloc_unbound), then
// answers every event with one of its own, counting them; a last event
// after the rounds ends it.
#include "abi/event_channel.hpp"
#include "guest/lib/evtchn.hpp"
#include "guest/lib/runtime.hpp"
#include "guest/lib/time.hpp"

using namespace guest;

const char* const guest::kTestName = "pong";

void guest::kernel_main(const xen::start_info* si)
{
    map_shared_info(si);
    xen::evtchn_alloc_unbound a{xen::DOMID_SELF, 0, 0};
    long r = evtchn_op(xen::EVTCHNOP_alloc_unbound, &a);
    check(r == 0, "alloc_unbound for dom0: %ld", r);
    print("offered port %u to dom0\n", a.port);
    constexpr unsigned kRounds = 100000;
    unsigned seen = 0;
    for (; seen < kRounds; ++seen) {
        evtchn_wait(a.port);
        evtchn_send(a.port);
    }
    print("answered %u events\n", seen);
    evtchn_wait(a.port);
}
