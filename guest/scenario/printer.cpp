// A domain that keeps printing: a numbered line every 100 ms, sleeping on
// its timer in between, so a system test can see that it was never
// starved of the CPU.
#include "guest/lib/runtime.hpp"
#include "guest/lib/time.hpp"

using namespace guest;

const char* const guest::kTestName = "printer";

void guest::kernel_main(const xen::start_info* si)
{
    map_shared_info(si);
    uint64_t next = system_time_ns();
    for (unsigned n = 1;; ++n) {
        next += 100000000;
        sleep_until(next);
        print("line %u\n", n);
    }
}
