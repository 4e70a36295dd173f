// The failsafe callback: vCPU 1 is brought up (VCPUOP_initialise) from a
// context whose DS and FS name selectors that do not load (DS past every
// descriptor of a GDT the kernel never set, FS in an LDT it has none of),
// with ES null and GS Xen's flat user data selector. When it first goes to
// its CPU the hypervisor loads them, fails, and starts it at the failsafe
// callback instead of the context's RIP, with the x86-64 PV frame RCX, R11,
// DS, ES, FS, GS, RIP, CS, RFLAGS, RSP, SS on the context's stack (16-byte
// aligned below RSP): the selectors it asked for, the rest as the context
// had them. The ones that failed are null in the CPU, the others loaded.
//
// Needs two vCPUs: dom0 on Xen with two CPUs, a domU with vcpus=2 on
// Vireo. With one vCPU it checks only the callback registrations.
// With nofailsafe=1 the context has no failsafe callback: on Vireo the
// domain is crashed with a line saying why (Xen would start it at 0).
#include "abi/callback.hpp"
#include "abi/event_channel.hpp"
#include "abi/sched.hpp"
#include "abi/vcpu.hpp"
#include "abi/xen.hpp"
#include "guest/lib/mm.hpp"
#include "guest/lib/runtime.hpp"
#include "guest/lib/time.hpp"

using namespace guest;

const char* const guest::kTestName = "failsafe";

namespace {

constexpr long kENOENT = -2, kEINVAL = -22;
constexpr uint16_t kBadDs = 0x1233;          // GDT entry 0x246: no GDT frames set, a zero descriptor
constexpr uint16_t kBadFs = 0x000f;          // LDT entry 1: no LDT
constexpr uint16_t kGoodGs = 0xe02b;         // FLAT_RING3_DS64
constexpr uint64_t kRcx = 0x1111222233334444, kR11 = 0x5555666677778888;
constexpr uint64_t kRflags = 0x2c7;          // CF PF ZF SF IF + bit 1

alignas(16) uint8_t g_stack1[16384];
uint64_t g_frame[11];
uint64_t g_frame_at;
uint16_t g_live[4];
volatile uint32_t g_failsafe_ran, g_entry_ran;

long vcpu_op(uint64_t cmd, uint64_t vcpu, void* arg = nullptr)
{
    return hypercall(xen::HYPERVISOR_vcpu_op, cmd, vcpu, ptr(arg));
}

void expect(const char* what, long r, long expected)
{
    print("%s: %ld\n", what, r);
    check(r == expected, "%s: %ld, expected %ld", what, r, expected);
}

}  // namespace

// vCPU 1 in its failsafe callback: keeps the frame and the selectors the
// CPU holds, and goes down.
extern "C" void failsafe_main(const uint64_t* frame)
{
    g_frame_at = reinterpret_cast<uint64_t>(frame);
    for (unsigned i = 0; i < 11; ++i)
        g_frame[i] = frame[i];
    asm volatile("mov %%ds, %0\n mov %%es, %1\n mov %%fs, %2\n mov %%gs, %3"
                 : "=r"(g_live[0]), "=r"(g_live[1]), "=r"(g_live[2]), "=r"(g_live[3]));
    __atomic_store_n(&g_failsafe_ran, 1, __ATOMIC_SEQ_CST);
    for (;;)
        vcpu_op(xen::VCPUOP_down, 1);
}

// The context's RIP: reached only if no failsafe bounce happened.
extern "C" void vcpu1_main()
{
    __atomic_store_n(&g_entry_ran, 1, __ATOMIC_SEQ_CST);
    for (;;)
        vcpu_op(xen::VCPUOP_down, 1);
}

asm(".pushsection .text\n"
    "failsafe_entry:\n mov %rsp, %rdi\n and $-16, %rsp\n call failsafe_main\n1: jmp 1b\n"
    "vcpu1_entry:\n and $-16, %rsp\n call vcpu1_main\n2: jmp 2b\n"
    ".popsection\n");
extern "C" char failsafe_entry[], vcpu1_entry[];

namespace {

xen::vcpu_guest_context g_ctx;

void check_registrations()
{
    xen::callback_register reg{xen::CALLBACKTYPE_failsafe, xen::CALLBACKF_mask_events, 0,
                               reinterpret_cast<uint64_t>(failsafe_entry)};
    expect("callback_op register failsafe", hypercall(xen::HYPERVISOR_callback_op, xen::CALLBACKOP_register, ptr(&reg)),
           0);
    reg.address = 0x8000000000000000ull;
    expect("callback_op register failsafe, non-canonical",
           hypercall(xen::HYPERVISOR_callback_op, xen::CALLBACKOP_register, ptr(&reg)), kEINVAL);
    xen::callback_unregister unreg{xen::CALLBACKTYPE_failsafe, 0};
    expect("callback_op unregister failsafe", hypercall(xen::HYPERVISOR_callback_op, xen::CALLBACKOP_unregister,
                                                         ptr(&unreg)), kEINVAL);
    expect("set_callbacks with a non-canonical failsafe",
           hypercall(xen::HYPERVISOR_set_callbacks, 0, 0x8000000000000000ull, 0), 0);
}

}  // namespace

