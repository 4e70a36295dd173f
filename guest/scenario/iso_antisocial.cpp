// An antisocial domain of the isolation experiment (isolation.hpp): in the
// timetable's storm windows it never blocks and makes the hypervisor work
// as hard as it can; in the others it sleeps, so the well-behaved domains
// can be measured alone.
//   kind=churn  a CPU hog that churns page tables: 512 entries of an L1
//               table mapped and cleared by batched mmu_update, the table
//               unpinned while full and pinned again (every entry
//               validated), the TLB flushed, some ALU work.
//   kind=storm  an event and hypercall storm: events sent to itself over
//               a loopback channel and an IPI port, cheap hypercalls one by
//               one and in multicalls, a one-shot timer re-armed 20 us
//               ahead over and over, channel status queries.
// Prints what it did when the timetable ends.
#include "abi/event_channel.hpp"
#include "abi/mmu.hpp"
#include "abi/vcpu.hpp"
#include "abi/version.hpp"
#include "guest/lib/evtchn.hpp"
#include "guest/lib/mm.hpp"
#include "guest/lib/runtime.hpp"
#include "guest/lib/time.hpp"
#include "guest/scenario/isolation.hpp"

using namespace guest;
using namespace guest::isolation;

const char* const guest::kTestName = "iso_antisocial";

namespace {

struct Churn {
    uint64_t l1 = 0, data = 0;
    uint64_t rounds = 0, entries = 0;
};

bool churn_init(const xen::start_info* si, Churn& c)
{
    mm_init(si);
    c.l1 = spare_mfn(0);
    c.data = spare_mfn(1);
    long r = clear_frame(c.l1);
    check(r == 0, "clearing the L1 frame: %ld", r);
    long r2 = mmuext(xen::MMUEXT_PIN_L1_TABLE, c.l1);
    check(r2 == 0, "pinning the L1: %ld", r2);
    return r == 0 && r2 == 0;
}

bool churn_round(Churn& c)
{
    static xen::mmu_update reqs[512];
    for (unsigned i = 0; i < 512; ++i)
        reqs[i] = xen::mmu_update{(c.l1 << 12) + i * 8, (c.data << 12) | kPteRo};
    long r = hypercall(xen::HYPERVISOR_mmu_update, ptr(reqs), 512, 0, xen::DOMID_SELF);
    // Unpinned while full, the table loses its type and its entries their
    // references; pinning it again validates all 512.
    long r2 = mmuext(xen::MMUEXT_UNPIN_TABLE, c.l1);
    long r3 = mmuext(xen::MMUEXT_PIN_L1_TABLE, c.l1);
    for (unsigned i = 0; i < 512; ++i)
        reqs[i].val = 0;
    long r4 = hypercall(xen::HYPERVISOR_mmu_update, ptr(reqs), 512, 0, xen::DOMID_SELF);
    long r5 = mmuext(xen::MMUEXT_TLB_FLUSH_LOCAL, 0);
    if (r || r2 || r3 || r4 || r5) {
        check(false, "churn round %lu: map %ld unpin %ld pin %ld clear %ld flush %ld", c.rounds, r, r2, r3, r4, r5);
        return false;
    }
    alu(2000);
    ++c.rounds;
    c.entries += 1024;
    return true;
}

struct Storm {
    uint32_t loop_send = 0, loop_recv = 0, ipi = 0;
    uint64_t events = 0, hypercalls = 0, lost = 0;
};

bool storm_init(Storm& s)
{
    xen::evtchn_alloc_unbound a{xen::DOMID_SELF, xen::DOMID_SELF, 0};
    long r = evtchn_op(xen::EVTCHNOP_alloc_unbound, &a);
    xen::evtchn_bind_interdomain b{xen::DOMID_SELF, 0, a.port, 0};
    long r2 = r == 0 ? evtchn_op(xen::EVTCHNOP_bind_interdomain, &b) : r;
    xen::evtchn_bind_ipi ipi{0, 0};
    long r3 = evtchn_op(xen::EVTCHNOP_bind_ipi, &ipi);
    check(r == 0 && r2 == 0 && r3 == 0, "storm channels: alloc_unbound %ld bind_interdomain %ld bind_ipi %ld", r, r2,
          r3);
    s.loop_send = b.local_port;
    s.loop_recv = a.port;
    s.ipi = ipi.port;
    evtchn_take(s.loop_send);
    return r == 0 && r2 == 0 && r3 == 0;
}

void storm_round(Storm& s)
{
    for (unsigned i = 0; i < 32; ++i) {
        evtchn_send(s.loop_send);
        s.lost += !evtchn_take(s.loop_recv);
        evtchn_send(s.ipi);
        s.lost += !evtchn_take(s.ipi);
    }
    s.events += 64;
    for (unsigned i = 0; i < 32; ++i)
        hypercall(xen::HYPERVISOR_xen_version, xen::XENVER_version, 0);
    static xen::multicall_entry calls[32];
    for (auto& c : calls)
        c = xen::multicall_entry{xen::HYPERVISOR_xen_version, 0, {xen::XENVER_version, 0, 0, 0, 0, 0}};
    hypercall(xen::HYPERVISOR_multicall, ptr(calls), 32);
    // A timer that fires almost at once, again and again: each one an
    // interrupt, most of them while this domain runs.
    hypercall(xen::HYPERVISOR_set_timer_op, system_time_ns() + 20000);
    xen::evtchn_status st{};
    st.dom = xen::DOMID_SELF;
    st.port = s.loop_recv;
    evtchn_op(xen::EVTCHNOP_status, &st);
    s.hypercalls += 32 + 1 + 32 + 1 + 1;
}

}  // namespace

void guest::kernel_main(const xen::start_info* si)
{
    char buf[16];
    const char* kind = cmdline_value(si, "kind", buf, sizeof buf);
    bool churn = kind && __builtin_strcmp(kind, "churn") == 0;
    map_shared_info(si);
    Churn c;
    Storm s;
    if (churn ? !churn_init(si, c) : !storm_init(s))
        return;
    print("%s ready, storming in odd windows from %lu s\n", churn ? "churn" : "storm", window_start_ns(0) / kWindowNs);

    for (;;) {
        uint64_t now = system_time_ns();
        unsigned w = window_at(now);
        if (w >= kWindows)
            break;
        if (now < window_start_ns(0) || !is_storm(w)) {
            sleep_until(window_start_ns(now < window_start_ns(0) ? 1 : w + 1));
            continue;
        }
        if (churn) {
            if (!churn_round(c))
                return;
        } else {
            storm_round(s);
        }
    }
    if (churn) {
        print("churn: %lu rounds, %lu page-table entries written, the L1 pinned and unpinned %lu times\n", c.rounds,
              c.entries, c.rounds);
        check(c.rounds > 0, "no churn at all");
    } else {
        print("storm: %lu events sent to itself, %lu hypercalls\n", s.events, s.hypercalls);
        check(s.events > 0 && s.lost == 0, "%lu events sent, %lu lost", s.events, s.lost);
    }
}
