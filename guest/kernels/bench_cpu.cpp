// CPU-path figures for bench/cpu_bench.py, in guest TSC cycles (the best
// of 5 rounds each):
//   cycles-per-null-hypercall N   xen_version(XENVER_version)
//   cycles-per-event-send N       a send on a channel looped back to the
//                                 domain, the event taken from shared_info
//   cycles-per-user-syscall N     a user task's system call: user mode ->
//                                 the kernel's syscall callback -> iret
//                                 (VGCF_in_syscall) back, timed in user mode
//   cycles-per-vcpu-pingpong N    with a second vCPU on the same CPU
//                                 (dom0_max_vcpus=2-2): the two play
//                                 ping-pong on the looped-back channel, each
//                                 sleeping in SCHEDOP_poll until the other's
//                                 event comes; a round trip is two sends,
//                                 two polls and two switches between vCPUs
// With one vCPU the last is skipped. Also a test kernel (it checks that
// every answer came).
#include "abi/event_channel.hpp"
#include "abi/sched.hpp"
#include "abi/vcpu.hpp"
#include "abi/version.hpp"
#include "abi/xen.hpp"
#include "guest/lib/best_of.hpp"
#include "guest/lib/evtchn.hpp"
#include "guest/lib/mm.hpp"
#include "guest/lib/runtime.hpp"
#include "guest/lib/time.hpp"
#include "guest/lib/usermode.hpp"

using namespace guest;

const char* const guest::kTestName = "bench_cpu";

namespace {

// The looped-back channel: a send on one port raises the other.
uint32_t g_port0, g_port1;

bool make_channel()
{
    xen::evtchn_alloc_unbound a{xen::DOMID_SELF, xen::DOMID_SELF, 0};
    if (evtchn_op(xen::EVTCHNOP_alloc_unbound, &a) != 0)
        return false;
    xen::evtchn_bind_interdomain b{xen::DOMID_SELF, 0, a.port, 0};
    if (evtchn_op(xen::EVTCHNOP_bind_interdomain, &b) != 0)
        return false;
    g_port0 = b.local_port, g_port1 = a.port;
    evtchn_take(g_port0);
    evtchn_take(g_port1);
    return true;
}

void bench_event_send()
{
    unsigned lost = 0;
    uint64_t c = best_of(10000, [&](unsigned) {
        evtchn_send(g_port0);
        lost += !evtchn_take(g_port1);
    });
    check(lost == 0, "%u events lost", lost);
    print("cycles-per-event-send %lu\n", c);
}

// The user task reports through the kernel image (mapped for it too).
uint64_t g_user_best;
unsigned g_user_wrong;

uint64_t on_user_syscall(uint64_t, uint64_t arg) { return arg + 1; }

void user_loop()
{
    unsigned wrong = 0;
    g_user_best = best_of(10000, [&](unsigned i) { wrong += user_syscall(1, i) != i + 1; });
    g_user_wrong = wrong;
    user_syscall(kSysExit, 0);
    for (;;) {
    }
}

void bench_user_syscall()
{
    long r = usermode_init(0, on_user_syscall);
    check(r == 0, "user mode set-up: %ld", r);
    if (r)
        return;
    run_user_mode(user_loop);
    check(g_user_wrong == 0, "%u wrong answers to user system calls", g_user_wrong);
    print("cycles-per-user-syscall %lu\n", g_user_best);
}

void poll(uint32_t port)
{
    xen::sched_poll p{ptr(&port), 1, 0, 0};
    hypercall(xen::HYPERVISOR_sched_op, xen::SCHEDOP_poll, ptr(&p));
}

void wait_for(uint32_t port)
{
    while (!evtchn_take(port))
        poll(port);
}

volatile uint32_t g_vcpu1_ready;
alignas(16) uint8_t g_vcpu1_stack[8192];

}  // namespace

extern "C" void bench_vcpu1_main()
{
    __atomic_store_n(&g_vcpu1_ready, 1, __ATOMIC_SEQ_CST);
    for (;;) {
        wait_for(g_port1);
        evtchn_send(g_port1);
    }
}
asm(".pushsection .text\nbench_vcpu1_entry:\n call bench_vcpu1_main\n1: jmp 1b\n.popsection\n");
extern "C" char bench_vcpu1_entry[];

namespace {

void bench_vcpu_pingpong()
{
    if (hypercall(xen::HYPERVISOR_vcpu_op, xen::VCPUOP_is_up, 1, 0) < 0) {
        print("no vCPU 1 (dom0_max_vcpus=2-2 gives one): no ping-pong\n");
        return;
    }
    static xen::vcpu_guest_context ctx;
    ctx.flags = xen::VGCF_IN_KERNEL;
    ctx.user_regs.rip = reinterpret_cast<uint64_t>(bench_vcpu1_entry);
    ctx.user_regs.rsp = reinterpret_cast<uint64_t>(g_vcpu1_stack + sizeof g_vcpu1_stack);
    ctx.user_regs.cs = xen::FLAT_KERNEL_CS;
    ctx.user_regs.ss = xen::FLAT_KERNEL_SS;
    ctx.kernel_ss = xen::FLAT_KERNEL_SS;
    ctx.kernel_sp = ctx.user_regs.rsp;
    ctx.ctrlreg[3] = mfn_of_va(boot_window().l4_va) << 12;
    shared_info()->vcpu_info[1].evtchn_upcall_mask = 1;  // it polls; no upcalls
    long r = hypercall(xen::HYPERVISOR_vcpu_op, xen::VCPUOP_initialise, 1, ptr(&ctx));
    if (r == 0)
        r = hypercall(xen::HYPERVISOR_vcpu_op, xen::VCPUOP_up, 1, 0);
    check(r == 0, "vCPU 1 up: %ld", r);
    if (r)
        return;
    while (!__atomic_load_n(&g_vcpu1_ready, __ATOMIC_SEQ_CST))
        hypercall(xen::HYPERVISOR_sched_op, xen::SCHEDOP_yield, 0);
    uint64_t c = best_of(2000, [](unsigned) {
        evtchn_send(g_port0);
        wait_for(g_port0);
    });
    print("cycles-per-vcpu-pingpong %lu\n", c);
}

}  // namespace

void guest::kernel_main(const xen::start_info* si)
{
    map_shared_info(si);
    mm_init(si);
    print("cycles-per-null-hypercall %lu\n",
          best_of(20000, [](unsigned) { hypercall(xen::HYPERVISOR_xen_version, xen::XENVER_version, 0); }));
    bool ok = make_channel();
    check(ok, "the looped-back channel");
    if (!ok)
        return;
    bench_event_send();
    bench_user_syscall();
    bench_vcpu_pingpong();
}
