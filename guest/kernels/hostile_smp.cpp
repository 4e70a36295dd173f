// Two vCPUs change one page table at once. vCPU 1 is brought up with its
// own stack (VCPUOP_initialise, after the refusals a bad context gets, then
// VCPUOP_up); both then hammer mmu_update on entries of one pinned L1:
// each maps and unmaps a run of its own entries in batches long enough to
// be preempted and continued, both fight over one shared entry, both map
// the table itself read-only (allowed) and writable (-EBUSY, every time).
// Afterwards the reference counts must add up: every entry is empty, the
// table unpins and can be mapped writable, and the data frame every entry
// mapped has no writable mapping left (it pins as a page table) and no
// reference left (it can be given back).
//
// Needs two vCPUs: dom0 on Xen with two CPUs, a domU with vcpus=2 on
// Vireo (whose dom0 has one). With one vCPU it says so and only hammers
// alone.
#include "abi/event_channel.hpp"
#include "abi/memory.hpp"
#include "abi/sched.hpp"
#include "abi/vcpu.hpp"
#include "abi/xen.hpp"
#include "guest/lib/mm.hpp"
#include "guest/lib/runtime.hpp"
#include "guest/lib/time.hpp"

using namespace guest;

const char* const guest::kTestName = "hostile_smp";

namespace {

constexpr long kENOENT = -2, kEINVAL = -22, kEEXIST = -17, kEBUSY = -16;
constexpr unsigned kRounds = 2000;
constexpr unsigned kRun = 100;  // entries each vCPU maps and unmaps per round (one batch of 200)
constexpr unsigned kShared = 0, kSelfMap = 511;

struct Counts {
    uint64_t batches_ok, shared_ok, self_ro_ok, self_rw_busy, wrong;
    long last_wrong;
};

uint64_t g_table;  // the L1 both vCPUs update
uint64_t g_data;   // the frame every entry maps
Counts g_counts[2];
volatile uint32_t g_started, g_done;
alignas(16) uint8_t g_stack1[16384];

long vcpu_op(uint64_t cmd, uint64_t vcpu, void* arg = nullptr)
{
    return hypercall(xen::HYPERVISOR_vcpu_op, cmd, vcpu, ptr(arg));
}

void expect(const char* what, long r, long expected)
{
    print("%s: %ld\n", what, r);
    check(r == expected, "%s: %ld, expected %ld", what, r, expected);
}

uint64_t entry(unsigned i) { return (g_table << 12) + i * 8; }

void count(Counts& c, long r, long want, uint64_t& ok)
{
    if (r == want) {
        ++ok;
    } else {
        ++c.wrong;
        c.last_wrong = r;
    }
}

// One vCPU's share of the work; nothing here prints (the console is
// vCPU 0's).
unsigned g_overlap;  // rounds of vCPU 0 run while vCPU 1 was in its own

void hammer(unsigned me)
{
    Counts& c = g_counts[me];
    static xen::mmu_update batch[2][2 * kRun];
    xen::mmu_update* b = batch[me];
    unsigned first = 1 + me * kRun;
    for (unsigned i = 0; i < kRun; ++i) {
        b[i] = {entry(first + i), (g_data << 12) | kPteData};
        b[kRun + i] = {entry(first + i), 0};
    }
    for (unsigned round = 0; round < kRounds; ++round) {
        uint32_t done = 0;
        long r = hypercall(xen::HYPERVISOR_mmu_update, ptr(b), 2 * kRun, ptr(&done), xen::DOMID_SELF);
        count(c, done == 2 * kRun ? r : -1000 - done, 0, c.batches_ok);
        xen::mmu_update shared[2] = {{entry(kShared), (g_data << 12) | kPteData}, {entry(kShared), 0}};
        r = hypercall(xen::HYPERVISOR_mmu_update, ptr(shared), round % 3 ? 2 : 1, 0, xen::DOMID_SELF);
        count(c, r, 0, c.shared_ok);
        r = mmu_update(entry(kSelfMap), round & 1 ? 0 : (g_table << 12) | kPteRo);
        count(c, r, 0, c.self_ro_ok);
        r = mmu_update(entry(first + (round % kRun)), (g_table << 12) | kPteData);
        count(c, r, kEBUSY, c.self_rw_busy);
        if (me == 0 && __atomic_load_n(&g_started, __ATOMIC_SEQ_CST) && !__atomic_load_n(&g_done, __ATOMIC_SEQ_CST))
            ++g_overlap;
        // Now and then let the other vCPU in, should both share one CPU.
        if (round % 16 == 15)
            hypercall(xen::HYPERVISOR_sched_op, xen::SCHEDOP_yield, 0);
    }
}

}  // namespace

