// dom0 of the inter-domain scenario: finds the port its peer (domain 1)
// offered with alloc_unbound, binds to it, and plays ping-pong: 100 000
// events each way in lock-step, every one answered, none lost. Prints the
// round-trip time. The play itself is guest/lib/ping_pong.cpp, shared with
// the builder scenario (which starts its peer itself).
#include "guest/lib/ping_pong.hpp"
#include "guest/lib/runtime.hpp"
#include "guest/lib/time.hpp"

using namespace guest;

const char* const guest::kTestName = "ping";

void guest::kernel_main(const xen::start_info* si)
{
    constexpr uint16_t kPeer = 1;
    map_shared_info(si);
    if (uint32_t port = ping_connect(kPeer))
        ping_play(port, WaitStyle::block);
}
