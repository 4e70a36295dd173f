// dom0 for scenarios whose real work happens in other domains (Linux domUs,
// say): waits until every other domain has shut down, prints how each
// ended, and passes if each ended with the reason given as expect=<reason>
// (poweroff by default). timeout=<seconds> bounds the wait.
#include "guest/lib/domctl.hpp"
#include "guest/lib/runtime.hpp"
#include "guest/lib/time.hpp"

using namespace guest;

const char* const guest::kTestName = "supervise";

namespace {

constexpr uint16_t kMaxDomains = 32;
constexpr uint64_t kPollNs = 100000000ull;  // 100 ms

const char* reason_name(unsigned r)
{
    static const char* const kNames[] = {"poweroff", "reboot", "suspend", "crash", "watchdog", "soft_reset"};
    return r < sizeof kNames / sizeof kNames[0] ? kNames[r] : "unknown";
}

bool equal(const char* a, const char* b)
{
    while (*a && *a == *b)
        ++a, ++b;
    return *a == *b;
}

}  // namespace

void guest::kernel_main(const xen::start_info* si)
{
    char buf[32];
    const char* expect = cmdline_value(si, "expect", buf, sizeof buf);
    if (!expect)
        expect = "poweroff";
    uint64_t timeout_ns = cmdline_uint(si, "timeout", 600) * 1000000000ull;

    map_shared_info(si);
    uint64_t start = system_time_ns();
    bool reported[kMaxDomains] = {};
    for (;;) {
        unsigned alive = 0, seen = 0;
        xen::xen_domctl_getdomaininfo info;
        for (uint16_t id = 1; id < kMaxDomains; ++id) {
            if (!domain_info(id, info))
                continue;
            ++seen;
            if (!(info.flags & xen::XEN_DOMINF_shutdown)) {
                ++alive;
                continue;
            }
            if (!reported[id]) {
                reported[id] = true;
                const char* r = reason_name((info.flags >> xen::XEN_DOMINF_shutdownshift) & 0xff);
                print("d%u shut down: %s\n", id, r);
                check(equal(r, expect), "d%u ended with %s, expected %s", id, r, expect);
            }
        }
        if (seen == 0) {
            check(false, "no other domain to supervise");
            return;
        }
        if (alive == 0) {
            print("all %u domains have shut down\n", seen);
            return;
        }
        if (system_time_ns() - start > timeout_ns) {
            check(false, "%u of %u domains still running after %lu s", alive, seen, timeout_ns / 1000000000ull);
            return;
        }
        sleep_ns(kPollNs);
    }
}
