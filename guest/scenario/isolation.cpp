// dom0 of the isolation experiment (isolation.hpp): domains 1 and 2 are
// well-behaved workers that measure their own throughput, 3 and 4 are
// antisocial (page-table churn; event and hypercall storm) in every other
// window. dom0 follows the same timetable and reads each domain's CPU time
// (getdomaininfo) at the window edges: it prints the shares of the
// machine's time each got, alone and beside the antisocial domains, and
// checks that the antisocial ones got no more than their fair share and
// the well-behaved ones no less than most of theirs. Then
// it waits for the four to end and checks that each ended well (a worker
// whose throughput fell too far crashes with FAIL).
//   cpus=<n>  the CPUs the machine has (the time to share is n x wall).
#include "abi/sched.hpp"
#include "guest/lib/domctl.hpp"
#include "guest/lib/runtime.hpp"
#include "guest/lib/time.hpp"
#include "guest/scenario/isolation.hpp"

using namespace guest;
using namespace guest::isolation;

const char* const guest::kTestName = "isolation";

namespace {

constexpr unsigned kDomains = 4;
const char* const kNames[kDomains] = {"compute", "events", "churn", "storm"};
// Per mille of the machine's time an antisocial domain may have, and a
// well-behaved one must have, in the storm windows: the fair share (1/4)
// and a margin for the slices' granularity. On several CPUs the workers'
// bound also needs the queues balanced (three on one CPU and one alone on
// the other give 1/6 and 1/2).
constexpr unsigned kMaxAntisocialPerMille = 320;
constexpr unsigned kMinWellBehavedPerMille = 180;
constexpr uint64_t kEndTimeoutNs = 30000000000ull;

bool cpu_times(uint64_t out[kDomains])
{
    xen::xen_domctl_getdomaininfo info;
    for (unsigned i = 0; i < kDomains; ++i) {
        if (!domain_info(static_cast<uint16_t>(i + 1), info))
            return false;
        out[i] = info.cpu_time;
    }
    return true;
}

void print_shares(const char* what, const uint64_t ran[kDomains], uint64_t machine_ns)
{
    unsigned pm[kDomains], sum = 0;
    for (unsigned i = 0; i < kDomains; ++i) {
        pm[i] = machine_ns ? static_cast<unsigned>(ran[i] * 1000 / machine_ns) : 0;
        sum += pm[i];
    }
    print("%s: %s %u.%u%%, %s %u.%u%%, %s %u.%u%%, %s %u.%u%% of the machine (the four: %u.%u%%)\n", what,
          kNames[0], pm[0] / 10, pm[0] % 10, kNames[1], pm[1] / 10, pm[1] % 10, kNames[2], pm[2] / 10, pm[2] % 10,
          kNames[3], pm[3] / 10, pm[3] % 10, sum / 10, sum % 10);
}

// Waits until domains 1-4 have all shut down; false if one did not power
// off or they outlast the timeout.
bool wait_for_the_end()
{
    uint64_t give_up = system_time_ns() + kEndTimeoutNs;
    for (;;) {
        unsigned alive = 0;
        xen::xen_domctl_getdomaininfo info;
        for (unsigned i = 0; i < kDomains; ++i) {
            if (!domain_info(static_cast<uint16_t>(i + 1), info)) {
                check(false, "d%u (%s) is gone", i + 1, kNames[i]);
                return false;
            }
            if (!(info.flags & xen::XEN_DOMINF_shutdown)) {
                ++alive;
                continue;
            }
            unsigned reason = (info.flags >> xen::XEN_DOMINF_shutdownshift) & 0xff;
            if (reason != xen::SHUTDOWN_poweroff) {
                check(false, "d%u (%s) shut down with reason %u", i + 1, kNames[i], reason);
                return false;
            }
        }
        if (alive == 0)
            return true;
        if (system_time_ns() > give_up) {
            check(false, "%u domains still running %lu s after the timetable", alive, kEndTimeoutNs / 1000000000);
            return false;
        }
        sleep_ns(100000000ull);
    }
}

}  // namespace

void guest::kernel_main(const xen::start_info* si)
{
    unsigned cpus = static_cast<unsigned>(cmdline_uint(si, "cpus", 1));
    map_shared_info(si);
    if (system_time_ns() >= window_start_ns(0)) {
        check(false, "dom0 started after the first window");
        return;
    }

    // Time between samples, per kind of window; dom0 may wake a little late,
    // so the machine's time is what passed between the samples themselves.
    uint64_t ran[2][kDomains] = {}, machine_ns[2] = {};
    uint64_t before[kDomains], after[kDomains];
    sleep_until(window_start_ns(0));
    uint64_t t0 = system_time_ns();
    check(cpu_times(before), "getdomaininfo of domains 1-%u", kDomains);
    for (unsigned w = 0; w < kWindows; ++w) {
        sleep_until(window_start_ns(w + 1));
        uint64_t t1 = system_time_ns();
        if (!cpu_times(after)) {
            check(false, "a domain of the experiment is gone");
            return;
        }
        unsigned k = is_storm(w) ? 1 : 0;
        for (unsigned i = 0; i < kDomains; ++i) {
            ran[k][i] += after[i] - before[i];
            before[i] = after[i];
        }
        machine_ns[k] += (t1 - t0) * cpus;
        t0 = t1;
    }
    print_shares("alone", ran[0], machine_ns[0]);
    print_shares("beside the antisocial domains", ran[1], machine_ns[1]);
    for (unsigned i = 0; i < kDomains; ++i) {
        unsigned pm = machine_ns[1] ? static_cast<unsigned>(ran[1][i] * 1000 / machine_ns[1]) : 0;
        if (i >= 2)
            check(pm <= kMaxAntisocialPerMille, "%s had %u.%u%% of the machine, over %u.%u%%", kNames[i], pm / 10,
                  pm % 10, kMaxAntisocialPerMille / 10, kMaxAntisocialPerMille % 10);
        else
            check(pm >= kMinWellBehavedPerMille, "%s had %u.%u%% of the machine, under %u.%u%%", kNames[i],
                  pm / 10, pm % 10, kMinWellBehavedPerMille / 10, kMinWellBehavedPerMille % 10);
    }
    if (wait_for_the_end())
        print("all %u domains powered off\n", kDomains);
}