extern "C" void vcpu1_main()
{
    __atomic_store_n(&g_started, 1, __ATOMIC_SEQ_CST);
    hammer(1);
    __atomic_store_n(&g_done, 1, __ATOMIC_SEQ_CST);
    for (;;)
        vcpu_op(xen::VCPUOP_down, 1);
}

asm(".pushsection .text\nvcpu1_entry:\n call vcpu1_main\n1: jmp 1b\n.popsection\n");
extern "C" char vcpu1_entry[];

namespace {

xen::vcpu_guest_context g_ctx;

void fill_context(uint64_t rip, uint64_t cr3_mfn)
{
    g_ctx = xen::vcpu_guest_context{};
    g_ctx.flags = xen::VGCF_IN_KERNEL;
    g_ctx.user_regs.rip = rip;
    g_ctx.user_regs.rsp = reinterpret_cast<uint64_t>(g_stack1 + sizeof g_stack1);
    g_ctx.user_regs.cs = xen::FLAT_KERNEL_CS;
    g_ctx.user_regs.ss = xen::FLAT_KERNEL_SS;
    g_ctx.kernel_ss = xen::FLAT_KERNEL_SS;
    g_ctx.kernel_sp = g_ctx.user_regs.rsp;
    g_ctx.ctrlreg[3] = cr3_mfn << 12;
}

// Brings vCPU 1 up after the refusals; false if the domain has one vCPU.
bool start_vcpu1(uint64_t l4)
{
    long r = vcpu_op(xen::VCPUOP_is_up, 1);
    if (r == kENOENT) {
        print("vCPU 1: absent (%ld): one vCPU, nothing to race\n", r);
        return false;
    }
    expect("vCPU 1 is up before we start it", r, 0);
    expect("VCPUOP_up of vCPU 1 before initialise", vcpu_op(xen::VCPUOP_up, 1), kEINVAL);
    expect("VCPUOP_initialise of vCPU 7 (absent)", vcpu_op(xen::VCPUOP_initialise, 7, &g_ctx), kENOENT);
    fill_context(0x8000000000001000ull, l4);
    expect("VCPUOP_initialise with a non-canonical rip", vcpu_op(xen::VCPUOP_initialise, 1, &g_ctx), kEINVAL);
    fill_context(reinterpret_cast<uint64_t>(vcpu1_entry), mfn_of_va(padding_va(3)));
    expect("VCPUOP_initialise with a writable data page as its L4", vcpu_op(xen::VCPUOP_initialise, 1, &g_ctx),
           kEINVAL);
    fill_context(reinterpret_cast<uint64_t>(vcpu1_entry), l4);
    expect("VCPUOP_initialise of vCPU 0 (running)", vcpu_op(xen::VCPUOP_initialise, 0, &g_ctx), kEEXIST);
    shared_info()->vcpu_info[1].evtchn_upcall_mask = 1;  // no event callback on vCPU 1
    expect("VCPUOP_initialise of vCPU 1", vcpu_op(xen::VCPUOP_initialise, 1, &g_ctx), 0);
    expect("VCPUOP_initialise of vCPU 1 again", vcpu_op(xen::VCPUOP_initialise, 1, &g_ctx), kEEXIST);
    expect("VCPUOP_up of vCPU 1", vcpu_op(xen::VCPUOP_up, 1), 0);
    uint64_t start = system_time_ns();
    while (!__atomic_load_n(&g_started, __ATOMIC_SEQ_CST) && system_time_ns() - start < 5000000000ull)
        hypercall(xen::HYPERVISOR_sched_op, xen::SCHEDOP_yield, 0);
    bool started = __atomic_load_n(&g_started, __ATOMIC_SEQ_CST);
    print("vCPU 1 running on its own stack: %s\n", started ? "yes" : "no");
    check(started, "vCPU 1 did not start within 5 s");
    return started;
}

long give_back(uint64_t mfn)
{
    xen::xen_memory_reservation r{};
    uint64_t list = mfn;
    r.extent_start = ptr(&list);
    r.nr_extents = 1;
    r.domid = xen::DOMID_SELF;
    return hypercall(xen::HYPERVISOR_memory_op, xen::XENMEM_decrease_reservation, ptr(&r));
}

void report(unsigned me, bool raced)
{
    const Counts& c = g_counts[me];
    print("vCPU %u: %lu batches, %lu shared, %lu self-maps, %lu refused writable, %lu wrong\n", me, c.batches_ok,
          c.shared_ok, c.self_ro_ok, c.self_rw_busy, c.wrong);
    check(c.batches_ok == kRounds && c.shared_ok == kRounds && c.self_ro_ok == kRounds && c.self_rw_busy == kRounds &&
              c.wrong == 0,
          "vCPU %u%s: %lu wrong answers (the last %ld)", me, raced ? " (racing)" : "", c.wrong, c.last_wrong);
}

}  // namespace

