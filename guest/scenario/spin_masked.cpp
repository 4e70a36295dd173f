// A hostile CPU hog: it masks its events (the vCPU's upcall mask and every
// port) and then never makes a hypercall again, never yields and never
// blocks. Only the hypervisor's own timer can take the CPU back from it.
#include "guest/lib/runtime.hpp"
#include "guest/lib/time.hpp"

using namespace guest;

const char* const guest::kTestName = "spin_masked";

void guest::kernel_main(const xen::start_info* si)
{
    volatile xen::shared_info* s = map_shared_info(si);
    s->vcpu_info[0].evtchn_upcall_mask = 1;
    for (unsigned i = 0; i < 64; ++i)
        s->evtchn_mask[i] = ~uint64_t{0};
    print("spinning with events masked\n");
    uint64_t x = 1;
    for (;;)
        asm volatile("imul $3, %0, %0" : "+r"(x));
}
