// Exceptions bounced to the guest: set_trap_table, the x86-64 PV bounce
// frame (RCX, R11, [error], RIP, CS, RFLAGS, RSP, SS), CR2 in vcpu_info for
// page faults, 'int n' through the trap table's DPL, and the iret hypercall.
#include "abi/arch_x86_64.hpp"
#include "abi/xen.hpp"
#include "guest/lib/runtime.hpp"
#include "guest/lib/trap_stub.hpp"

using namespace guest;

const char* const guest::kTestName = "traps";

namespace {

struct Seen {
    unsigned vector;
    uint64_t error, rip, cs, rflags, rsp, ss;
    unsigned count;
};
Seen g_seen;
uint64_t g_resume;       // where the handler sends the guest back to
uint64_t g_fault_rsp;    // the stack pointer at the faulting instruction

}  // namespace

// Called by the assembly stubs below with the frame after RCX/R11 were
// popped: [error] RIP CS RFLAGS RSP SS.
extern "C" void on_trap(uint64_t* frame, unsigned vector, unsigned has_error)
{
    g_seen.vector = vector;
    g_seen.error = has_error ? frame[0] : 0;
    uint64_t* f = frame + has_error;
    g_seen.rip = f[0], g_seen.cs = f[1], g_seen.rflags = f[2], g_seen.rsp = f[3], g_seen.ss = f[4];
    ++g_seen.count;
    f[0] = g_resume;
}


GUEST_TRAP_STUB(trap_de, 0, 0, on_trap)
GUEST_TRAP_STUB(trap_bp, 3, 0, on_trap)
GUEST_TRAP_STUB(trap_ud, 6, 0, on_trap)
GUEST_TRAP_STUB(trap_gp, 13, 1, on_trap)
GUEST_TRAP_STUB(trap_pf, 14, 1, on_trap)
GUEST_TRAP_STUB(trap_int80, 128, 0, on_trap)


namespace {

// Each trigger records where to resume and the stack pointer at the
// faulting instruction, then faults.
#define TRIGGER(name, insn)                                                                     \
    void name()                                                                                 \
    {                                                                                           \
        asm volatile("lea 1f(%%rip), %%rax\n mov %%rax, %0\n mov %%rsp, %1\n" insn "\n1:\n"      \
                     : "=m"(g_resume), "=m"(g_fault_rsp)                                        \
                     :                                                                          \
                     : "rax", "rcx", "rdx", "memory");                                          \
    }

TRIGGER(do_divide, "xor %%ecx, %%ecx\n mov $1, %%eax\n xor %%edx, %%edx\n div %%ecx")
TRIGGER(do_int3, "int3")
TRIGGER(do_ud2, "ud2")
TRIGGER(do_int80, "int $0x80")
TRIGGER(do_int81, "int $0x81")
TRIGGER(do_read_unmapped, "mov 0x12340, %%rax")
TRIGGER(do_write_unmapped, "movq $1, 0x56780")

long set_trap_table(const xen::trap_info* t) { return hypercall(xen::HYPERVISOR_set_trap_table, ptr(t)); }

void expect(const char* what, unsigned vector, uint64_t error, bool check_error)
{
    check(g_seen.vector == vector, "%s: vector %u, expected %u", what, g_seen.vector, vector);
    if (check_error)
        check(g_seen.error == error, "%s: error %lx, expected %lx", what, g_seen.error, error);
    // Interrupted kernel mode shows as CS with RPL 0; bits 32-39 carry the
    // event mask it had (masked from the start); SS is the kernel's.
    check((g_seen.cs & 0xffff) == (xen::FLAT_KERNEL_CS & ~3u), "%s: saved cs %lx", what, g_seen.cs);
    check(((g_seen.cs >> 32) & 0xff) == 1, "%s: saved event mask in cs %lx", what, g_seen.cs);
    check(g_seen.ss == xen::FLAT_KERNEL_SS, "%s: saved ss %lx", what, g_seen.ss);
    check(g_seen.rsp == g_fault_rsp, "%s: saved rsp %lx, fault rsp %lx", what, g_seen.rsp, g_fault_rsp);
    // Events are masked from the start: the saved virtual IF is clear.
    check(!(g_seen.rflags & (1u << 9)), "%s: saved rflags %lx shows events enabled", what, g_seen.rflags);
}

}  // namespace

void guest::kernel_main(const xen::start_info* si)
{
    const xen::trap_info table[] = {
        {0, 0, xen::FLAT_KERNEL_CS, 0, reinterpret_cast<uint64_t>(trap_de)},
        {3, 3, xen::FLAT_KERNEL_CS, 0, reinterpret_cast<uint64_t>(trap_bp)},
        {6, 0, xen::FLAT_KERNEL_CS, 0, reinterpret_cast<uint64_t>(trap_ud)},
        {13, 0, xen::FLAT_KERNEL_CS, 0, reinterpret_cast<uint64_t>(trap_gp)},
        {14, 0, xen::FLAT_KERNEL_CS, 0, reinterpret_cast<uint64_t>(trap_pf)},
        {0x80, 3, xen::FLAT_KERNEL_CS, 0, reinterpret_cast<uint64_t>(trap_int80)},
        {0, 0, 0, 0, 0},
    };
    long r = set_trap_table(table);
    check(r == 0, "set_trap_table: %ld", r);
    const xen::trap_info bad[] = {{5, 0, xen::FLAT_KERNEL_CS, 0, 0x8000000000001000ull}, {0, 0, 0, 0, 0}};
    r = set_trap_table(bad);
    check(r == -22, "non-canonical handler: %ld, expected -EINVAL", r);
    r = set_trap_table(reinterpret_cast<const xen::trap_info*>(0xffff830000000000ull));
    check(r == -14, "trap table in hypervisor memory: %ld, expected -EFAULT", r);

    do_divide();
    expect("divide error", 0, 0, false);
    do_int3();
    expect("int3", 3, 0, false);
    do_ud2();
    expect("ud2", 6, 0, false);
    do_int80();
    expect("int $0x80", 0x80, 0, false);
    do_int81();
    expect("int $0x81 (no gate)", 13, (0x81 << 3) | 2, true);

    do_read_unmapped();
    expect("read fault", 14, 0, true);  // not present, read, kernel mode
    do_write_unmapped();
    expect("write fault", 14, 2, true);  // not present, write, kernel mode
    check(g_seen.count == 7, "handlers ran %u times, expected 7", g_seen.count);
    print("all %u exceptions bounced with the PV frame\n", g_seen.count);
    (void)si;
}
