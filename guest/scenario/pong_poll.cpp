// The domain builder's peer (guest/scenario/builder.cpp starts it as a
// domU): the pong of the ping scenario, waiting in SCHEDOP_poll
// (guest/lib/ping_pong.cpp says why). On Xen a domU's console output is
// dropped, so nothing here depends on being seen: dom0 counts the answers.
#include "guest/lib/ping_pong.hpp"
#include "guest/lib/runtime.hpp"
#include "guest/lib/time.hpp"

using namespace guest;

const char* const guest::kTestName = "pong_poll";

void guest::kernel_main(const xen::start_info* si)
{
    map_shared_info(si);
    unsigned seen = pong_serve();
    print("answered %u events\n", seen);
}
