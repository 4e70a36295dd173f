// A CPU hog for scheduling scenarios: announces itself, then computes for
// ever without a hypercall, so only the hypervisor's timer takes the CPU
// back from it.
#include "guest/lib/runtime.hpp"

using namespace guest;

const char* const guest::kTestName = "spin";

void guest::kernel_main(const xen::start_info*)
{
    print("spinning\n");
    uint64_t x = 1;
    for (;;)
        asm volatile("imul $3, %0, %0" : "+r"(x));
}
