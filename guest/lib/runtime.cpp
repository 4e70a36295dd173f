#include "guest/lib/runtime.hpp"

#include "guest/lib/time.hpp"

#include "abi/sched.hpp"
#include "lib/format.hpp"

namespace guest {
namespace {

unsigned g_failures = 0;

class ConsoleSink final : public vireo::CharSink {
public:
    void put(const char* s, size_t n) override { console_write(s, n); }
};

}  // namespace

void console_write(const char* s, size_t n)
{
    hypercall(xen::HYPERVISOR_console_io, xen::CONSOLEIO_write, n, ptr(s));
}

void print(const char* fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    size_t n = vireo::vformat_to(buf, sizeof buf, fmt, ap);
    va_end(ap);
    console_write(buf, n < sizeof buf ? n : sizeof buf - 1);
}

void check(bool ok, const char* fmt, ...)
{
    if (ok)
        return;
    ++g_failures;
    char buf[400];
    va_list ap;
    va_start(ap, fmt);
    vireo::vformat_to(buf, sizeof buf, fmt, ap);
    va_end(ap);
    print("CHECK FAILED: %s\n", buf);
}

unsigned failures() { return g_failures; }

void shutdown(uint32_t reason)
{
    xen::sched_shutdown req{reason};
    for (;;)
        hypercall(xen::HYPERVISOR_sched_op, xen::SCHEDOP_shutdown, ptr(&req));
}

const char* cmdline_value(const xen::start_info* si, const char* key, char* buf, size_t size)
{
    size_t klen = __builtin_strlen(key);
    const char* p = si->cmd_line;
    while (*p) {
        while (*p == ' ')
            ++p;
        if (__builtin_strncmp(p, key, klen) == 0 && p[klen] == '=') {
            p += klen + 1;
            size_t n = 0;
            while (p[n] && p[n] != ' ' && n + 1 < size) {
                buf[n] = p[n];
                ++n;
            }
            buf[n] = '\0';
            return buf;
        }
        while (*p && *p != ' ')
            ++p;
    }
    return nullptr;
}

uint64_t cmdline_uint(const xen::start_info* si, const char* key, uint64_t fallback)
{
    char buf[24];
    const char* v = cmdline_value(si, key, buf, sizeof buf);
    if (!v || !*v)
        return fallback;
    uint64_t n = 0;
    for (; *v >= '0' && *v <= '9' && n < (~uint64_t{0} - 9) / 10; ++v)
        n = n * 10 + static_cast<uint64_t>(*v - '0');
    return n;
}

}  // namespace guest

extern "C" [[noreturn]] void guest_start(const xen::start_info* si)
{
    guest::print("vireo-test %s: starting\n", guest::kTestName);
    guest::kernel_main(si);
    // linger_ms=N: stay up N ms before powering off, so that a system test
    // sees the other domains carry on after this one's last act (the
    // machine stops with dom0).
    if (uint64_t ms = guest::cmdline_uint(si, "linger_ms", 0)) {
        guest::map_shared_info(si);
        guest::print("lingering %lu ms\n", ms);
        guest::sleep_ns(ms * 1000000);
    }
    if (guest::failures()) {
        guest::print("FAIL %s: %u checks failed\n", guest::kTestName, guest::failures());
        guest::shutdown(xen::SHUTDOWN_crash);
    }
    guest::print("PASS %s\n", guest::kTestName);
    guest::shutdown(xen::SHUTDOWN_poweroff);
}
