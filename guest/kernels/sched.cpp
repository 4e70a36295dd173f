// sched_op: yield returns, an unknown sub-op is -ENOSYS, an unreadable
// argument is -EFAULT, and the domain ends with the reason its command line names.
#include "abi/sched.hpp"
#include "abi/xen.hpp"
#include "guest/lib/runtime.hpp"

using namespace guest;

const char* const guest::kTestName = "sched";

void guest::kernel_main(const xen::start_info* si)
{
    for (int i = 0; i < 1000; ++i) {
        long r = hypercall(xen::HYPERVISOR_sched_op, xen::SCHEDOP_yield, 0);
        if (r != 0) {
            check(false, "yield %d returned %ld", i, r);
            break;
        }
    }
    long r = hypercall(xen::HYPERVISOR_sched_op, 99, 0);
    check(r == -38, "unknown sched_op: %ld, expected -ENOSYS", r);
    r = hypercall(xen::HYPERVISOR_sched_op, xen::SCHEDOP_shutdown, 0x10);
    check(r == -14, "shutdown with an unmapped argument: %ld, expected -EFAULT", r);

    char reason[16];
    if (cmdline_value(si, "reason", reason, sizeof reason) && failures() == 0) {
        uint32_t code = xen::SHUTDOWN_poweroff;
        if (!__builtin_strcmp(reason, "reboot"))
            code = xen::SHUTDOWN_reboot;
        else if (!__builtin_strcmp(reason, "crash"))
            code = xen::SHUTDOWN_crash;
        print("PASS sched (shutting down with reason %s)\n", reason);
        shutdown(code);
    }
}