void guest::kernel_main(const xen::start_info* si)
{
    char buf[8];
    const char* nofs = cmdline_value(si, "nofailsafe", buf, sizeof buf);
    bool with_failsafe = !(nofs && nofs[0] == '1');
    map_shared_info(si);
    const BootWindow& w = mm_init(si);
    check_registrations();

    long r = vcpu_op(xen::VCPUOP_is_up, 1);
    if (r == kENOENT) {
        print("vCPU 1: absent (%ld): one vCPU, no context to start\n", r);
        return;
    }
    uint64_t stack_top = reinterpret_cast<uint64_t>(g_stack1 + sizeof g_stack1) - 40;  // not 16-byte aligned
    g_ctx = xen::vcpu_guest_context{};
    g_ctx.flags = xen::VGCF_IN_KERNEL | xen::VGCF_failsafe_disables_events;
    g_ctx.user_regs.rip = reinterpret_cast<uint64_t>(vcpu1_entry);
    g_ctx.user_regs.rsp = stack_top;
    g_ctx.user_regs.cs = xen::FLAT_KERNEL_CS;
    g_ctx.user_regs.ss = xen::FLAT_KERNEL_SS;
    g_ctx.user_regs.rflags = kRflags;
    g_ctx.user_regs.rcx = kRcx;
    g_ctx.user_regs.r11 = kR11;
    g_ctx.user_regs.ds = kBadDs;
    g_ctx.user_regs.es = 0;
    g_ctx.user_regs.fs = kBadFs;
    g_ctx.user_regs.gs = kGoodGs;
    g_ctx.kernel_ss = xen::FLAT_KERNEL_SS;
    g_ctx.kernel_sp = stack_top;
    g_ctx.ctrlreg[3] = mfn_of_va(w.l4_va) << 12;
    g_ctx.failsafe_callback_eip = with_failsafe ? reinterpret_cast<uint64_t>(failsafe_entry) : 0;
    shared_info()->vcpu_info[1].evtchn_upcall_mask = 1;  // no event callback on vCPU 1
    expect("VCPUOP_initialise of vCPU 1 with bad DS and FS", vcpu_op(xen::VCPUOP_initialise, 1, &g_ctx), 0);
    if (!with_failsafe)
        print("no failsafe callback: the domain should be crashed now\n");
    expect("VCPUOP_up of vCPU 1", vcpu_op(xen::VCPUOP_up, 1), 0);
    uint64_t start = system_time_ns();
    while (!g_failsafe_ran && !g_entry_ran && system_time_ns() - start < 5000000000ull)
        hypercall(xen::HYPERVISOR_sched_op, xen::SCHEDOP_yield, 0);
    check(!with_failsafe || g_failsafe_ran, "vCPU 1 never reached its failsafe callback");
    check(!g_entry_ran, "vCPU 1 started at the context's RIP: its selectors loaded");
    if (!with_failsafe) {
        check(false, "still running without a failsafe callback");
        return;
    }
    if (!g_failsafe_ran)
        return;

    const uint64_t* f = g_frame;
    print("failsafe frame: rcx %lx r11 %lx ds %lx es %lx fs %lx gs %lx\n", f[0], f[1], f[2], f[3], f[4], f[5]);
    print("failsafe frame: rip %s cs %lx rflags %lx rsp %s ss %lx\n",
          f[6] == g_ctx.user_regs.rip ? "the context's" : "other", f[7], f[8],
          f[9] == stack_top ? "the context's" : "other", f[10]);
    check(f[0] == kRcx && f[1] == kR11, "rcx %lx r11 %lx", f[0], f[1]);
    check(f[2] == kBadDs && f[3] == 0 && f[4] == kBadFs && f[5] == kGoodGs, "selectors %lx %lx %lx %lx", f[2], f[3],
          f[4], f[5]);
    check(f[6] == g_ctx.user_regs.rip, "rip %lx", f[6]);
    // Kernel mode shows as RPL 0; bits 32-39: the event mask (1).
    check(f[7] == ((uint64_t{1} << 32) | (xen::FLAT_KERNEL_CS & ~3u)), "cs %lx", f[7]);
    // The context's flags, with IF showing the (masked) events.
    check((f[8] & ~uint64_t{0x200}) == (kRflags & ~uint64_t{0x200}) && !(f[8] & 0x200), "rflags %lx", f[8]);
    check(f[9] == stack_top && f[10] == xen::FLAT_KERNEL_SS, "rsp %lx ss %lx", f[9], f[10]);
    // The frame sits right below the context's stack pointer, aligned down.
    check(g_frame_at == (stack_top & ~uint64_t{15}) - 11 * 8, "frame at %lx, stack top %lx", g_frame_at, stack_top);
    print("selectors in the CPU at the callback: ds %x es %x fs %x gs %x\n", g_live[0], g_live[1], g_live[2],
          g_live[3]);
    check(g_live[0] == 0 && g_live[1] == 0 && g_live[2] == 0 && g_live[3] == kGoodGs, "live selectors");
    check(shared_info()->vcpu_info[1].evtchn_upcall_mask == 1, "events unmasked after the failsafe bounce");
    start = system_time_ns();
    while ((r = vcpu_op(xen::VCPUOP_is_up, 1)) != 0 && system_time_ns() - start < 5000000000ull)
        hypercall(xen::HYPERVISOR_sched_op, xen::SCHEDOP_yield, 0);
    expect("VCPUOP_is_up of vCPU 1 after its own VCPUOP_down", r, 0);
}
