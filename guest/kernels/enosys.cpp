// Hypercalls and sub-ops nobody implements answer -ENOSYS, and the
// hypervisor goes on.
#include "abi/xen.hpp"
#include "guest/lib/runtime.hpp"

using namespace guest;

const char* const guest::kTestName = "enosys";

void guest::kernel_main(const xen::start_info*)
{
    const uint64_t unknown[] = {43, 47, 56, 60, 63};
    for (uint64_t nr : unknown) {
        long r = hypercall(nr, 1, 2, 3, 4, 5);
        check(r == -38, "hypercall %lu: %ld, expected -ENOSYS", nr, r);
    }
    long r = hypercall(xen::HYPERVISOR_xen_version, 1234, 0);
    check(r == -38, "xen_version sub-op 1234: %ld, expected -ENOSYS", r);
    r = hypercall(xen::HYPERVISOR_console_io, 77, 0, 0);
    check(r == -38, "console_io command 77: %ld, expected -ENOSYS", r);
    // The same unknown call again: still -ENOSYS (it is logged only once).
    r = hypercall(60, 0, 0, 0, 0, 0);
    check(r == -38, "hypercall 60 again: %ld", r);
}
