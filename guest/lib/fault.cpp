#include "guest/lib/fault.hpp"

#include "abi/arch_x86_64.hpp"
#include "abi/sched.hpp"
#include "abi/xen.hpp"
#include "guest/lib/runtime.hpp"
#include "guest/lib/trap_stub.hpp"
#include "guest/lib/time.hpp"

namespace guest {
namespace {

Fault g_fault{~0u, 0, 0, 0, 0};

}  // namespace
}  // namespace guest

extern "C" {
uint64_t guest_probe_rsp;  // guest_probe_call's stack after it saved its registers
volatile uint8_t guest_probing;
long guest_probe_call(void (*fn)(void*), void* arg);
void guest_probe_landing();
}

// The frame after RCX/R11 were popped: [error] RIP CS RFLAGS RSP SS.
extern "C" void guest_fault_on_trap(uint64_t* frame, unsigned vector, unsigned has_error)
{
    using namespace guest;
    uint64_t* f = frame + has_error;
    uint16_t cs;
    asm volatile("mov %%cs, %0" : "=r"(cs));
    g_fault = Fault{vector, has_error ? frame[0] : 0, f[0], 0, cs};
    if (vector == 14)
        g_fault.cr2 = shared_info()->vcpu_info[0].arch.cr2;
    if (!guest_probing) {
        print("unexpected exception %u (error %lx) at %lx, cr2 %lx\n", vector, g_fault.error, g_fault.rip,
              g_fault.cr2);
        shutdown(xen::SHUTDOWN_crash);
    }
    // Resume in guest_probe_call, on its own stack: whatever the probe pushed
    // (and any frame a bad handler left) is dropped.
    f[0] = reinterpret_cast<uint64_t>(guest_probe_landing);
    f[3] = guest_probe_rsp;
}


GUEST_TRAP_STUB(guest_fault_bp, 3, 0, guest_fault_on_trap)
GUEST_TRAP_STUB(guest_fault_ud, 6, 0, guest_fault_on_trap)
GUEST_TRAP_STUB(guest_fault_gp, 13, 1, guest_fault_on_trap)
GUEST_TRAP_STUB(guest_fault_pf, 14, 1, guest_fault_on_trap)

// long guest_probe_call(fn, arg): saves the callee-saved registers,
// records the stack, calls fn(arg) and returns 0; a fault lands at
// guest_probe_landing with RSP back at the recorded stack, and returns 1.
asm(".pushsection .text\n.globl guest_probe_call\nguest_probe_call:\n"
    " push %rbp\n push %rbx\n push %r12\n push %r13\n push %r14\n push %r15\n sub $8, %rsp\n"
    " mov %rsp, guest_probe_rsp(%rip)\n movb $1, guest_probing(%rip)\n"
    " mov %rdi, %rax\n mov %rsi, %rdi\n call *%rax\n xor %eax, %eax\n"
    "guest_probe_done:\n movb $0, guest_probing(%rip)\n"
    " add $8, %rsp\n pop %r15\n pop %r14\n pop %r13\n pop %r12\n pop %rbx\n pop %rbp\n ret\n"
    ".globl guest_probe_landing\nguest_probe_landing:\n mov $1, %eax\n jmp guest_probe_done\n"
    ".popsection\n");

namespace guest {

long fault_handlers_install()
{
    const xen::trap_info table[] = {
        {3, 3, xen::FLAT_KERNEL_CS, 0, reinterpret_cast<uint64_t>(guest_fault_bp)},
        {6, 0, xen::FLAT_KERNEL_CS, 0, reinterpret_cast<uint64_t>(guest_fault_ud)},
        {13, 0, xen::FLAT_KERNEL_CS, 0, reinterpret_cast<uint64_t>(guest_fault_gp)},
        {14, 0, xen::FLAT_KERNEL_CS, 0, reinterpret_cast<uint64_t>(guest_fault_pf)},
        {0, 0, 0, 0, 0},
    };
    return hypercall(xen::HYPERVISOR_set_trap_table, ptr(table));
}

uint64_t fault_handler_address(unsigned vector)
{
    switch (vector) {
    case 3: return reinterpret_cast<uint64_t>(guest_fault_bp);
    case 6: return reinterpret_cast<uint64_t>(guest_fault_ud);
    case 13: return reinterpret_cast<uint64_t>(guest_fault_gp);
    case 14: return reinterpret_cast<uint64_t>(guest_fault_pf);
    default: return 0;
    }
}

bool fault_probe(void (*fn)(void*), void* arg)
{
    g_fault = Fault{~0u, 0, 0, 0, 0};
    return guest_probe_call(fn, arg) != 0;
}

const Fault& last_fault() { return g_fault; }

}  // namespace guest
