// dom0's console input: reads what is typed on the serial line with
// CONSOLEIO_read and echoes each line back, until it reads "quit".
#include "abi/sched.hpp"
#include "abi/xen.hpp"
#include "guest/lib/runtime.hpp"

using namespace guest;

const char* const guest::kTestName = "echo";

void guest::kernel_main(const xen::start_info*)
{
    print("echo: ready for input\n");
    char line[128];
    size_t len = 0;
    // Polls with yields: this test runs before event channels exist.
    for (long spins = 0; spins < 50000000; ++spins) {
        char buf[32];
        long n = hypercall(xen::HYPERVISOR_console_io, xen::CONSOLEIO_read, sizeof buf, ptr(buf));
        if (n < 0) {
            check(false, "console read: %ld", n);
            return;
        }
        for (long i = 0; i < n; ++i) {
            char c = buf[i];
            if (c == '\r' || c == '\n') {
                line[len] = '\0';
                if (len)
                    print("echo: got '%s'\n", line);
                if (__builtin_strcmp(line, "quit") == 0)
                    return;
                len = 0;
            } else if (len + 1 < sizeof line) {
                line[len++] = c;
            }
        }
        if (n == 0)
            hypercall(xen::HYPERVISOR_sched_op, xen::SCHEDOP_yield, 0);
    }
    check(false, "no 'quit' typed");
}
