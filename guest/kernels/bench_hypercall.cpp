// Null-hypercall round trip: cycles per xen_version(XENVER_version), the
// cheapest hypercall on both Vireo and Xen, through the hypercall page (or a
// raw syscall in the -nopage build). Prints "cycles-per-hypercall N". Then
// the event path: a send on an inter-domain channel looped back to the
// domain itself (sender checks, pending bit, selector, wake), the event
// taken from shared_info: "cycles-per-event-send N".
#include "abi/version.hpp"
#include "abi/xen.hpp"
#include "guest/lib/evtchn.hpp"
#include "guest/lib/runtime.hpp"
#include "guest/lib/time.hpp"

using namespace guest;

const char* const guest::kTestName = "bench_hypercall";

namespace {

void bench_event_send(const xen::start_info* si)
{
    map_shared_info(si);
    xen::evtchn_alloc_unbound a{xen::DOMID_SELF, xen::DOMID_SELF, 0};
    check(evtchn_op(xen::EVTCHNOP_alloc_unbound, &a) == 0, "alloc_unbound");
    xen::evtchn_bind_interdomain b{xen::DOMID_SELF, 0, a.port, 0};
    check(evtchn_op(xen::EVTCHNOP_bind_interdomain, &b) == 0, "bind_interdomain");
    evtchn_take(b.local_port);
    constexpr int kRounds = 5, kSends = 10000;
    uint64_t best = ~uint64_t{0};
    unsigned lost = 0;
    for (int round = 0; round < kRounds; ++round) {
        uint64_t t0 = rdtsc();
        for (int i = 0; i < kSends; ++i) {
            evtchn_send(b.local_port);
            lost += !evtchn_take(a.port);
        }
        uint64_t per = (rdtsc() - t0) / kSends;
        best = per < best ? per : best;
    }
    check(lost == 0, "%u events lost", lost);
    print("cycles-per-event-send %lu\n", best);
}

}  // namespace

void guest::kernel_main(const xen::start_info* si)
{
    constexpr int kWarmup = 1000, kRounds = 5, kCalls = 20000;
    for (int i = 0; i < kWarmup; ++i)
        hypercall(xen::HYPERVISOR_xen_version, xen::XENVER_version, 0);
    uint64_t best = ~uint64_t{0};
    for (int round = 0; round < kRounds; ++round) {
        uint64_t t0 = rdtsc();
        for (int i = 0; i < kCalls; ++i)
            hypercall(xen::HYPERVISOR_xen_version, xen::XENVER_version, 0);
        uint64_t per = (rdtsc() - t0) / kCalls;
        best = per < best ? per : best;
    }
    print("cycles-per-hypercall %lu\n", best);
    bench_event_send(si);
}
