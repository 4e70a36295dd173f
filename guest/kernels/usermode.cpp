// A user-mode task making system calls through the guest kernel. The
// kernel builds user page tables (MMUEXT_NEW_USER_BASEPTR: its own image
// plus a page only user mode maps), registers its syscall callback and a
// syscall stack, sets a kernel and a user GS base (set_segment_base), and
// drops to user mode with the iret hypercall. The user task makes 1000
// system calls; each is bounced to the kernel's callback in kernel mode,
// answered, and returned from with iret (VGCF_in_syscall). Every call
// checks the GS base on both sides: the user one in user mode, the kernel
// one in the kernel (the hypervisor swaps them with the mode). The user
// page is usable in user mode and not mapped in kernel mode.
#include "abi/arch_x86_64.hpp"
#include "abi/xen.hpp"
#include "guest/lib/fault.hpp"
#include "guest/lib/mm.hpp"
#include "guest/lib/runtime.hpp"
#include "guest/lib/time.hpp"
#include "guest/lib/usermode.hpp"

using namespace guest;

const char* const guest::kTestName = "usermode";

namespace {

constexpr uint64_t kKernelGsMagic = 0x4b65726e656c4753, kUserGsMagic = 0x5573657247536261;
constexpr unsigned kCalls = 1000;
constexpr uint64_t kSysTriple = 1;  // returns 3 * arg + 1

// The kernel image is mapped for user mode too (a PV kernel runs in ring 3):
// the user task reports here, and its GS base points at g_user_gs.
uint64_t g_kernel_gs = kKernelGsMagic, g_user_gs = kUserGsMagic;
struct UserReport {
    uint64_t calls, wrong_answers, wrong_gs, page_ok, unknown_answer;
} g_report;
unsigned g_handled, g_kernel_wrong_gs;

uint64_t read_gs0()
{
    uint64_t v;
    asm volatile("mov %%gs:0, %0" : "=r"(v));
    return v;
}

uint64_t on_syscall(uint64_t nr, uint64_t arg)
{
    ++g_handled;
    g_kernel_wrong_gs += read_gs0() != kKernelGsMagic;
    if (nr == kSysTriple)
        return 3 * arg + 1;
    return static_cast<uint64_t>(-38);  // ENOSYS
}

void user_main()
{
    volatile uint64_t* page = reinterpret_cast<volatile uint64_t*>(kUserPage);
    page[0] = 0x1234abcd;
    g_report.page_ok = page[0] == 0x1234abcd;
    for (unsigned i = 0; i < kCalls; ++i) {
        g_report.wrong_answers += user_syscall(kSysTriple, i) != 3 * i + 1;
        g_report.wrong_gs += read_gs0() != kUserGsMagic;
        ++g_report.calls;
    }
    g_report.unknown_answer = user_syscall(99, 0);
    user_syscall(kSysExit, g_report.calls);
    for (;;) {
    }
}

void read_user_page(void*) { (void)*reinterpret_cast<volatile uint64_t*>(kUserPage); }

long set_base(uint64_t which, uint64_t base) { return hypercall(xen::HYPERVISOR_set_segment_base, which, base); }

}  // namespace

void guest::kernel_main(const xen::start_info* si)
{
    map_shared_info(si);
    mm_init(si);
    check(fault_handlers_install() == 0, "fault handlers");
    long r = usermode_init(0, on_syscall);
    print("user tables, syscall callback and stack: %ld\n", r);
    check(r == 0, "usermode_init: %ld", r);
    if (r)
        return;
    r = set_base(xen::SEGBASE_GS_KERNEL, reinterpret_cast<uint64_t>(&g_kernel_gs));
    check(r == 0, "set_segment_base GS_KERNEL: %ld", r);
    r = set_base(xen::SEGBASE_GS_USER, reinterpret_cast<uint64_t>(&g_user_gs));
    check(r == 0, "set_segment_base GS_USER: %ld", r);
    print("set_segment_base GS_USER non-canonical: %ld\n", set_base(xen::SEGBASE_GS_USER, 0x8000000000000000ull));
    check(read_gs0() == kKernelGsMagic, "kernel GS base not active in kernel mode");

    bool faulted = fault_probe(read_user_page);
    print("the user page in kernel mode: %s\n", faulted && last_fault().vector == 14 ? "not mapped" : "mapped");
    check(faulted && last_fault().vector == 14, "the user page is mapped in kernel mode");

    uint64_t t0 = system_time_ns();
    uint64_t calls = run_user_mode(user_main);
    uint64_t ns = system_time_ns() - t0;
    print("back in the kernel after %lu user system calls\n", calls);
    print("user page usable in user mode: %s\n", g_report.page_ok ? "yes" : "no");
    print("answers: %lu right, %lu wrong; unknown call: %ld\n", g_report.calls - g_report.wrong_answers,
          g_report.wrong_answers, static_cast<long>(g_report.unknown_answer));
    print("GS base: user's in user mode %lu of %lu times, kernel's in the kernel %u of %u times\n",
          g_report.calls - g_report.wrong_gs, g_report.calls, g_handled - g_kernel_wrong_gs, g_handled);
    print("about %lu ns per system call round trip\n", ns / (kCalls + 2));
    check(calls == kCalls && g_report.calls == kCalls, "user calls %lu", calls);
    check(g_report.page_ok, "user page not usable in user mode");
    check(g_report.wrong_answers == 0 && g_report.wrong_gs == 0, "user side: %lu wrong answers, %lu wrong GS",
          g_report.wrong_answers, g_report.wrong_gs);
    check(static_cast<long>(g_report.unknown_answer) == -38, "unknown call answered %ld",
          static_cast<long>(g_report.unknown_answer));
    check(g_handled == kCalls + 1 && g_kernel_wrong_gs == 0, "kernel side: %u handled, %u wrong GS", g_handled,
          g_kernel_wrong_gs);
    check(read_gs0() == kKernelGsMagic, "kernel GS base not active after user mode");
}
