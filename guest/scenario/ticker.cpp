// A quiet domain for the demo: every few seconds it prints its uptime and
// the wall clock from shared_info, sleeping on its timer in between.
#include "guest/lib/runtime.hpp"
#include "guest/lib/time.hpp"

using namespace guest;

const char* const guest::kTestName = "ticker";

void guest::kernel_main(const xen::start_info* si)
{
    char buf[16];
    uint64_t period_s = 5;
    if (cmdline_value(si, "period", buf, sizeof buf) && buf[0] >= '1' && buf[0] <= '9')
        period_s = static_cast<uint64_t>(buf[0] - '0');
    volatile xen::shared_info* shared = map_shared_info(si);
    for (unsigned n = 1;; ++n) {
        sleep_ns(period_s * 1000000000ull);
        uint64_t now = system_time_ns();
        print("tick %u: up %lu.%03lu s, wall clock %u s since 1970\n", n, now / 1000000000,
              now / 1000000 % 1000, shared->wc_sec + static_cast<uint32_t>(now / 1000000000));
    }
}
