// dom0 of the never-yielding scenario: domain 1 spins with its events
// masked and never yields (spin_masked), domain 2 prints a line every
// 100 ms (printer). For 4 s dom0 sleeps 50 ms at a time and measures how
// late it wakes, and reads both domains' CPU time. It passes when the
// spinner starved nobody: dom0 woke on time every time, the printer ran,
// and the spinner itself kept the rest of the CPU.
#include "guest/lib/domctl.hpp"
#include "guest/lib/runtime.hpp"
#include "guest/lib/time.hpp"

using namespace guest;

const char* const guest::kTestName = "spin_watch";

namespace {

constexpr uint16_t kSpinner = 1, kPrinter = 2;
constexpr unsigned kTicks = 80;
constexpr uint64_t kTickNs = 50000000;
// BVT lets a woken vCPU wait out the running one's slice (at most 30 ms)
// when their virtual times are close; more than a few slices is starving.
constexpr uint64_t kMaxLateNs = 150000000;

uint64_t cpu_time(uint16_t domid)
{
    xen::xen_domctl_getdomaininfo info;
    bool found = domain_info(domid, info);
    check(found, "getdomaininfo(d%u)", domid);
    return found ? info.cpu_time : 0;
}

}  // namespace

void guest::kernel_main(const xen::start_info* si)
{
    map_shared_info(si);
    // Both domains started (each has run).
    uint64_t start = system_time_ns();
    while ((cpu_time(kSpinner) == 0 || cpu_time(kPrinter) == 0) && system_time_ns() - start < 5000000000ull)
        sleep_ns(10000000);
    uint64_t spin0 = cpu_time(kSpinner), print0 = cpu_time(kPrinter), t0 = system_time_ns();
    uint64_t worst = 0, total = 0;
    for (unsigned i = 1; i <= kTicks; ++i) {
        uint64_t deadline = system_time_ns() + kTickNs;
        sleep_until(deadline);
        uint64_t late = system_time_ns() - deadline;
        worst = late > worst ? late : worst;
        total += late;
        if (i % 20 == 0)
            print("dom0 tick %u: woken %lu us late\n", i, late / 1000);
    }
    uint64_t elapsed = system_time_ns() - t0;
    uint64_t spin = cpu_time(kSpinner) - spin0, printed = cpu_time(kPrinter) - print0;
    print("over %lu ms: dom0 woken %lu us late on average, %lu us at worst\n", elapsed / 1000000,
          total / kTicks / 1000, worst / 1000);
    print("over %lu ms: the spinner ran %lu ms, the printer %lu us\n", elapsed / 1000000, spin / 1000000,
          printed / 1000);
    check(worst < kMaxLateNs, "dom0 was starved: woken %lu us late", worst / 1000);
    check(printed > 0, "the printer did not run");
    check(spin * 2 > elapsed, "the spinner ran only %lu of %lu ms", spin / 1000000, elapsed / 1000000);
}