void guest::kernel_main(const xen::start_info* si)
{
    map_shared_info(si);
    const BootWindow& w = mm_init(si);
    uint64_t l4 = mfn_of_va(w.l4_va);

    // The table: an empty L1, pinned and hooked into the L2 at v_end (its
    // entries map v_end onwards); the data frame: another spare frame.
    g_table = spare_mfn(0);
    g_data = spare_mfn(1);
    check(clear_frame(g_table) == 0 && clear_frame(g_data) == 0, "clearing the frames");
    expect("pinning the shared L1", mmuext(xen::MMUEXT_PIN_L1_TABLE, g_table), 0);
    uint64_t hook = entry_maddr(w.v_end, 2);
    expect("hooking it into the L2", mmu_update(hook, (g_table << 12) | kPteData), 0);
    if (failures())
        return;

    bool raced = start_vcpu1(l4);
    uint64_t t0 = system_time_ns();
    hammer(0);
    print("vCPU 0's rounds took %lu ms\n", (system_time_ns() - t0) / 1000000);
    if (raced) {
        uint64_t start = system_time_ns();
        while (!__atomic_load_n(&g_done, __ATOMIC_SEQ_CST) && system_time_ns() - start < 60000000000ull)
            hypercall(xen::HYPERVISOR_sched_op, xen::SCHEDOP_yield, 0);
        bool done = __atomic_load_n(&g_done, __ATOMIC_SEQ_CST);
        print("vCPU 1 finished: %s\n", done ? "yes" : "no");
        check(done, "vCPU 1 did not finish within 60 s");
        if (!done)
            return;
        report(1, true);
        print("the two vCPUs overlapped: %s\n", g_overlap ? "yes" : "no");
        check(g_overlap > 0, "vCPU 1 ran entirely before or after vCPU 0's rounds");
        start = system_time_ns();
        long up = 1;
        while ((up = vcpu_op(xen::VCPUOP_is_up, 1)) != 0 && system_time_ns() - start < 5000000000ull)
            hypercall(xen::HYPERVISOR_sched_op, xen::SCHEDOP_yield, 0);
        expect("VCPUOP_is_up of vCPU 1 after its own VCPUOP_down", up, 0);
    }
    report(0, raced);

    // The counts add up. (Each vCPU's last word on the shared entry may
    // have been a mapping.)
    expect("clearing the shared entry", mmu_update(entry(kShared), 0), 0);
    const uint64_t* t = scratch_peek(g_table);
    unsigned left = 0;
    for (unsigned i = 0; t && i < 512; ++i)
        left += t[i] != 0 && i != kSelfMap;
    bool self_cleared = t && t[kSelfMap] == 0;
    scratch_close();
    print("entries left mapped: %u\n", left);
    check(t && left == 0 && self_cleared, "entries left mapped: %u, self-map %s", left, self_cleared ? "clear" : "set");
    expect("unhooking the L1", mmu_update(hook, 0), 0);
    expect("unpinning it", mmuext(xen::MMUEXT_UNPIN_TABLE, g_table), 0);
    long r;
    bool writable = scratch_open(g_table, &r) != nullptr;
    scratch_close();
    expect("the former L1 mapped writable", writable ? 0 : r, 0);
    expect("pinning the data frame as an L1 (no writable mapping left)", mmuext(xen::MMUEXT_PIN_L1_TABLE, g_data), 0);
    expect("unpinning it", mmuext(xen::MMUEXT_UNPIN_TABLE, g_data), 0);
    expect("giving the data frame back (no reference left)", give_back(g_data), 1);
}
