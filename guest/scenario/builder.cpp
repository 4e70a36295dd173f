// A toolstack in miniature, as dom0: builds a second PV domain from the
// kernel given as dom0's boot module (its initrd: guest/scenario/pong.cpp
// in the tests) through domctl, as Xen's libxenguest does, starts it, plays
// the ping-pong of the ping scenario with it, then destroys it and checks
// its memory came back. Xen 4.17 starts no second domain on its own, so
// this is how both hypervisors get the same two-domain figures:
//   cycles-per-null-hypercall N   xen_version, the best of 5 rounds
//   cycles-per-event-send N       a send on a channel looped back to dom0
//   cycles-per-domain-pingpong N  one round trip with the peer, both on one
//                                 CPU: two sends, two SCHEDOP_polls and two
//                                 switches between the domains (TSC, the
//                                 best of 5 batches)
//   ns-per-domain-pingpong N      the same, in system time over all rounds
//   cycles-per-domain-switch N    derived: (round trip - 2 x send - 2 x null
//                                 hypercall) / 2, as bench_cpu derives the
//                                 vCPU switch
#include "abi/event_channel.hpp"
#include "abi/sched.hpp"
#include "abi/version.hpp"
#include "abi/xen.hpp"
#include "guest/lib/best_of.hpp"
#include "guest/lib/domain_builder.hpp"
#include "guest/lib/domain_control.hpp"
#include "guest/lib/domctl.hpp"
#include "guest/lib/evtchn.hpp"
#include "guest/lib/mm.hpp"
#include "guest/lib/ping_pong.hpp"
#include "guest/lib/runtime.hpp"
#include "guest/lib/time.hpp"

using namespace guest;

const char* const guest::kTestName = "builder";

