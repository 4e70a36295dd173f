// console_io as dom0: long writes in one call arrive whole, and a read with
// nothing typed returns 0 bytes.
#include "abi/xen.hpp"
#include "guest/lib/runtime.hpp"

using namespace guest;

const char* const guest::kTestName = "console";

namespace {
char g_big[6000];
}

void guest::kernel_main(const xen::start_info*)
{
    // 100 lines of varied length, written with one hypercall.
    size_t n = 0;
    for (int line = 0; line < 100 && n + 64 < sizeof g_big; ++line) {
        int len = 10 + (line * 7) % 40;
        g_big[n++] = 'L';
        g_big[n++] = static_cast<char>('0' + line / 10);
        g_big[n++] = static_cast<char>('0' + line % 10);
        for (int i = 0; i < len; ++i)
            g_big[n++] = static_cast<char>('a' + (line + i) % 26);
        g_big[n++] = '\n';
    }
    long r = hypercall(xen::HYPERVISOR_console_io, xen::CONSOLEIO_write, n, ptr(g_big));
    check(r == 0, "long write: %ld", r);
    print("wrote %lu bytes in one call\n", n);

    char in[16];
    r = hypercall(xen::HYPERVISOR_console_io, xen::CONSOLEIO_read, sizeof in, ptr(in));
    check(r == 0, "read with no input: %ld", r);
    r = hypercall(xen::HYPERVISOR_console_io, xen::CONSOLEIO_write, 10, 0xffff800000000000ull);
    check(r == -14, "write from hypervisor memory: %ld, expected -EFAULT", r);
}
