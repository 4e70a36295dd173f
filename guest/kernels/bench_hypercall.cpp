// Null-hypercall round trip: cycles per xen_version(XENVER_version), the
// cheapest hypercall on both Vireo and Xen, through the hypercall page (or a
// raw syscall in the -nopage build). Prints "cycles-per-hypercall N". Then
// the event path: a send on an inter-domain channel looped back to the
// domain itself (sender checks, pending bit, selector, wake), the event
// taken from shared_info: "cycles-per-event-send N". Then page-table
// updates: mmu_update batches of 1, 16 and 512 entries of a pinned L1
// table (each entry mapping a data frame read-only, then cleared, so every
// one is validated and its references taken or dropped):
// "cycles-per-mmu-update-entry-batch-B N". Last, a page fault fixed by the
// guest: a read of a page whose entry is not present faults, the kernel's
// #PF handler maps the page with update_va_mapping and returns with the
// iret hypercall, the read is retried and succeeds, and the page is
// unmapped again: "cycles-per-page-fault-fix N" per round trip.
#include "abi/sched.hpp"
#include "abi/version.hpp"
#include "abi/xen.hpp"
#include "guest/lib/evtchn.hpp"
#include "guest/lib/mm.hpp"
#include "guest/lib/runtime.hpp"
#include "guest/lib/time.hpp"
#include "guest/lib/trap_stub.hpp"

using namespace guest;

const char* const guest::kTestName = "bench_hypercall";

namespace {
uint64_t g_fix_pte;  // what the #PF handler maps at the faulting page
}

// The #PF handler's work: map the page CR2 names (from vcpu_info).
extern "C" void bench_fix_page_fault()
{
    uint64_t cr2 = shared_info()->vcpu_info[0].arch.cr2;
    if (update_va(cr2 & ~uint64_t{0xfff}, g_fix_pte, xen::UVMF_INVLPG) != 0) {
        print("bench: page fault at %lx not fixed\n", cr2);
        shutdown(xen::SHUTDOWN_crash);
    }
}

// The bounce frame is RCX R11 error RIP CS RFLAGS RSP SS; the caller-saved
// registers are kept around the call, and iret resumes at the faulting
// instruction.
GUEST_TRAP_STUB(bench_page_fault_entry, 14, 1, bench_fix_page_fault)

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

void bench_mmu_update(const xen::start_info* si)
{
    mm_init(si);
    uint64_t l1 = spare_mfn(0), data = spare_mfn(1);
    check(clear_frame(l1) == 0, "clear the L1 frame");
    check(mmuext(xen::MMUEXT_PIN_L1_TABLE, l1) == 0, "pin the L1");
    static xen::mmu_update reqs[512];
    constexpr unsigned kEntriesPerRound = 8192, kRounds = 5;
    const unsigned batches[] = {1, 16, 512};
    for (unsigned batch : batches) {
        uint64_t best = ~uint64_t{0};
        for (unsigned round = 0; round < kRounds; ++round) {
            unsigned calls = kEntriesPerRound / batch;  // even: every entry ends cleared
            uint64_t t0 = rdtsc();
            for (unsigned c = 0; c < calls; ++c) {
                uint64_t val = (c & 1) ? 0 : (data << 12) | kPteRo;
                for (unsigned i = 0; i < batch; ++i)
                    reqs[i] = xen::mmu_update{(l1 << 12) + i * 8, val};
                long r = hypercall(xen::HYPERVISOR_mmu_update, ptr(reqs), batch, 0, xen::DOMID_SELF);
                if (r != 0) {
                    check(false, "mmu_update batch of %u: %ld", batch, r);
                    return;
                }
            }
            uint64_t per = (rdtsc() - t0) / kEntriesPerRound;
            best = per < best ? per : best;
        }
        print("cycles-per-mmu-update-entry-batch-%u %lu\n", batch, best);
    }
    check(mmuext(xen::MMUEXT_UNPIN_TABLE, l1) == 0, "unpin the L1");
}

// Needs mm_init and the shared_info mapping (CR2).
void bench_page_fault_fix()
{
    const xen::trap_info traps[] = {
        {14, 0, xen::FLAT_KERNEL_CS, 0, reinterpret_cast<uint64_t>(bench_page_fault_entry)},
        {0, 0, 0, 0, 0},
    };
    check(hypercall(xen::HYPERVISOR_set_trap_table, ptr(traps)) == 0, "set_trap_table");
    uint64_t va = padding_va(2);
    g_fix_pte = (mfn_of_va(va) << 12) | kPteData;
    auto* page = reinterpret_cast<volatile uint64_t*>(va);
    page[0] = 0x9f;
    constexpr unsigned kFaults = 2000, kRounds = 5;
    uint64_t best = ~uint64_t{0};
    for (unsigned round = 0; round < kRounds; ++round) {
        uint64_t t0 = rdtsc();
        for (unsigned i = 0; i < kFaults; ++i) {
            if (update_va(va, 0, xen::UVMF_INVLPG) != 0 || page[0] != 0x9f) {
                check(false, "page fault round trip %u", i);
                return;
            }
        }
        uint64_t per = (rdtsc() - t0) / kFaults;
        best = per < best ? per : best;
    }
    print("cycles-per-page-fault-fix %lu\n", best);
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
    bench_mmu_update(si);
    bench_page_fault_fix();
}
