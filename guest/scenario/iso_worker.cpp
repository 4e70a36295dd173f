// A well-behaved domain of the isolation experiment (isolation.hpp): does
// fixed units of work as fast as it can, counts them in each window of the
// timetable, then compares its throughput beside the antisocial domains
// with its throughput alone.
//   work=compute  a unit is ALU work only.
//   work=events   a unit is less ALU work, an event sent to itself over a
//                 loopback channel and taken, and a hypercall: the
//                 hypervisor's paths are part of its work, so time they
//                 lose to the storms shows.
//   share=<%>     the fraction of its alone throughput that fair sharing
//                 promises once the antisocial domains run (two of four
//                 CPU-bound domains on the CPUs: 50).
//   floor=<%>     the least part of that promise accepted.
#include "abi/event_channel.hpp"
#include "abi/version.hpp"
#include "guest/lib/evtchn.hpp"
#include "guest/lib/runtime.hpp"
#include "guest/lib/time.hpp"
#include "guest/scenario/isolation.hpp"

using namespace guest;
using namespace guest::isolation;

const char* const guest::kTestName = "iso_worker";

namespace {

struct Loopback {
    uint32_t send_port = 0, recv_port = 0;
    unsigned lost = 0;
};

bool open_loopback(Loopback& lb)
{
    xen::evtchn_alloc_unbound a{xen::DOMID_SELF, xen::DOMID_SELF, 0};
    long r = evtchn_op(xen::EVTCHNOP_alloc_unbound, &a);
    check(r == 0, "alloc_unbound: %ld", r);
    xen::evtchn_bind_interdomain b{xen::DOMID_SELF, 0, a.port, 0};
    long r2 = evtchn_op(xen::EVTCHNOP_bind_interdomain, &b);
    check(r2 == 0, "bind_interdomain: %ld", r2);
    if (r != 0 || r2 != 0)
        return false;
    lb.send_port = b.local_port;
    lb.recv_port = a.port;
    evtchn_take(b.local_port);  // binding raises the new port once
    return true;
}

}  // namespace

void guest::kernel_main(const xen::start_info* si)
{
    char buf[16];
    const char* work = cmdline_value(si, "work", buf, sizeof buf);
    bool events = work && __builtin_strcmp(work, "events") == 0;
    unsigned share = static_cast<unsigned>(cmdline_uint(si, "share", 50));
    unsigned floor = static_cast<unsigned>(cmdline_uint(si, "floor", 70));
    map_shared_info(si);
    Loopback lb;
    if (events && !open_loopback(lb))
        return;

    if (system_time_ns() >= window_start_ns(0)) {
        check(false, "started %lu ms after the first window began", (system_time_ns() - window_start_ns(0)) / 1000000);
        return;
    }
    print("%s worker ready, measuring from %lu s\n", events ? "events" : "compute", window_start_ns(0) / kWindowNs);
    sleep_until(window_start_ns(0));

    // Time is read after every unit: a unit is short beside a window, and
    // work done before a preemption counts in the window it was done in.
    uint64_t counts[kWindows];
    for (unsigned w = 0; w < kWindows; ++w) {
        uint64_t end = window_start_ns(w + 1), n = 0;
        while (system_time_ns() < end) {
            if (events) {
                alu(1000);
                evtchn_send(lb.send_port);
                lb.lost += !evtchn_take(lb.recv_port);
                hypercall(xen::HYPERVISOR_xen_version, xen::XENVER_version, 0);
            } else {
                alu(4000);
            }
            ++n;
        }
        counts[w] = n;
    }

    uint64_t alone = 0, beside = 0;
    char line[16 * kWindows] = {};
    unsigned at = 0;
    for (unsigned w = 0; w < kWindows; ++w) {
        (is_storm(w) ? beside : alone) += counts[w];
        // "alone/beside" per pair, to show how steady the windows were.
        uint64_t v = counts[w];
        char digits[24];
        unsigned nd = 0;
        do {
            digits[nd++] = static_cast<char>('0' + v % 10);
            v /= 10;
        } while (v);
        while (nd)
            line[at++] = digits[--nd];
        line[at++] = is_storm(w) ? ' ' : '/';
    }
    line[at ? at - 1 : 0] = '\0';
    uint64_t per_s_alone = alone / kPairs, per_s_beside = beside / kPairs;
    unsigned ratio = alone ? static_cast<unsigned>(beside * 1000 / alone) : 0;       // per mille
    unsigned of_fair = share ? ratio * 100 / share : 0;                             // per mille
    print("units per window (alone/beside the antisocial domains): %s\n", line);
    print("%s: alone %lu units/s, beside the antisocial domains %lu units/s: %u.%03u of alone, "
          "%u%% of the fair share (%u%% of alone)\n",
          events ? "events" : "compute", per_s_alone, per_s_beside, ratio / 1000, ratio % 1000, of_fair / 10, share);
    check(of_fair >= floor * 10, "throughput beside the antisocial domains is %u%% of the fair share, under %u%%",
          of_fair / 10, floor);
    if (events)
        check(lb.lost == 0, "%u of its own events lost", lb.lost);
}