namespace {

constexpr uint64_t kPeerPages = 1024;  // 4 MiB, as the boot-time ping-pong's peer
constexpr uint64_t kMs = 1000000;

struct SingleDomainFigures {
    uint64_t null_hypercall, event_send;
};

// What a round trip costs besides the switches, measured in dom0 alone.
SingleDomainFigures measure_alone()
{
    SingleDomainFigures f{};
    f.null_hypercall =
        best_of(20000, [](unsigned) { hypercall(xen::HYPERVISOR_xen_version, xen::XENVER_version, 0); });
    xen::evtchn_alloc_unbound a{xen::DOMID_SELF, xen::DOMID_SELF, 0};
    long r = evtchn_op(xen::EVTCHNOP_alloc_unbound, &a);
    xen::evtchn_bind_interdomain b{xen::DOMID_SELF, 0, a.port, 0};
    if (r == 0)
        r = evtchn_op(xen::EVTCHNOP_bind_interdomain, &b);
    check(r == 0, "a looped-back channel: %ld", r);
    if (r != 0)
        return f;
    evtchn_take(b.local_port);
    evtchn_take(a.port);
    unsigned lost = 0;
    f.event_send = best_of(10000, [&](unsigned) {
        evtchn_send(b.local_port);
        lost += !evtchn_take(a.port);
    });
    check(lost == 0, "%u looped-back events lost", lost);
    xen::evtchn_close c1{a.port}, c2{b.local_port};
    evtchn_op(xen::EVTCHNOP_close, &c1);
    evtchn_op(xen::EVTCHNOP_close, &c2);
    return f;
}

// Waits (up to `ms`) until `done(info, present)` holds for the domain.
template <typename Pred>
bool wait_domain(uint16_t domid, unsigned ms, Pred&& done)
{
    for (unsigned i = 0; i <= ms; ++i) {
        xen::xen_domctl_getdomaininfo info{};
        bool present = domain_info(domid, info);
        if (done(info, present))
            return true;
        poll_sleep_ns(kMs);
    }
    return false;
}

void report(const SingleDomainFigures& alone, const PingPongFigures& f)
{
    print("cycles-per-null-hypercall %lu\n", alone.null_hypercall);
    print("cycles-per-event-send %lu\n", alone.event_send);
    print("ns-per-domain-pingpong %lu\n", f.ns_per_round);
    int64_t other = static_cast<int64_t>(2 * alone.event_send + 2 * alone.null_hypercall);
    int64_t sw = (static_cast<int64_t>(f.best_cycles_per_round) - other) / 2;
    print("cycles-per-domain-switch %ld (derived: (round trip - 2 x send - 2 x null hypercall) / 2)\n", sw);
}

// Plays with the running peer, then ends it and checks what it held came back.
void play_and_destroy(uint16_t domid, long free_before, const SingleDomainFigures& alone)
{
    if (uint32_t port = ping_connect(domid)) {
        PingPongFigures f = ping_play(port, WaitStyle::poll);
        report(alone, f);
        // The peer powers off after the stop event if its own checks
        // passed, and crashes if not: on Xen its console is not ours to see.
        uint32_t flags = 0;
        bool off = wait_domain(domid, 2000, [&](const xen::xen_domctl_getdomaininfo& i, bool present) {
            flags = i.flags;
            return present && (i.flags & xen::XEN_DOMINF_shutdown);
        });
        uint32_t reason = (flags >> xen::XEN_DOMINF_shutdownshift) & 0xff;
        check(off, "d%u did not shut down after the last round", domid);
        check(!off || reason == xen::SHUTDOWN_poweroff, "d%u shut down with reason %u, not poweroff", domid, reason);
        if (off && reason == xen::SHUTDOWN_poweroff)
            print("d%u powered off\n", domid);
        xen::evtchn_close c{port};
        evtchn_op(xen::EVTCHNOP_close, &c);
    }
    long r = destroy_domain(domid);
    check(r == 0, "XEN_DOMCTL_destroydomain d%u: %ld", domid, r);
    bool gone = wait_domain(domid, 2000, [](const xen::xen_domctl_getdomaininfo&, bool present) { return !present; });
    check(gone, "d%u still listed after destroydomain", domid);
    // A dying domain's frames are freed as its last references go; give
    // the hypervisor a moment, then all must be back.
    long free_after = machine_free_pages();
    for (unsigned i = 0; i < 1000 && free_after >= 0 && free_after < free_before; ++i) {
        poll_sleep_ns(kMs);
        free_after = machine_free_pages();
    }
    print("free pages: %ld before building, %ld after destroying\n", free_before, free_after);
    check(free_after >= free_before, "%ld pages did not come back", free_before - free_after);
    if (gone && free_after >= free_before)
        print("destroyed d%u, its memory returned\n", domid);
}

}  // namespace

void guest::kernel_main(const xen::start_info* si)
{
    map_shared_info(si);
    mm_init(si);
    check(si->mod_len != 0, "no peer kernel: give it as the second boot module");
    if (!si->mod_len)
        return;
    SingleDomainFigures alone = measure_alone();

    long free_before = machine_free_pages();
    check(free_before > 0, "sysctl physinfo: %ld", free_before);
    DomainSpec spec{reinterpret_cast<const uint8_t*>(si->mod_start), si->mod_len, kPeerPages, ""};
    BuiltDomain d;
    BuildResult res = build_domain(spec, d);
    check(res.ok(), "building the peer: %s: %ld", res.step, res.rc);
    if (!res.ok())
        return;
    print("built d%u: %lu pages, window %lu pages, %lu page-table frames, L4 mfn %lx, entry %lx\n", d.domid,
          d.nr_pages, d.window_pages, d.nr_pt_frames, d.l4_mfn, d.entry);
    long r = unpause_domain(d.domid);
    check(r == 0, "XEN_DOMCTL_unpausedomain d%u: %ld", d.domid, r);
    if (r != 0) {
        (void)destroy_domain(d.domid);
        return;
    }
    play_and_destroy(d.domid, free_before, alone);
}
